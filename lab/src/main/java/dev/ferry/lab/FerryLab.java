package dev.ferry.lab;

import dev.ferry.lab.command.LabMigrateCommand;
import dev.ferry.lab.command.TestbedCommands;
import dev.ferry.lab.demo.DemoCommand;
import dev.ferry.lab.testbed.TestbedException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ferry-lab} command: the local testbed, a probed migration, the demo. */
@Command(
    name = "ferry-lab",
    mixinStandardHelpOptions = true,
    versionProvider = FerryLab.Version.class,
    description =
        "Ferry's lab on one machine: namespace hosts with real agents, a client that measures"
            + " the outage, the demo. Not part of the product.",
    subcommands = {
      TestbedCommands.class,
      LabMigrateCommand.class,
      DemoCommand.class,
      CommandLine.HelpCommand.class
    })
public final class FerryLab {
  private static final String LOG_CONFIG = "ferry-lab-logback.xml";

  public static void main(String[] args) {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", LOG_CONFIG);
    }
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs one command line; returns the exit code (0 ok, 1 failed, 2 usage). */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new FerryLab());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExitCodeExceptionMapper(FerryLab::exitCode);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          commandLine.getErr().println("ferry-lab: " + message(e));
          commandLine.getErr().flush();
          return exitCode(e);
        });
    return cli.execute(args);
  }

  private static int exitCode(Throwable e) {
    return switch (e) {
      case IllegalArgumentException i -> 2;
      case CommandLine.ParameterException p -> 2;
      default -> 1;
    };
  }

  private static String message(Throwable e) {
    return switch (e) {
      case TestbedException t -> t.getMessage();
      default -> e.getMessage() == null ? e.toString() : e.getMessage();
    };
  }

  /** Reports the build's version. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = FerryLab.class.getPackage().getImplementationVersion();
      return new String[] {"ferry-lab " + (v == null ? "dev" : v)};
    }
  }
}
