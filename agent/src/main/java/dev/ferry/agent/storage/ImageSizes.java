package dev.ferry.agent.storage;

import dev.ferry.agent.Exec;
import dev.ferry.common.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * An image's virtual size and the bytes it occupies on disk, from {@code qemu-img info} (with a
 * shared lock, so a running VM's image can be read).
 *
 * @param virtual the size the guest sees
 * @param allocated bytes allocated in the host file system
 */
public record ImageSizes(long virtual, long allocated) {

  /**
   * @throws IOException when qemu-img's answer cannot be read
   */
  public static ImageSizes of(Path image) throws IOException {
    String json = Exec.check(List.of("qemu-img", "info", "-U", "--output=json", image.toString()));
    var node = Json.lenient().readTree(json);
    return new ImageSizes(node.path("virtual-size").asLong(), node.path("actual-size").asLong());
  }
}
