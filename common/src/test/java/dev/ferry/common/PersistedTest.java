package dev.ferry.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PersistedTest {
  record Note(String name, long epoch) {}

  private static final Persisted<Note> NOTES =
      Persisted.of("note", 2, Note.class, ByteSize.ofKiB(4));

  @TempDir Path dir;

  @Test
  void aWrittenValueReadsBackAndLeavesNoTemporaryFile() throws Exception {
    Path f = dir.resolve("n.state");
    NOTES.write(f, new Note("vm1", 7));
    assertThat(NOTES.read(f)).contains(new Note("vm1", 7));
    assertThat(Files.list(dir)).containsExactly(f);
    assertThat(Files.readString(f)).startsWith("ferry-state kind=note version=2 length=");
  }

  @Test
  void aMissingFileIsEmptyNotAnError() {
    assertThat(NOTES.read(dir.resolve("none"))).isEmpty();
  }

  @Test
  void aFlippedByteIsRefusedByItsChecksum() throws Exception {
    Path f = dir.resolve("n.state");
    NOTES.write(f, new Note("vm1", 7));
    String text = Files.readString(f).replace("\"vm1\"", "\"vm2\"");
    Files.writeString(f, text);
    assertThatThrownBy(() -> NOTES.read(f))
        .isInstanceOf(Persisted.Corrupt.class)
        .hasMessageContaining(f.toString())
        .hasMessageContaining("checksum mismatch");
  }

  @Test
  void aTruncatedFileIsRefusedByItsLength() throws Exception {
    Path f = dir.resolve("n.state");
    NOTES.write(f, new Note("vm1", 7));
    byte[] all = Files.readAllBytes(f);
    Files.write(f, java.util.Arrays.copyOf(all, all.length - 3));
    assertThatThrownBy(() -> NOTES.read(f))
        .isInstanceOf(Persisted.Corrupt.class)
        .hasMessageContaining("the header says");
  }

  @Test
  void anotherKindIsRefusedByName() {
    Persisted<Note> other = Persisted.of("other", 2, Note.class, ByteSize.ofKiB(4));
    byte[] bytes = other.encode(new Note("x", 1));
    assertThatThrownBy(() -> NOTES.decode(bytes, "f"))
        .isInstanceOf(Persisted.Corrupt.class)
        .hasMessageContaining("holds a other, not a note");
  }

  @Test
  void oversizedValuesAreRefusedOnWriteAndOnRead() throws Exception {
    Note big = new Note("x".repeat(5000), 1);
    assertThatThrownBy(() -> NOTES.encode(big)).hasMessageContaining("exceeds its limit");
    Path f = dir.resolve("big");
    Files.write(f, new byte[10_000]);
    assertThatThrownBy(() -> NOTES.read(f)).hasMessageContaining("larger than the limit");
  }

  @Test
  void thePreviousVersionIsUpgradedAndOlderOnesAreRefused() {
    Persisted<Note> v1 = Persisted.of("note", 1, Note.class, ByteSize.ofKiB(4));
    byte[] old = v1.encode(new Note("vm1", 3));
    assertThatThrownBy(() -> NOTES.decode(old, "f"))
        .hasMessageContaining("format version 1 is not readable")
        .hasMessageContaining("reads 2");
    Persisted<Note> upgrading =
        NOTES.upgradingPrevious(n -> ((ObjectNode) n).put("epoch", n.get("epoch").asLong() + 100));
    assertThat(upgrading.decode(old, "f")).isEqualTo(new Note("vm1", 103));
    Persisted<Note> v0 = Persisted.of("note", 3, Note.class, ByteSize.ofKiB(4));
    assertThatThrownBy(() -> upgrading.decode(v0.encode(new Note("a", 1)), "f"))
        .hasMessageContaining("format version 3");
  }

  @Test
  void legacyPlainJsonIsReadOnlyWhenTheKindAcceptsIt() {
    byte[] legacy = "{\"name\":\"vm1\",\"epoch\":4}".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> NOTES.decode(legacy, "f")).hasMessageContaining("no 'ferry-state'");
    assertThat(NOTES.upgradingPrevious(n -> n).acceptingLegacy().decode(legacy, "f"))
        .isEqualTo(new Note("vm1", 4));
  }

  @Test
  void payloadThatIsNotTheTypeIsRefusedWithItsField() {
    Persisted<Note> raw = NOTES;
    String payload = "{\"name\":\"vm1\",\"epoch\":4,\"extra\":1}";
    byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
    java.util.zip.CRC32C c = new java.util.zip.CRC32C();
    c.update(bytes);
    String header =
        String.format(
            "ferry-state kind=note version=2 length=%d crc32c=%08x\n", bytes.length, c.getValue());
    byte[] all = (header + payload).getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> raw.decode(all, "f"))
        .isInstanceOf(Persisted.Corrupt.class)
        .hasMessageContaining("does not hold a valid note")
        .hasMessageContaining("extra");
  }
}
