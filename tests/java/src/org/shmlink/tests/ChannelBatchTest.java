package org.shmlink.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.shmlink.Channel;
import org.shmlink.ChannelRole;
import org.shmlink.Status;

/** Channel.sendBatch / receiveBatch: many messages per call, each still a message of its own, with
 * direct and heap buffers. */
class ChannelBatchTest {
  private static final Duration LONG = Duration.ofSeconds(10);
  private static final int MAX = 512;

  /** A receiving and a sending handle on one new channel. */
  private static final class Pair implements AutoCloseable {
    final Channel receiver;
    final Channel sender;

    Pair(long capacity) {
      String name = Support.unique("batch");
      receiver = Channel.create(name, capacity, MAX, ChannelRole.RECEIVER);
      sender = Channel.open(name, ChannelRole.SENDER);
    }

    @Override
    public void close() {
      sender.close();
      receiver.close();
    }
  }

  private static ByteBuffer packed(boolean direct, String... texts) {
    int total = 0;
    for (String text : texts) total += text.length();
    ByteBuffer buffer = direct ? ByteBuffer.allocateDirect(total) : ByteBuffer.allocate(total);
    for (String text : texts) buffer.put(text.getBytes(StandardCharsets.US_ASCII));
    return buffer.flip();
  }

  private static int[] lengthsOf(String... texts) {
    int[] lengths = new int[texts.length];
    for (int i = 0; i < texts.length; i++) lengths[i] = texts[i].length();
    return lengths;
  }

  private static List<String> unpacked(ByteBuffer buffer, int start, int[] lengths, int count) {
    List<String> texts = new ArrayList<>();
    int at = start;
    for (int i = 0; i < count; i++) {
      byte[] bytes = new byte[lengths[i]];
      buffer.get(at, bytes);
      texts.add(new String(bytes, StandardCharsets.US_ASCII));
      at += lengths[i];
    }
    return texts;
  }

  @Test
  void aBatchIsSentAndReceivedWholeAndInOrderWithDirectAndHeapBuffers() throws Exception {
    for (boolean direct : new boolean[] {true, false}) {
      try (Pair pair = new Pair(4096)) {
        String[] texts = {"first", "", "third", "x"};
        ByteBuffer out = packed(direct, texts);
        assertEquals(4, pair.sender.sendBatch(out, lengthsOf(texts), LONG));
        assertEquals(out.limit(), out.position(), "the position moved past the messages sent");
        ByteBuffer in = direct ? ByteBuffer.allocateDirect(400) : ByteBuffer.allocate(400);
        in.position(7); // messages go from the position
        int[] lengths = new int[8];
        int count = pair.receiver.receiveBatch(in, lengths, LONG);
        assertEquals(4, count);
        assertEquals(List.of(texts), unpacked(in, 7, lengths, count));
        assertEquals(7 + 11, in.position());
        assertEquals(0, pair.receiver.receiveBatch(in, lengths, Duration.ZERO), "nothing more is queued");
      }
    }
  }

  @Test
  void aMessageLongerThanItsShareEndsTheBatchAndThenComesAlone() throws Exception {
    try (Pair pair = new Pair(4096)) {
      String longer = "L".repeat(40);
      String[] texts = {"short", longer, "after"};
      assertEquals(3, pair.sender.sendBatch(packed(true, texts), lengthsOf(texts)));
      int[] lengths = new int[4];
      ByteBuffer in = ByteBuffer.allocate(64); // 4 lengths: a share is 16 bytes
      assertEquals(1, pair.receiver.receiveBatch(in, lengths, LONG));
      assertEquals(List.of("short"), unpacked(in, 0, lengths, 1));
      in.clear();
      assertEquals(1, pair.receiver.receiveBatch(in, lengths, LONG));
      assertEquals(List.of(longer), unpacked(in, 0, lengths, 1));
      in.clear();
      assertEquals(1, pair.receiver.receiveBatch(in, lengths, LONG));
      assertEquals(List.of("after"), unpacked(in, 0, lengths, 1));
    }
  }

  @Test
  void aMessageLongerThanTheBufferIsRefusedAndStaysQueued() throws Exception {
    try (Pair pair = new Pair(4096)) {
      pair.sender.send(new byte[100]);
      ByteBuffer small = ByteBuffer.allocateDirect(50);
      assertEquals(Status.BUFFER_TOO_SMALL,
          Support.fails(() -> pair.receiver.receiveBatch(small, new int[3], LONG)).status());
      assertEquals(0, small.position());
      int[] lengths = new int[3];
      assertEquals(1, pair.receiver.receiveBatch(ByteBuffer.allocate(100), lengths, LONG));
      assertEquals(100, lengths[0]);
    }
  }

  @Test
  void manyMoreMessagesThanTheRingHoldsGoThroughInSeveralCalls() throws Exception {
    final int total = 2000;
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try (Pair pair = new Pair(4096)) {
      String[] texts = new String[total];
      for (int i = 0; i < total; i++) texts[i] = String.format("message %04d", i);
      Future<List<String>> received = pool.submit(() -> {
        List<String> got = new ArrayList<>();
        ByteBuffer in = ByteBuffer.allocateDirect(32 * 64);
        int[] lengths = new int[64];
        while (got.size() < total) {
          in.clear();
          int count = pair.receiver.receiveBatch(in, lengths, LONG);
          got.addAll(unpacked(in, 0, lengths, count));
        }
        return got;
      });
      ByteBuffer out = packed(false, texts);
      int[] lengths = lengthsOf(texts);
      int sent = 0;
      while (sent < total) {
        int[] rest = java.util.Arrays.copyOfRange(lengths, sent, total);
        int now = pair.sender.sendBatch(out, rest, LONG);
        assertTrue(now >= 1 && now <= Math.min(Channel.MAX_BATCH, total - sent), "sent " + now);
        sent += now;
      }
      assertEquals(List.of(texts), received.get(10, TimeUnit.SECONDS));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void badInputIsRefusedAndSendsNothing() throws Exception {
    try (Pair pair = new Pair(4096)) {
      ByteBuffer bytes = ByteBuffer.allocateDirect(10);
      assertThrows(IllegalArgumentException.class, () -> pair.sender.sendBatch(bytes, new int[0]));
      assertThrows(IllegalArgumentException.class, () -> pair.sender.sendBatch(bytes, new int[] {4, -1}));
      assertThrows(IllegalArgumentException.class, () -> pair.sender.sendBatch(bytes, new int[] {6, 6}));
      assertThrows(NullPointerException.class, () -> pair.sender.sendBatch(null, new int[] {1}));
      assertThrows(IllegalArgumentException.class, () -> pair.receiver.receiveBatch(bytes, new int[0]));
      assertThrows(ReadOnlyBufferException.class,
          () -> pair.receiver.receiveBatch(bytes.asReadOnlyBuffer(), new int[1]));
      ByteBuffer tooLong = ByteBuffer.allocateDirect(MAX + 2);
      assertEquals(Status.TOO_LARGE,
          Support.fails(() -> pair.sender.sendBatch(tooLong, new int[] {1, MAX + 1}, LONG)).status());
      assertEquals(0, tooLong.position(), "nothing was sent");
      assertEquals(Status.ACCESS_DENIED,
          Support.fails(() -> pair.receiver.sendBatch(bytes, new int[] {1}, LONG)).status());
      assertEquals(Status.ACCESS_DENIED,
          Support.fails(() -> pair.sender.receiveBatch(bytes, new int[1], LONG)).status());
      assertEquals(0, pair.receiver.receiveBatch(ByteBuffer.allocate(64), new int[4], Duration.ZERO));
      pair.sender.close();
      assertThrows(IllegalStateException.class, () -> pair.sender.sendBatch(bytes, new int[] {1}));
    }
  }

  @Test
  void aFullRingTimesOutAndAWaitingBatchCanBeInterrupted() throws Exception {
    try (Pair pair = new Pair(1024)) {
      int fit = (int) (pair.sender.capacityBytes() / (MAX + 32));
      int[] moreThanFit = new int[fit + 1];
      java.util.Arrays.fill(moreThanFit, MAX);
      assertEquals(fit, pair.sender.sendBatch(ByteBuffer.allocate(MAX * (fit + 1)), moreThanFit, LONG));
      assertEquals(0, pair.sender.sendBatch(ByteBuffer.allocate(MAX), new int[] {MAX}, Duration.ofMillis(20)));
      Thread waiter = Thread.currentThread();
      Thread interrupter = new Thread(() -> {
        try {
          Thread.sleep(50);
        } catch (InterruptedException ignored) {
          return;
        }
        waiter.interrupt();
      });
      interrupter.start();
      assertThrows(InterruptedException.class,
          () -> pair.sender.sendBatch(ByteBuffer.allocateDirect(MAX), new int[] {MAX}));
      interrupter.join();
      assertEquals(fit, pair.receiver.receiveBatch(ByteBuffer.allocate(MAX * fit), new int[fit], LONG));
    }
  }
}
