package dev.ferry.agent.migration.incoming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.agent.AgentException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class BandwidthSinkTest {

  @Test
  @Timeout(30)
  void atMostSixteenSinksAreOpenAndAFinishedOneFreesItsPlace() throws Exception {
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < BandwidthSink.MAX_OPEN; i++) {
      ports.add((int) BandwidthSink.open("127.0.0.1").port());
    }
    assertThatThrownBy(() -> BandwidthSink.open("127.0.0.1"))
        .isInstanceOf(AgentException.TooMany.class)
        .hasMessageContaining(BandwidthSink.MAX_OPEN + " bandwidth measurements");
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), ports.getFirst())) {
      OutputStream out = s.getOutputStream();
      out.write(new byte[1 << 20]);
      s.shutdownOutput();
      assertThat(s.getInputStream().read()).as("the sink acknowledges").isEqualTo(1);
    }
    long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    Integer another = null;
    while (another == null && System.nanoTime() < until) {
      try {
        another = (int) BandwidthSink.open("127.0.0.1").port();
      } catch (AgentException.TooMany e) {
        Thread.onSpinWait();
      }
    }
    assertThat(another).as("a place was freed").isNotNull();
    for (int port : ports.subList(1, ports.size())) {
      new Socket(InetAddress.getLoopbackAddress(), port).close();
    }
    new Socket(InetAddress.getLoopbackAddress(), another).close();
  }
}
