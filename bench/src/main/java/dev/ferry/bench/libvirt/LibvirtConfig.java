package dev.ferry.bench.libvirt;

import java.util.UUID;

/**
 * The configuration files of one libvirt "host" on the testbed: a libvirtd that listens for TCP
 * only on the host's own testbed address without authentication (the testbed has no route out),
 * identifies itself with its own host UUID (libvirt refuses to migrate to a host with the same
 * UUID), and runs QEMU as root with no security driver, no cgroups and no per-VM namespaces, so it
 * needs nothing the namespace host lacks.
 */
final class LibvirtConfig {
  private LibvirtConfig() {}

  /**
   * {@code libvirtd.conf}.
   *
   * @param listenAddress the host's testbed address, the only one libvirtd listens on
   * @param hostUuid this host's identity in migration cookies
   * @param logFile libvirtd's own log, as seen inside its mount namespace
   */
  static String libvirtd(String listenAddress, UUID hostUuid, String logFile) {
    return """
        # One libvirt host of the Ferry benchmark testbed; written by ferry-bench.
        listen_tls = 0
        listen_tcp = 1
        listen_addr = "%s"
        auth_tcp = "none"
        host_uuid = "%s"
        log_outputs = "3:file:%s"
        """
        .formatted(listenAddress, hostUuid, logFile);
  }

  /** {@code qemu.conf}. */
  static String qemu() {
    return """
        # QEMU driver of one libvirt host of the Ferry benchmark testbed; written by ferry-bench.
        security_driver = "none"
        user = "root"
        group = "root"
        dynamic_ownership = 0
        remember_owner = 0
        cgroup_controllers = [ ]
        namespaces = [ ]
        stdio_handler = "file"
        """;
  }
}
