package dev.ferry.agent.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.agent.AgentException;
import dev.ferry.common.Json;
import dev.ferry.qemu.VmSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The VM records on disk: the state-file format, the legacy plain JSON, and what is refused. */
class VmStoreTest {
  @TempDir Path dir;

  private final VmSpec spec = VmTestKit.spec("web", 1);

  /** A record as agents wrote it before records were versioned state files. */
  static String legacyRecord(VmSpec spec, String desired, String owner, long epoch)
      throws Exception {
    return """
        {
          "formatVersion" : 1,
          "spec" : %s,
          "desired" : "%s",
          "lastError" : null,
          "owner" : "%s",
          "epoch" : %d
        }
        """
        .formatted(Json.strict().writeValueAsString(spec), desired, owner, epoch);
  }

  @Test
  void aRecordIsAVersionedChecksummedStateFileThatReadsBack() throws Exception {
    VmStore store = new VmStore(dir);
    VmRecord record = VmRecord.defined(spec, "host-a").withLastError(Optional.of("boom"));

    store.save(record);

    assertThat(Files.readString(store.file("web")))
        .startsWith("ferry-state kind=vm-record version=2 length=");
    assertThat(store.loadAll().records()).containsExactly(record);
    assertThat(store.loadAll().unreadable()).isEmpty();
  }

  @Test
  void aLegacyPlainJsonRecordIsReadAndRewrittenInTheCurrentVersionAtTheNextSave() throws Exception {
    VmStore store = new VmStore(dir);
    Files.createDirectories(store.file("web").getParent());
    Files.writeString(store.file("web"), legacyRecord(spec, "RUNNING", "host-a", 3));

    VmRecord loaded = store.loadAll().records().getFirst();
    assertThat(loaded)
        .isEqualTo(new VmRecord(spec, VmRecord.Desired.RUNNING, Optional.empty(), "host-a", 3));
    assertThat(Files.readString(store.file("web"))).as("reading changes nothing").startsWith("{");

    store.save(loaded.withDesired(VmRecord.Desired.STOPPED));
    assertThat(Files.readString(store.file("web")))
        .startsWith("ferry-state kind=vm-record version=2 ");
    assertThat(store.loadAll().records().getFirst().desired()).isEqualTo(VmRecord.Desired.STOPPED);
  }

  @Test
  void aCorruptRecordIsReportedByFileAndReasonNeverSkippedSilently() throws Exception {
    VmStore store = new VmStore(dir);
    store.save(VmRecord.defined(spec, "host-a"));
    store.save(VmRecord.defined(VmTestKit.spec("db", 0), "host-a"));
    Path file = store.file("web");
    Files.writeString(file, Files.readString(file).replace("\"host-a\"", "\"host-x\""));

    VmStore.Loaded loaded = store.loadAll();

    assertThat(loaded.records()).extracting(r -> r.spec().name()).containsExactly("db");
    assertThat(loaded.unreadable()).hasSize(1);
    VmStore.Unreadable u = loaded.unreadable().getFirst();
    assertThat(u.name()).isEqualTo("web");
    assertThat(u.file()).isEqualTo(file);
    assertThat(u.why()).contains(file.toString()).contains("checksum mismatch");
    assertThat(file).exists();
  }

  @Test
  void aLegacyRecordOfAnotherFormatVersionIsRefused() throws Exception {
    VmStore store = new VmStore(dir);
    Files.createDirectories(store.file("web").getParent());
    Files.writeString(
        store.file("web"),
        legacyRecord(spec, "RUNNING", "host-a", 3)
            .replace("\"formatVersion\" : 1", "\"formatVersion\" : 7"));

    assertThat(store.loadAll().unreadable().getFirst().why())
        .contains("format version 7 is not readable");
  }

  @Test
  void aRecordFiledUnderAnotherVmsNameIsRefused() throws Exception {
    VmStore store = new VmStore(dir);
    store.save(VmRecord.defined(spec, "host-a"));
    Path elsewhere = store.file("other");
    Files.createDirectories(elsewhere.getParent());
    Files.copy(store.file("web"), elsewhere);

    assertThat(store.loadAll().unreadable().getFirst().why())
        .contains("holds VM 'web', not 'other'");
  }

  @Test
  void aRecordThatCannotBeWrittenIsAFailureNamingTheFileAndTheOldRecordStays() throws Exception {
    VmStore store = new VmStore(dir);
    VmRecord old = VmRecord.defined(spec, "host-a");
    store.save(old);
    Files.createDirectories(store.file("web").resolveSibling("vm.json.tmp"));

    assertThatThrownBy(() -> store.save(old.withDesired(VmRecord.Desired.RUNNING)))
        .isInstanceOf(AgentException.Failed.class)
        .hasMessageContaining(store.file("web").toString());
    Files.delete(store.file("web").resolveSibling("vm.json.tmp"));
    assertThat(store.loadAll().records()).containsExactly(old);
  }
}
