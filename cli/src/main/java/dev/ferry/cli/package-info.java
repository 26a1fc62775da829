/**
 * The product's {@code ferry} command (picocli; {@code cli/target/ferry.jar}, entry point {@link
 * dev.ferry.cli.Ferry}): operators and scripts use it against one agent ({@code host}, {@code vm},
 * {@code migration}; {@code --agent URL}, {@code $FERRY_AGENT}, or {@code -H NAME} of a local
 * testbed as its {@link dev.ferry.api.HostDirectory} lists it) or against the manager ({@code
 * cluster}, {@code balance}, {@code host maintenance}, {@code migration --manager}), and it runs
 * the daemons ({@code agent run}, {@code manager run}). The lab starts its agents through it too.
 *
 * <p>Each command is a small class rendering through {@code Output} (text or {@code --json}); exit
 * codes are {@code ExitCode}. Following an agent migration ({@code MigrationWatcher}) rides the
 * agent's event stream ({@link dev.ferry.api.MigrationFollower}); following the manager re-reads it
 * at {@code ManagerCadence}, since the manager offers clients no stream. Knows nothing of the lab
 * (checked by {@code e2e/LayeringTest}).
 */
package dev.ferry.cli;
