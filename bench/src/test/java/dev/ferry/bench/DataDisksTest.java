package dev.ferry.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.common.ByteSize;
import org.junit.jupiter.api.Test;

class DataDisksTest {

  @Test
  void dataIsWrittenInChunksWithOneNonZeroPatternEach() {
    assertThat(DataDisks.fillCommands(ByteSize.ofMiB(160)))
        .containsExactly(
            "-c",
            "write -q -P 0x11 0 67108864",
            "-c",
            "write -q -P 0x12 67108864 67108864",
            "-c",
            "write -q -P 0x13 134217728 33554432");
  }

  @Test
  void aGibibyteIsSixteenChunks() {
    assertThat(DataDisks.fillCommands(ByteSize.ofGiB(1))).hasSize(32);
  }

  @Test
  void theDataOfAnImageIsItsAllocatedNonZeroExtents() {
    String map =
        """
        [{ "start": 0, "length": 134217728, "depth": 0, "present": true, "zero": false, \
        "data": true, "offset": 327680},
        { "start": 134217728, "length": 65536, "depth": 0, "present": true, "zero": true, \
        "data": true, "offset": 134545408},
        { "start": 134283264, "length": 2013200384, "depth": 0, "present": false, "zero": true, \
        "data": false}]
        """;

    assertThat(DataDisks.dataIn(map)).isEqualTo(ByteSize.ofMiB(128));
  }

  @Test
  void aMapThatIsNoListIsAnError() {
    assertThatThrownBy(() -> DataDisks.dataIn("{}")).isInstanceOf(BenchException.class);
    assertThatThrownBy(() -> DataDisks.dataIn("qemu-img: error"))
        .isInstanceOf(BenchException.class);
  }
}
