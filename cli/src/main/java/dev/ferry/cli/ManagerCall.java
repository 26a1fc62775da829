package dev.ferry.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Shared plumbing of the commands that talk to the manager: its address and the output. */
abstract class ManagerCall implements Callable<Integer> {
  @Mixin ManagerOptions manager;
  @Spec CommandSpec spec;

  Output out() {
    return new Output(spec.commandLine().getOut(), manager.json);
  }
}
