package dev.ferry.qemu;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.nio.file.Path;
import java.util.Optional;

/** How the guest boots: straight into a kernel, or through the firmware from its first disk. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = BootSpec.Kernel.class, name = "kernel"),
  @JsonSubTypes.Type(value = BootSpec.Firmware.class, name = "firmware")
})
public sealed interface BootSpec {

  /** Direct kernel boot ({@code -kernel/-initrd/-append}). */
  record Kernel(Path kernel, Optional<Path> initrd, String cmdline) implements BootSpec {
    public Kernel {
      java.util.Objects.requireNonNull(kernel, "kernel");
      initrd = initrd == null ? Optional.empty() : initrd;
      cmdline = cmdline == null ? "" : cmdline;
      if (cmdline.length() > SpecRules.MAX_CMDLINE) {
        throw new IllegalArgumentException(
            "kernel command line is "
                + cmdline.length()
                + " characters; the most a Linux guest reads is "
                + SpecRules.MAX_CMDLINE);
      }
      if (cmdline.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
        throw new IllegalArgumentException("kernel command line holds control characters");
      }
    }
  }

  /** Firmware (SeaBIOS) boot from the first disk. */
  record Firmware() implements BootSpec {}
}
