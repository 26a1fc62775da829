package dev.ferry.bench.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class LibvirtConfigTest {

  @Test
  void daemonListensOnlyOnTheHostAddressOverPlainTcp() {
    UUID id = UUID.fromString("6c1a7e62-0000-4000-8000-00000000000b");
    String conf = LibvirtConfig.libvirtd("198.18.77.11", id, "/var/log/libvirt/libvirtd.log");

    assertThat(conf)
        .contains("listen_tcp = 1")
        .contains("listen_tls = 0")
        .contains("listen_addr = \"198.18.77.11\"")
        .contains("auth_tcp = \"none\"")
        .contains("host_uuid = \"6c1a7e62-0000-4000-8000-00000000000b\"");
  }

  @Test
  void qemuRunsAsRootWithoutSecurityDriverCgroupsOrNamespaces() {
    assertThat(LibvirtConfig.qemu())
        .contains("security_driver = \"none\"")
        .contains("user = \"root\"")
        .contains("group = \"root\"")
        .contains("cgroup_controllers = [ ]")
        .contains("namespaces = [ ]");
  }
}
