// ChannelConsumer - receives the channel producer's messages (examples/c/channel_producer.c)
// and prints one per line ("received message 1"), until the producer is gone and the channel is
// empty: the Java counterpart of examples/c/channel_consumer.c. Ctrl-C ends the wait at once: it
// interrupts the main thread, which wakes the blocked receive.
//
//   usage: java -cp shmlink.jar:shmlink-examples.jar org.shmlink.examples.ChannelConsumer [name]
//          default name: "shmlink-channel-demo"
//   exit codes: 0 after the channel closed (everything received), 1 on errors, 2 on bad usage,
//               3 if no message came for 30 s, 130 on Ctrl-C
//
// Protocol (examples/c/channel_producer.c): producer and consumer each open-or-create channel N
// (64 KiB, messages up to 4096 bytes: UTF-8 text, no NUL), so either may start first; no ready
// signal, no retry. The producer sends its messages and closes; receiving then gives CLOSED once the queue is
// empty, which is how the consumer knows it has everything.
package org.shmlink.examples;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.shmlink.Channel;
import org.shmlink.ChannelRole;
import org.shmlink.ShmLinkException;
import org.shmlink.Status;

/** The Java consumer for the C channel producer example. */
public final class ChannelConsumer {
  private static final Duration QUIET_LIMIT = Duration.ofSeconds(30);

  private ChannelConsumer() {}

  /** Prints the producer's messages until the channel closes.
   * @param args the channel's name, optionally */
  public static void main(String[] args) {
    Thread main = Thread.currentThread();
    Thread onCtrlC = new Thread(() -> {
      main.interrupt();
      try {
        main.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    Runtime.getRuntime().addShutdownHook(onCtrlC);
    int code = run(args);
    Runtime.getRuntime().removeShutdownHook(onCtrlC);
    System.exit(code);
  }

  static int run(String[] args) {
    if (args.length > 1) {
      System.err.println("usage: ChannelConsumer [name]");
      return 2;
    }
    String name = args.length > 0 ? args[0] : "shmlink-channel-demo";
    try (Channel channel = Channel.openOrCreate(name, 64 * 1024, 4096, ChannelRole.RECEIVER)) {
      while (true) {
        byte[] message;
        try {
          message = channel.receive(QUIET_LIMIT); // exactly the message's length
        } catch (ShmLinkException error) {
          if (error.status() == Status.CLOSED) return 0; // the producer is gone and we have everything
          throw error;
        }
        if (message == null) {
          System.err.println("channel_consumer: no message for " + QUIET_LIMIT.toSeconds() + " s");
          return 3;
        }
        System.out.println("received " + new String(message, StandardCharsets.UTF_8));
      }
    } catch (InterruptedException e) {
      System.err.println("channel_consumer: interrupted");
      return 130;
    } catch (ShmLinkException error) {
      System.err.println("channel_consumer: " + error.getMessage());
      return 1;
    }
  }
}
