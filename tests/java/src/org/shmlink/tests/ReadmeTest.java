package org.shmlink.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.shmlink.Channel;
import org.shmlink.ChannelRole;
import org.shmlink.ResetMode;
import org.shmlink.Segment;
import org.shmlink.Signal;
import org.shmlink.View;

/**
 * bindings/java/README.md's Java snippets are the ones below, between "README begin" and
 * "README end" (a README block split at its "// elsewhere" lines, in order), so they compile;
 * the tests run them, the two sides of a snippet on two threads, and check what they print.
 * They use the README's own names ("jobs", ...).
 */
class ReadmeTest {
  private static final String BEGIN = "// README begin";
  private static final String END = "// README end";
  private static final String ELSEWHERE = "// elsewhere";

  static void segmentWriter() throws Exception {
    // README begin
    // Either side may start first: both open or create. An object lives while a handle holds it.
    try (Segment segment = Segment.openOrCreate("jobs", 4096); View view = segment.map();
         Signal ready = Signal.openOrCreate("jobs.ready", ResetMode.AUTO_RESET, false)) {
      view.buffer().putInt(0, 42);   // a direct ByteBuffer over the shared bytes: no copy
      ready.set();
    }
    // README end
  }

  static void segmentReader() throws Exception {
    // README begin
    try (Segment segment = Segment.openOrCreate("jobs", 4096); View view = segment.map();
         Signal ready = Signal.openOrCreate("jobs.ready", ResetMode.AUTO_RESET, false)) {
      if (ready.await(Duration.ofSeconds(5))) System.out.println(view.buffer().getInt(0));
    }
    // README end
  }

  static void channelSender() throws Exception {
    // README begin
    // Either side may start first: both open or create the channel, with the same sizes.
    try (Channel out = Channel.openOrCreate("jobs", 64 * 1024, 4096, ChannelRole.SENDER)) {
      out.send("hello".getBytes(StandardCharsets.UTF_8));    // queued until a receiver comes; blocks while full
      // The channel (and what is queued in it) lives only while some handle holds it:
      out.awaitPeer(Duration.ofSeconds(5));                  // true once a receiver has attached
    }
    // README end
  }

  static void channelReceiver() throws Exception {
    // README begin
    try (Channel in = Channel.openOrCreate("jobs", 64 * 1024, 4096, ChannelRole.RECEIVER)) {
      byte[] message = in.receive(Duration.ofSeconds(5));    // exact length; null if the time ran out
      System.out.println(new String(message, StandardCharsets.UTF_8));
    }
    // README end
  }

  static void async() throws Exception {
    // README begin
    try (Channel channel = Channel.create("jobs.async", 64 * 1024, 4096, ChannelRole.BOTH);
         Signal stop = Signal.create("jobs.stop")) {
      CompletableFuture<byte[]> next = channel.receiveAsync(Duration.ofSeconds(5)); // no thread waits for it
      channel.sendAsync("hi".getBytes(StandardCharsets.UTF_8)).join();
      System.out.println(new String(next.join(), StandardCharsets.UTF_8));          // hi
      CompletableFuture<Void> stopped = stop.waitAsync();
      stopped.cancel(true);                  // withdrawn: a set that comes later stays for the next wait
    }
    // README end
  }

  private interface Snippet {
    void run() throws Exception;
  }

  /** Runs the snippets on threads of their own (started in order, `gap` apart) and gives what
   * they printed. */
  private static String printedBy(Duration gap, Snippet... snippets) throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
    try {
      List<CompletableFuture<Void>> running = new ArrayList<>();
      for (Snippet snippet : snippets) {
        running.add(CompletableFuture.runAsync(() -> {
          try {
            snippet.run();
          } catch (Exception e) {
            throw new RuntimeException(e);
          }
        }, runnable -> new Thread(runnable).start()));
        Thread.sleep(gap.toMillis());
      }
      for (CompletableFuture<Void> one : running) one.get(Support.TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } finally {
      System.setOut(original);
    }
    return printed.toString(StandardCharsets.UTF_8);
  }

  @Test
  void theSegmentSnippetWorksWithTheReaderFirst() throws Exception {
    // The reader creates both and waits; the writer opens them, writes and sets.
    assertEquals("42\n", printedBy(Duration.ofMillis(300), ReadmeTest::segmentReader, ReadmeTest::segmentWriter));
  }

  @Test
  void theChannelSnippetWorksInEitherOrder() throws Exception {
    assertEquals("hello\n", printedBy(Duration.ofMillis(200), ReadmeTest::channelSender, ReadmeTest::channelReceiver));
    assertEquals("hello\n", printedBy(Duration.ofMillis(200), ReadmeTest::channelReceiver, ReadmeTest::channelSender));
  }

  @Test
  void theAsyncSnippetPrintsWhatItSent() throws Exception {
    assertEquals("hi\n", printedBy(Duration.ZERO, ReadmeTest::async));
  }

  @Test
  void theReadmeHoldsExactlyTheseSnippets() throws IOException {
    String sourceDir = System.getProperty("shmlink.source.dir");
    assertNotNull(sourceDir, "the system property shmlink.source.dir is not set");
    Path root = Path.of(sourceDir);
    List<String> readme = readmeParts(Files.readString(root.resolve("bindings/java/README.md")));
    List<String> here = testParts(Files.readString(root.resolve("tests/java/src/org/shmlink/tests/ReadmeTest.java")));
    assertTrue(readme.size() >= 5, "the README's Java blocks: " + readme.size() + " parts");
    assertEquals(here, readme, "bindings/java/README.md's ```java blocks differ from ReadmeTest's snippets");
  }

  /** The ```java blocks, each split at its "// elsewhere" lines. */
  private static List<String> readmeParts(String text) {
    List<String> parts = new ArrayList<>();
    StringBuilder part = null;
    for (String line : text.split("\n", -1)) {
      if (part == null) {
        if (line.equals("```java")) part = new StringBuilder();
      } else if (line.equals("```") || line.equals(ELSEWHERE)) {
        parts.add(part.toString());
        part = line.equals("```") ? null : new StringBuilder();
      } else {
        part.append(line).append('\n');
      }
    }
    return parts;
  }

  /** The lines between the markers, without the markers' indentation. */
  private static List<String> testParts(String text) {
    List<String> parts = new ArrayList<>();
    StringBuilder part = null;
    int indent = 0;
    for (String line : text.split("\n", -1)) {
      String trimmed = line.trim();
      if (part == null) {
        if (trimmed.equals(BEGIN)) {
          part = new StringBuilder();
          indent = line.indexOf(BEGIN);
        }
      } else if (trimmed.equals(END)) {
        parts.add(part.toString());
        part = null;
      } else {
        part.append(line.length() >= indent ? line.substring(indent) : line.trim()).append('\n');
      }
    }
    return parts;
  }
}
