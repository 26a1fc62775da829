package dev.ferry.lab.testbed;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How the lab runs the product's {@code ferry} command (for {@code ferry agent run} on each host):
 * the lab does not link the product's command line, it runs it as it ships.
 *
 * <ul>
 *   <li>{@code $FERRY_JAR}, if set: {@code java -jar $FERRY_JAR} (the scripts point it at {@code
 *       cli/target/ferry.jar});
 *   <li>otherwise, when {@code dev.ferry.cli.Ferry} is on this JVM's class path (the end-to-end
 *       tests): {@code java -cp <class path> dev.ferry.cli.Ferry}.
 * </ul>
 *
 * @param prefix the command line up to (not including) the {@code ferry} arguments
 */
public record FerryCommand(List<String> prefix) {
  /** The product's entry point, by name only: the lab never compiles against it. */
  public static final String MAIN_CLASS = "dev.ferry.cli.Ferry";

  public FerryCommand {
    prefix = List.copyOf(prefix);
  }

  /**
   * The {@code ferry} command as this process finds it, with {@code jvmOptions} for the JVM.
   *
   * @throws TestbedException if neither {@code $FERRY_JAR} nor the class path offers it
   */
  public static FerryCommand locate(List<String> jvmOptions) {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.addAll(jvmOptions);
    Optional<Path> jar = Optional.ofNullable(System.getenv("FERRY_JAR")).map(Path::of);
    if (jar.isPresent()) {
      if (!Files.isRegularFile(jar.get())) {
        throw new TestbedException(
            "find the ferry command", "$FERRY_JAR names " + jar.get() + ", which is not a file");
      }
      cmd.addAll(List.of("-jar", jar.get().toString()));
      return new FerryCommand(cmd);
    }
    String resource = MAIN_CLASS.replace('.', '/') + ".class";
    if (FerryCommand.class.getClassLoader().getResource(resource) != null) {
      cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), MAIN_CLASS));
      return new FerryCommand(cmd);
    }
    throw new TestbedException(
        "find the ferry command",
        "set FERRY_JAR to the product's jar (cli/target/ferry.jar) so the testbed can start agents");
  }

  /** The full command line for {@code ferry args...}. */
  public List<String> with(List<String> args) {
    List<String> all = new ArrayList<>(prefix);
    all.addAll(args);
    return List.copyOf(all);
  }
}
