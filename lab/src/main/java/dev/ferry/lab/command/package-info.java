/**
 * The {@code ferry-lab} subcommands that drive a testbed: {@code testbed up|down|status} ({@link
 * dev.ferry.lab.command.TestbedCommands}) and {@code migrate VM --from A --to B} ({@link
 * dev.ferry.lab.command.LabMigrateCommand}: a live migration with the client namespace measuring
 * the outage). Registered by {@link dev.ferry.lab.FerryLab}; {@code Output} prints text or JSON.
 */
package dev.ferry.lab.command;
