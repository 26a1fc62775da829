package dev.ferry.cli;

import dev.ferry.api.AgentUnreachableException;
import dev.ferry.api.ApiException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ferry} command. */
@Command(
    name = "ferry",
    mixinStandardHelpOptions = true,
    versionProvider = Ferry.Version.class,
    description = "Live migration of running virtual machines between hosts.",
    subcommands = {
      HostCommands.class,
      VmCommands.class,
      ClusterCommands.class,
      BalanceCommands.class,
      MigrationCommands.class,
      AgentCommand.class,
      ManagerCommand.class,
      TokenCommands.class,
      CommandLine.HelpCommand.class
    })
public final class Ferry {

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs one command line; returns the exit code (see {@link ExitCode}). */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new Ferry());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExitCodeExceptionMapper(Ferry::exitCode);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          commandLine.getErr().println("ferry: " + message(e));
          commandLine.getErr().flush();
          return exitCode(e);
        });
    return cli.execute(args);
  }

  private static int exitCode(Throwable e) {
    return switch (e) {
      case ApiException a -> ExitCode.forStatus(a.status()).code();
      case AgentUnreachableException u -> ExitCode.UNREACHABLE.code();
      case dev.ferry.api.ManagerUnreachableException u -> ExitCode.UNREACHABLE.code();
      case IllegalArgumentException i -> ExitCode.USAGE.code();
      case CommandLine.ParameterException p -> ExitCode.USAGE.code();
      default -> ExitCode.FAILED.code();
    };
  }

  private static String message(Throwable e) {
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }

  /** Reports the build's version. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Ferry.class.getPackage().getImplementationVersion();
      return new String[] {"ferry " + (v == null ? "dev" : v)};
    }
  }
}
