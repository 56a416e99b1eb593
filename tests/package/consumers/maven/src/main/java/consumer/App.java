// A user's Java program: shmlink from its jar alone, natives loaded from inside it.
//   App                   a segment, a signal and a channel within this process
//   App receive NAME N    N messages from the C producer (examples/c/channel_producer.c),
//                         "message 1" .. "message N" in order, then the end of the stream
// Built by Maven (../../../../pom.xml) and by plain javac -cp shmlink-<version>.jar.
package consumer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.shmlink.Channel;
import org.shmlink.ChannelRole;
import org.shmlink.Segment;
import org.shmlink.ShmLink;
import org.shmlink.ShmLinkException;
import org.shmlink.Signal;
import org.shmlink.Status;
import org.shmlink.View;

public final class App {
  private App() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 3 && args[0].equals("receive")) {
      System.exit(receive(args[1], Integer.parseInt(args[2])));
    }
    if (args.length != 0) {
      System.err.println("usage: App [receive NAME COUNT]");
      System.exit(2);
    }
    String name = "shmlink-java-test.consumer." + ProcessHandle.current().pid();
    try (Segment segment = Segment.create(name, 4096); View view = segment.map();
         Signal signal = Signal.create(name + ".signal")) {
      view.buffer().putInt(0, 42);
      signal.set();
      try (Segment opened = Segment.open(name, org.shmlink.Access.READ); View readView = opened.map()) {
        if (readView.buffer().getInt(0) != 42 || !signal.await(Duration.ofSeconds(5))) {
          throw new AssertionError("the segment or the signal did not work");
        }
      }
    }
    try (Channel receiver = Channel.create(name + ".channel", 4096, 64, ChannelRole.RECEIVER);
         Channel sender = Channel.open(name + ".channel", ChannelRole.SENDER)) {
      sender.send("ping".getBytes(StandardCharsets.UTF_8));
      byte[] message = receiver.receive(Duration.ofSeconds(5));
      if (message == null || !new String(message, StandardCharsets.UTF_8).equals("ping")) {
        throw new AssertionError("the channel did not carry the message");
      }
    }
    System.out.println("package ok: shmlink " + ShmLink.version() + " (" + System.getProperty("os.arch") + ")");
  }

  private static int receive(String channelName, int count) throws Exception {
    // Either side may start first: both open-or-create the channel with the producer's sizes
    // (64 KiB, messages up to 4096 bytes), and what was sent before we attached waits for us.
    try (Channel receiving = Channel.openOrCreate(channelName, 64 * 1024, 4096, ChannelRole.RECEIVER)) {
      ByteBuffer buffer = ByteBuffer.allocate(4096);
      for (int i = 1; i <= count; ++i) {
        buffer.clear();
        int length = receiving.receive(buffer, Duration.ofSeconds(30));
        if (length < 0) {
          System.err.println("consumer: no message " + i + " within 30 s");
          return 1;
        }
        String text = new String(buffer.array(), 0, length, StandardCharsets.UTF_8);
        if (!text.equals("message " + i)) {
          System.err.println("consumer: message " + i + " was \"" + text + "\"");
          return 1;
        }
      }
      try {
        byte[] extra = receiving.receive(Duration.ofSeconds(30));
        System.err.println(extra == null ? "consumer: no end of the stream within 30 s" : "consumer: a message after the last one");
        return 1;
      } catch (ShmLinkException error) {
        if (error.status() != Status.CLOSED) throw error;
      }
    }
    System.out.println("received " + count + " messages in order");
    return 0;
  }
}
