// ChatClient - prints the lines the chat server (examples/c/chat_server.c) hands over, until
// "quit" or until the server is gone (it ended or crashed without saying "quit"). Ctrl-C ends
// the wait at once: it interrupts the main thread, which wakes the blocked shmlink wait.
//
//   usage: java -cp shmlink.jar:shmlink-examples.jar org.shmlink.examples.ChatClient [name]
//          default name: "shmlink-chat"
//   exit codes: 0 after "quit", 3 if the server vanished, 1 on errors, 130 on Ctrl-C
//
// Protocol (examples/c/chat_protocol.h), objects named after the chat's name N:
//   segment N        one slot: a uint32 length, then that many bytes of text
//   signal  N.ready  auto-reset: the server put a message in the slot
//   signal  N.taken  auto-reset: the client has read the slot, it is free again
//   mutex   N.alive  owned by the server while it lives: acquiring it means the server is gone
package org.shmlink.examples;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.shmlink.Access;
import org.shmlink.Segment;
import org.shmlink.SharedMutex;
import org.shmlink.ShmLink;
import org.shmlink.ShmLinkException;
import org.shmlink.Signal;
import org.shmlink.View;
import org.shmlink.WaitAnyResult;

/** The Java client for the C chat server example. */
public final class ChatClient {
  private static final int MAX_TEXT = 4096 - 4;

  private ChatClient() {}

  /** Prints the server's lines until "quit".
   * @param args the chat's name, optionally */
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
      System.err.println("usage: ChatClient [name]");
      return 2;
    }
    String name = args.length > 0 ? args[0] : "shmlink-chat";
    try (SharedMutex alive = SharedMutex.open(name + ".alive");
         Segment segment = Segment.open(name, Access.READ);
         View slot = segment.map();
         Signal ready = Signal.open(name + ".ready");
         Signal taken = Signal.open(name + ".taken")) {
      ByteBuffer bytes = slot.buffer();
      while (true) {
        WaitAnyResult result = ShmLink.waitAny(ready, alive);
        if (result.index() == 1) {
          System.out.println("chat_client: the server is gone" + (result.abandoned() ? " (it died)" : ""));
          alive.unlock();
          return 3;
        }
        long length = Integer.toUnsignedLong(bytes.getInt(0));
        if (length > MAX_TEXT || length > bytes.capacity() - 4) {
          System.err.println("chat_client: the server wrote a length of " + length + "; at most " + MAX_TEXT + " fit");
          return 1;
        }
        byte[] text = new byte[(int) length];
        bytes.get(4, text);
        String line = new String(text, StandardCharsets.UTF_8);
        taken.set();
        if (line.equals("quit")) break;
        System.out.println("chat_client: " + line);
      }
      System.out.println("chat_client: the server said quit");
      return 0;
    } catch (InterruptedException e) {
      System.err.println("chat_client: interrupted");
      return 130;
    } catch (ShmLinkException error) {
      System.err.println("chat_client: " + error.getMessage());
      return 1;
    }
  }
}
