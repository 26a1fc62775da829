package dev.ferry.e2e;

import dev.ferry.cli.Ferry;
import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the {@code ferry} command line in-process and captures what it printed. */
final class Cli {
  private Cli() {}

  record Result(int exit, String out, String err) {}

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Ferry.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(exit, out.toString(), err.toString());
  }
}
