// The Java half of the cross-language test, and its driver (run by ctest, see
// tests/crosslang/CMakeLists.txt): a Java program and a C# program share one channel and one
// segment.
//
//   usage: java -cp shmlink.jar:shmlink-crosslang.jar org.shmlink.crosslang.CrossLangTest
//              COUNT CSHARP_COMMAND...
//
// Java creates segment NAME.segment (a question at offset 0), channel NAME.channel (as its
// receiver) and signal NAME.attached (set by C# once it is attached as the sender), then starts the C# program (tests/crosslang/csharp/Program.cs) with NAME and
// COUNT. The C# program answers in the segment and sends COUNT messages over the channel; Java
// receives them with each of its receive calls in turn, checks every one, sees CLOSED once the
// C# sender is gone, then checks the answer in the segment and the C# program's exit code.
// Prints "crosslang: ok" and exits 0, or prints what went wrong and exits 1.
package org.shmlink.crosslang;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.shmlink.Channel;
import org.shmlink.ChannelRole;
import org.shmlink.Segment;
import org.shmlink.ShmLinkException;
import org.shmlink.Signal;
import org.shmlink.Status;
import org.shmlink.View;

/** The Java half of the C#/Java test. */
public final class CrossLangTest {
  private static final Duration LIMIT = Duration.ofSeconds(60);
  private static final int QUESTION = 20_250_614;

  private CrossLangTest() {}

  /** Runs the test.
   * @param args COUNT, then the command that starts the C# program
   * @throws Exception on an unexpected failure (exit code 1) */
  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: CrossLangTest COUNT CSHARP_COMMAND...");
      System.exit(2);
    }
    int count = Integer.parseInt(args[0]);
    String name = "shmlink-crosslang-test." + ProcessHandle.current().pid();
    String failure = run(name, count, Arrays.asList(args).subList(1, args.length));
    if (failure != null) {
      System.out.println("crosslang: FAILED: " + failure);
      System.exit(1);
    }
    System.out.println("crosslang: ok (" + count + " messages from C# to Java, and the segment both ways)");
  }

  private static String run(String name, int count, List<String> csharp) throws IOException, InterruptedException {
    try (Segment segment = Segment.create(name + ".segment", 4096); View view = segment.map();
         Channel channel = Channel.create(name + ".channel", 64 * 1024, 256, ChannelRole.RECEIVER);
         Signal attached = Signal.create(name + ".attached")) {
      ByteBuffer shared = view.buffer(); // native byte order, like the C# side's Read<int>
      shared.putInt(0, QUESTION);

      List<String> command = new ArrayList<>(csharp);
      command.add(name);
      command.add(Integer.toString(count));
      Process program = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      try {
        // Until the C# sender is attached, receiving would give CLOSED (no sender).
        if (!attached.await(LIMIT)) return "the C# program did not attach to the channel within " + LIMIT;
        ByteBuffer direct = ByteBuffer.allocateDirect(256);
        ByteBuffer heap = ByteBuffer.allocate(256);
        for (int sequence = 0; sequence < count; sequence++) {
          ByteBuffer message;
          boolean peeked = false;
          switch (sequence % 4) {
            case 0 -> {
              byte[] bytes = channel.receive(LIMIT);
              if (bytes == null) return "no message " + sequence + " within " + LIMIT;
              message = ByteBuffer.wrap(bytes);
            }
            case 1 -> {
              direct.clear();
              if (channel.receive(direct, LIMIT) < 0) return "no message " + sequence + " within " + LIMIT;
              message = direct.flip();
            }
            case 2 -> {
              heap.clear();
              if (channel.receive(heap, LIMIT) < 0) return "no message " + sequence + " within " + LIMIT;
              message = heap.flip();
            }
            default -> {
              message = channel.peek(LIMIT);
              if (message == null) return "no message " + sequence + " within " + LIMIT;
              peeked = true;
            }
          }
          String problem = check(message.order(ByteOrder.LITTLE_ENDIAN), sequence);
          if (peeked) channel.consume();
          if (problem != null) return problem;
        }
        try {
          byte[] extra = channel.receive(LIMIT);
          return extra == null ? "the channel did not close after the C# program left" : "a message too many";
        } catch (ShmLinkException e) {
          if (e.status() != Status.CLOSED) throw e;
        }
        if (!program.waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS)) return "the C# program did not end";
        String said = new String(program.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (program.exitValue() != 0) return "the C# program exited with " + program.exitValue() + ": " + said;
        if (!said.equals("csharp: sent " + count)) return "the C# program said \"" + said + "\"";
      } finally {
        program.destroyForcibly();
      }

      int answer = shared.getInt(4);
      if (answer != QUESTION * 2 + 1) return "the answer in the segment is " + answer + ", not " + (QUESTION * 2 + 1);
      int length = shared.getInt(8);
      if (length < 0 || length > 4096 - 12) return "the text length in the segment is " + length;
      byte[] text = new byte[length];
      shared.get(12, text);
      String said = new String(text, StandardCharsets.UTF_8);
      if (!said.equals("answered from C#")) return "the segment says \"" + said + "\"";
      return null;
    }
  }

  private static String check(ByteBuffer message, int sequence) {
    if (message.remaining() < 8) return "message " + sequence + " has " + message.remaining() + " bytes";
    int at = message.position();
    int got = message.getInt(at);
    int question = message.getInt(at + 4);
    byte[] text = new byte[message.remaining() - 8];
    message.get(at + 8, text);
    String expected = "message " + sequence + " from C#";
    String said = new String(text, StandardCharsets.UTF_8);
    if (got != sequence || question != QUESTION || !said.equals(expected)) {
      return "message " + sequence + " is (" + got + ", " + question + ", \"" + said + "\")";
    }
    return null;
  }
}
