package org.shmlink.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.shmlink.Channel;
import org.shmlink.ChannelRole;
import org.shmlink.ShmLink;
import org.shmlink.ShmLinkError;
import org.shmlink.Signal;
import org.shmlink.Status;
import org.shmlink.WaitAnyResult;

/** Channels: every public member of Channel and ChannelRole, statuses as exceptions, the close
 * rules, interrupts, and the C++ peer helper (tests/peer/channel_peer.cpp) on the other side. */
class ChannelTest {
  private static final Duration LONG = Duration.ofSeconds(10);

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.US_ASCII);
  }

  private static Status statusOf(Executable call) {
    return Support.fails(call).status();
  }

  // ---- Creating and opening -------------------------------------------------------------------

  @Test
  void createOpenAndOpenOrCreate() {
    String name = Support.unique("ch");
    try (Channel created = Channel.create(name, 4096, 256, ChannelRole.SENDER)) {
      assertTrue(created.wasCreated());
      assertEquals(name, created.name());
      assertEquals(ChannelRole.SENDER, created.role());
      try (Channel opened = Channel.open(name, ChannelRole.RECEIVER);
           Channel again = Channel.openOrCreate(name, 1 << 20, 1024, ChannelRole.BOTH)) {
        assertFalse(opened.wasCreated());
        assertEquals(ChannelRole.RECEIVER, opened.role());
        assertFalse(again.wasCreated());
        assertEquals(ChannelRole.BOTH, again.role());
        for (Channel channel : new Channel[] {created, opened, again}) { // the creator's sizes, whoever asks
          assertEquals(256, channel.maxMessageBytes());
          long capacity = channel.capacityBytes();
          assertTrue(capacity >= 4096 && capacity <= 8192, "capacity " + capacity);
          assertEquals(0, capacity % 32);
        }
        assertEquals(Status.ALREADY_EXISTS, statusOf(() -> Channel.create(name, 4096, 256, ChannelRole.SENDER)));
      }
    }
    String other = Support.unique("ch");
    Channel closed;
    try (Channel made = Channel.openOrCreate(other, 4096, 256, ChannelRole.RECEIVER)) {
      assertTrue(made.wasCreated());
      closed = made;
    }
    assertThrows(IllegalStateException.class, closed::maxMessageBytes);
    assertThrows(IllegalStateException.class, closed::capacityBytes);
    try (Channel shared = Channel.create(Support.unique("ch"), 4096, 256, ChannelRole.BOTH, org.shmlink.Sharing.GROUP)) {
      assertTrue(shared.wasCreated());
    }
  }

  @Test
  void badArgumentsAndNames() {
    String name = Support.unique("ch");
    assertEquals(Status.NOT_FOUND, statusOf(() -> Channel.open(name, ChannelRole.RECEIVER)));
    assertEquals(Status.INVALID_ARGUMENT, statusOf(() -> Channel.create(name, 4096, 0, ChannelRole.SENDER)));
    assertEquals(Status.INVALID_ARGUMENT, statusOf(() -> Channel.create(name, 100, 100, ChannelRole.SENDER)));
    assertEquals(Status.INVALID_NAME, statusOf(() -> Channel.create("a/b", 4096, 64, ChannelRole.SENDER)));
    assertThrows(IllegalArgumentException.class, () -> Channel.create(name, -1, 64, ChannelRole.SENDER));
    assertThrows(IllegalArgumentException.class, () -> Channel.create(name, 4096, -1, ChannelRole.SENDER));
    assertThrows(NullPointerException.class, () -> Channel.create(name, 4096, 64, null));
    assertThrows(NullPointerException.class, () -> Channel.create(null, 4096, 64, ChannelRole.SENDER));
    assertThrows(NullPointerException.class, () -> Channel.open(name, null));
    try (Signal signal = Signal.create(name)) {
      assertEquals(Status.WRONG_KIND, statusOf(() -> Channel.open(name, ChannelRole.SENDER)));
      assertEquals(Status.WRONG_KIND, statusOf(() -> Channel.openOrCreate(name, 4096, 64, ChannelRole.SENDER)));
    }
  }

  @Test
  void rolesSayWhatTheyAllow() {
    assertTrue(ChannelRole.SENDER.canSend());
    assertFalse(ChannelRole.SENDER.canReceive());
    assertFalse(ChannelRole.RECEIVER.canSend());
    assertTrue(ChannelRole.RECEIVER.canReceive());
    assertTrue(ChannelRole.BOTH.canSend());
    assertTrue(ChannelRole.BOTH.canReceive());
  }

  // ---- Copying send and receive ---------------------------------------------------------------

  @Test
  void byteArraysAndZeroLengthMessages() throws Exception {
    try (Channel channel = Channel.create(Support.unique("ch"), 4096, 256, ChannelRole.BOTH)) {
      channel.send(ascii("first"));
      assertTrue(channel.send(new byte[0], Duration.ZERO));
      channel.send(new byte[256]);
      assertEquals("first", text(channel.receive()));
      assertArrayEquals(new byte[0], channel.receive(Duration.ZERO));
      assertEquals(256, channel.receive(LONG).length);
      assertNull(channel.receive(Duration.ZERO));
      assertThrows(NullPointerException.class, () -> channel.send((byte[]) null));
      assertThrows(NullPointerException.class, () -> channel.send((ByteBuffer) null));
      assertThrows(NullPointerException.class, () -> channel.receive((ByteBuffer) null));
    }
  }

  @Test
  void buffersSendFromPositionToLimitAndReceiveAtPosition() throws Exception {
    try (Channel channel = Channel.create(Support.unique("ch"), 8192, 512, ChannelRole.BOTH)) {
      // Direct and heap (with an array offset), and a read-only heap buffer (no array).
      ByteBuffer direct = ByteBuffer.allocateDirect(64);
      direct.put(ascii("xxdirectyy")).flip().position(2).limit(8);
      channel.send(direct);
      assertEquals(8, direct.position());
      ByteBuffer heap = ByteBuffer.wrap(ascii("__heap-slice__")).position(2).slice().limit(10);
      assertTrue(channel.send(heap, LONG));
      assertEquals(10, heap.position());
      ByteBuffer readOnly = ByteBuffer.wrap(ascii("read-only")).asReadOnlyBuffer();
      channel.send(readOnly);
      assertFalse(readOnly.hasRemaining());
      ByteBuffer readOnlyDirect = ByteBuffer.allocateDirect(4).putInt(0, 0x01020304).asReadOnlyBuffer();
      channel.send(readOnlyDirect);

      ByteBuffer into = ByteBuffer.allocateDirect(100);
      into.position(5);
      assertEquals(6, channel.receive(into));
      assertEquals(11, into.position());
      byte[] got = new byte[6];
      into.get(5, got);
      assertEquals("direct", text(got));

      byte[] backing = new byte[40];
      ByteBuffer heapInto = ByteBuffer.wrap(backing, 3, 30).slice(); // array offset 3
      heapInto.position(4);
      assertEquals(10, channel.receive(heapInto, LONG));
      assertEquals(14, heapInto.position());
      assertEquals("heap-slice", new String(backing, 7, 10, StandardCharsets.US_ASCII));

      assertEquals("read-only", text(channel.receive()));
      ByteBuffer four = ByteBuffer.allocate(4);
      assertEquals(4, channel.receive(four));
      assertEquals(0x01020304, four.getInt(0));

      assertEquals(-1, channel.receive(ByteBuffer.allocate(8), Duration.ZERO));
      assertThrows(ReadOnlyBufferException.class, () -> channel.receive(ByteBuffer.allocate(8).asReadOnlyBuffer()));
    }
  }

  @Test
  void aLongSeriesArrivesInOrderAcrossThreads() throws Exception {
    final int count = 20_000;
    try (Channel sender = Channel.create(Support.unique("ch"), 4096, 64, ChannelRole.SENDER)) {
      try (Channel receiver = Channel.open(sender.name(), ChannelRole.RECEIVER)) {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread producer = new Thread(() -> {
          try {
            ByteBuffer direct = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
            for (int i = 0; i < count; i++) {
              if (i % 2 == 0) {
                direct.clear();
                direct.putInt(i).flip();
                sender.send(direct);
              } else {
                sender.send(ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, i));
              }
            }
          } catch (Throwable e) {
            failure.set(e);
          }
        });
        producer.start();
        ByteBuffer into = ByteBuffer.allocateDirect(64).order(ByteOrder.nativeOrder());
        for (int i = 0; i < count; i++) {
          if (i % 3 == 0) {
            assertEquals(i, ByteBuffer.wrap(receiver.receive()).order(ByteOrder.nativeOrder()).getInt());
          } else if (i % 3 == 1) {
            into.clear();
            assertEquals(4, receiver.receive(into));
            assertEquals(i, into.getInt(0));
          } else {
            ByteBuffer message = receiver.peek();
            assertEquals(i, message.getInt(0));
            receiver.consume();
          }
        }
        producer.join(20_000);
        assertNull(failure.get());
      }
    }
  }

  // ---- Zero copy ------------------------------------------------------------------------------

  @Test
  void cancelGivesTheReservationUpAndTheChannelGoesOn() throws Exception {
    try (Channel channel = Channel.create(Support.unique("ch"), 1024, 100, ChannelRole.BOTH)) {
      channel.reserve(50).put(ascii("never sent"));
      channel.cancel();
      assertThrows(IllegalStateException.class, channel::cancel);
      assertThrows(IllegalStateException.class, () -> channel.commit(0));
      assertNull(channel.receive(Duration.ZERO), "nothing was sent");
      // Cancelled room is reused lap after lap once the receiver passes it (the ring holds about
      // nine of these: without the reuse, a reserve would time out within ten rounds).
      for (int round = 0; round < 200; round++) {
        assertNotNull(channel.reserve(100, Duration.ZERO), "round " + round);
        channel.cancel();
        if (round % 5 == 0) assertNull(channel.receive(Duration.ZERO), "nothing was sent");
      }
      channel.send(ascii("still flowing"));
      assertEquals("still flowing", text(channel.receive(LONG)));
    }
  }

  @Test
  void reserveCommitPeekConsume() throws Exception {
    try (Channel channel = Channel.create(Support.unique("ch"), 4096, 256, ChannelRole.BOTH)) {
      ByteBuffer room = channel.reserve(100);
      assertTrue(room.isDirect());
      assertFalse(room.isReadOnly());
      assertEquals(100, room.capacity());
      assertEquals(ByteOrder.nativeOrder(), room.order());
      room.put(ascii("zero-copy"));
      assertThrows(IllegalStateException.class, () -> channel.reserve(10), "one reservation per handle");
      assertThrows(IllegalStateException.class, () -> channel.send(new byte[1]), "a send would queue behind it");
      assertThrows(IllegalArgumentException.class, () -> channel.commit(101));
      assertThrows(IllegalArgumentException.class, () -> channel.commit(-1));
      channel.commit(9); // the reservation stayed through the refused commits
      assertThrows(IllegalStateException.class, () -> channel.commit(0));

      ByteBuffer message = channel.peek(LONG);
      assertTrue(message.isDirect());
      assertTrue(message.isReadOnly());
      assertEquals(ByteOrder.nativeOrder(), message.order());
      assertEquals(9, message.remaining());
      ByteBuffer same = channel.peek();
      assertEquals(message, same, "peeking again gives the same message");
      assertThrows(IllegalStateException.class, () -> channel.receive(Duration.ZERO));
      assertThrows(IllegalStateException.class, () -> channel.receive(ByteBuffer.allocate(10), Duration.ZERO));
      byte[] bytes = new byte[9];
      message.get(bytes);
      assertEquals("zero-copy", text(bytes));
      channel.consume();
      assertThrows(IllegalStateException.class, channel::consume);

      assertNotNull(channel.reserve(0, Duration.ZERO));
      channel.commit(0);
      assertEquals(0, channel.peek(Duration.ZERO).remaining());
      channel.consume();
      assertNull(channel.peek(Duration.ofMillis(20)));
      assertThrows(IllegalArgumentException.class, () -> channel.reserve(-1));
    }
  }

  @Test
  void aReservationHoldsBackReceiversUntilCommitted() throws Exception {
    try (Channel sender = Channel.create(Support.unique("ch"), 4096, 64, ChannelRole.SENDER);
         Channel receiver = Channel.open(sender.name(), ChannelRole.RECEIVER)) {
      ByteBuffer room = sender.reserve(8, LONG);
      room.putLong(0, 42);
      assertNull(receiver.receive(Duration.ofMillis(20)));
      sender.commit(8);
      assertEquals(42, ByteBuffer.wrap(receiver.receive(LONG)).order(ByteOrder.nativeOrder()).getLong());
    }
  }

  // ---- Timeouts and statuses ------------------------------------------------------------------

  @Test
  void timeoutsAreResultsAndWaitTheirTime() throws Exception {
    try (Channel channel = Channel.create(Support.unique("ch"), 1024, 64, ChannelRole.BOTH)) {
      long start = System.nanoTime();
      assertEquals(-1, channel.receive(ByteBuffer.allocate(64), Duration.ofMillis(50)));
      assertNull(channel.receive(Duration.ofMillis(50)));
      assertNull(channel.peek(Duration.ofMillis(50)));
      assertTrue(System.nanoTime() - start >= 150_000_000L);
      // Fill it: sends, then reserves, time out.
      int sent = 0;
      while (channel.send(new byte[64], Duration.ZERO)) sent++;
      assertTrue(sent > 0 && sent < 1024);
      start = System.nanoTime();
      assertFalse(channel.send(new byte[64], Duration.ofMillis(50)));
      assertFalse(channel.send(ByteBuffer.allocateDirect(64), Duration.ofMillis(50)));
      assertNull(channel.reserve(64, Duration.ofMillis(50)));
      assertTrue(System.nanoTime() - start >= 150_000_000L);
      ByteBuffer notSent = ByteBuffer.allocate(64);
      assertFalse(channel.send(notSent, Duration.ZERO));
      assertEquals(0, notSent.position(), "a buffer not sent is unchanged");
      assertThrows(IllegalArgumentException.class, () -> channel.receive(Duration.ofMillis(-1)));
      assertThrows(NullPointerException.class, () -> channel.receive((Duration) null));
    }
  }

  @Test
  void aBlockedSendGoesOnWhenRoomIsMade() throws Exception {
    try (Channel channel = Channel.create(Support.unique("ch"), 1024, 64, ChannelRole.BOTH)) {
      while (channel.send(new byte[64], Duration.ZERO)) {
        // fill it
      }
      Thread taker = new Thread(() -> {
        try {
          Thread.sleep(50);
          channel.receive(Duration.ZERO);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      taker.start();
      assertTrue(channel.send(ascii("late"), LONG)); // heap: through a reservation
      taker.join();
    }
  }

  @Test
  void statusesBecomeExceptions() throws Exception {
    String name = Support.unique("ch");
    try (Channel receiver = Channel.create(name, 4096, 64, ChannelRole.RECEIVER)) {
      // No sender has attached yet: empty, not closed (before 1.4 this said CLOSED).
      assertNull(receiver.receive(Duration.ZERO));
      assertNull(receiver.peek(Duration.ZERO));
      assertEquals(-1, receiver.receive(ByteBuffer.allocate(64), Duration.ZERO));
      assertEquals(Status.ACCESS_DENIED, statusOf(() -> receiver.send(new byte[1])));
      assertEquals(Status.ACCESS_DENIED, statusOf(() -> receiver.send(ByteBuffer.allocateDirect(1))));
      assertEquals(Status.ACCESS_DENIED, statusOf(() -> receiver.reserve(1)));
      try (Channel sender = Channel.open(name, ChannelRole.SENDER)) {
        assertEquals(Status.ACCESS_DENIED, statusOf(() -> sender.receive(Duration.ZERO)));
        assertEquals(Status.ACCESS_DENIED, statusOf(() -> sender.peek(Duration.ZERO)));
        assertEquals(Status.TOO_LARGE, statusOf(() -> sender.send(new byte[65])));
        assertEquals(Status.TOO_LARGE, statusOf(() -> sender.send(ByteBuffer.allocateDirect(65))));
        assertEquals(Status.TOO_LARGE, statusOf(() -> sender.reserve(65)));
        sender.send(ascii("twelve bytes"));
        ByteBuffer small = ByteBuffer.allocate(5);
        ShmLinkError tooSmall = Support.fails(() -> receiver.receive(small));
        assertEquals(Status.BUFFER_TOO_SMALL, tooSmall.status());
        assertTrue(tooSmall.nativeMessage().contains("12 bytes"), tooSmall.nativeMessage());
        assertEquals(0, small.position());
        assertEquals(Status.BUFFER_TOO_SMALL, statusOf(() -> receiver.receive(ByteBuffer.allocateDirect(11))));
        assertEquals("twelve bytes", text(receiver.receive()), "the message stayed queued");
      }
      // The sender left: CLOSED once the queue is empty, at once even without a timeout.
      assertEquals(Status.CLOSED, statusOf(() -> receiver.receive(LONG)));
      assertEquals(Status.CLOSED, statusOf(() -> receiver.receive()));
      assertEquals(Status.CLOSED, statusOf(() -> receiver.peek()));
      assertEquals(Status.CLOSED, statusOf(() -> receiver.receive(ByteBuffer.allocate(64))));
    }
    String other = Support.unique("ch");
    try (Channel sender = Channel.create(other, 4096, 64, ChannelRole.SENDER)) {
      sender.send(new byte[1]); // no receiver has attached yet: queued for one
      Channel.open(other, ChannelRole.RECEIVER).close(); // a receiver came and went
      assertEquals(Status.CLOSED, statusOf(() -> sender.send(new byte[1])));
      assertEquals(Status.CLOSED, statusOf(() -> sender.send(ByteBuffer.allocateDirect(1), LONG)));
      assertEquals(Status.CLOSED, statusOf(() -> sender.reserve(1)));
    }
  }

  // ---- Waiting, interrupts, close -------------------------------------------------------------

  @Test
  void waitAnyReturnsWhenAMessageCanBeReceivedAndTakesNothing() throws Exception {
    try (Channel channel = Channel.create(Support.unique("ch"), 4096, 64, ChannelRole.BOTH);
         Signal signal = Signal.create(Support.unique("s"))) {
      assertTrue(ShmLink.waitAny(Duration.ofMillis(20), channel, signal).timedOut());
      channel.send(ascii("ready"));
      assertEquals(new WaitAnyResult(0, false), ShmLink.waitAny(LONG, channel, signal));
      assertEquals(new WaitAnyResult(0, false), ShmLink.waitAny(channel)); // still there
      assertEquals("ready", text(channel.receive(Duration.ZERO)));
      Thread later = new Thread(() -> {
        try {
          Thread.sleep(30);
          channel.send(ascii("later"));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      later.start();
      assertEquals(1, ShmLink.waitAny(LONG, signal, channel).index());
      later.join();
      assertEquals("later", text(channel.receive()));
    }
  }

  @Test
  void interruptWakesABlockedReceivePeekSendOrReserveAtOnce() throws Exception {
    try (Channel channel = Channel.create(Support.unique("ch"), 1024, 64, ChannelRole.BOTH)) {
      for (int kind = 0; kind < 6; kind++) {
        final int which = kind;
        if (which == 3) {
          while (channel.send(new byte[64], Duration.ZERO)) {
            // full from here on: the sends and the reserve block
          }
        }
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicReference<Boolean> stillInterrupted = new AtomicReference<>();
        Thread blocked = new Thread(() -> {
          try {
            switch (which) {
              case 0 -> channel.receive();
              case 1 -> channel.receive(ByteBuffer.allocate(64), LONG);
              case 2 -> channel.peek();
              case 3 -> channel.send(new byte[64]);
              case 4 -> channel.send(ByteBuffer.allocateDirect(64), LONG);
              default -> channel.reserve(64);
            }
          } catch (Throwable e) {
            thrown.set(e);
          }
          stillInterrupted.set(Thread.currentThread().isInterrupted());
        });
        blocked.start();
        Thread.sleep(50);
        assertTrue(blocked.isAlive(), "kind " + which + " did not block: " + thrown.get());
        long start = System.nanoTime();
        blocked.interrupt();
        blocked.join(10_000);
        assertFalse(blocked.isAlive());
        assertTrue(System.nanoTime() - start < 2_000_000_000L);
        assertTrue(thrown.get() instanceof InterruptedException, "kind " + which + ": " + thrown.get());
        assertEquals(Boolean.FALSE, stillInterrupted.get());
      }
    }
  }

  @Test
  void aMessageThereWinsOverAPendingInterrupt() throws Exception {
    try (Channel channel = Channel.create(Support.unique("ch"), 1024, 64, ChannelRole.BOTH)) {
      channel.send(ascii("here"));
      Thread.currentThread().interrupt();
      try {
        assertEquals("here", text(channel.receive()));
        assertTrue(Thread.currentThread().isInterrupted(), "the interrupt stays pending");
        assertThrows(InterruptedException.class, () -> channel.receive(LONG));
        assertFalse(Thread.currentThread().isInterrupted());
      } finally {
        Thread.interrupted();
      }
    }
  }

  @Test
  void closeRules() throws Exception {
    Channel channel = Channel.create(Support.unique("ch"), 4096, 64, ChannelRole.BOTH);
    String name = channel.name();
    assertFalse(channel.isClosed());
    assertTrue(channel.toString().contains(name));
    channel.close();
    channel.close(); // harmless
    assertTrue(channel.isClosed());
    assertTrue(channel.toString().contains("closed"));
    assertEquals(ChannelRole.BOTH, channel.role());
    List<Executable> calls = new ArrayList<>();
    calls.add(() -> channel.send(new byte[1]));
    calls.add(() -> channel.send(new byte[1], Duration.ZERO));
    calls.add(() -> channel.send(ByteBuffer.allocateDirect(1)));
    calls.add(() -> channel.send(ByteBuffer.allocate(1), Duration.ZERO));
    calls.add(() -> channel.receive());
    calls.add(() -> channel.receive(Duration.ZERO));
    calls.add(() -> channel.receive(ByteBuffer.allocate(1)));
    calls.add(() -> channel.receive(ByteBuffer.allocate(1), Duration.ZERO));
    calls.add(() -> channel.reserve(1));
    calls.add(() -> channel.reserve(1, Duration.ZERO));
    calls.add(() -> channel.commit(0));
    calls.add(() -> channel.peek());
    calls.add(() -> channel.peek(Duration.ZERO));
    calls.add(channel::consume);
    calls.add(() -> ShmLink.waitAny(Duration.ZERO, channel));
    for (Executable call : calls) assertThrows(IllegalStateException.class, call);
    // The name is free again.
    try (Channel again = Channel.create(name, 4096, 64, ChannelRole.BOTH)) {
      assertTrue(again.wasCreated());
    }
  }

  @Test
  void closingWithAReservationOrPeekGivesThemBack() throws Exception {
    try (Channel receiver = Channel.create(Support.unique("ch"), 4096, 64, ChannelRole.RECEIVER)) {
      try (Channel keep = Channel.open(receiver.name(), ChannelRole.SENDER)) {
        try (Channel sender = Channel.open(receiver.name(), ChannelRole.SENDER)) {
          sender.reserve(8).putLong(0, 1);
        } // dropped, never delivered
        keep.send(ascii("after"));
        try (Channel peeker = Channel.open(receiver.name(), ChannelRole.RECEIVER)) {
          keep.send(ascii("taken by the peeker"));
          assertEquals("after", text(receiver.receive(LONG)));
          assertNotNull(peeker.peek(LONG));
        } // consumed on close
        keep.send(ascii("last"));
        assertEquals("last", text(receiver.receive(LONG)));
      }
    }
  }

  // ---- Against the C++ peer -------------------------------------------------------------------

  @Test
  void receivesWhatTheCppPeerSends() throws Exception {
    String name = Support.unique("ch");
    try (Channel channel = Channel.create(name, 4096, 1024, ChannelRole.RECEIVER)) {
      try (Support.Program peer = Support.Program.of("shmlink_peer", "channel-send-once", name, "from C++", "10000")) {
        peer.expectLine("ready");
        assertEquals("from C++", text(channel.receive(LONG)));
        peer.expectLine("send SHMLINK_OK");
        assertEquals(0, peer.waitForExit());
      }
      assertEquals(Status.CLOSED, statusOf(() -> channel.receive(LONG)), "the peer sender is gone");
    }
  }

  @Test
  void theCppPeerReceivesWhatWeSend() throws Exception {
    String name = Support.unique("ch");
    try (Channel channel = Channel.create(name, 4096, 1024, ChannelRole.SENDER)) {
      try (Support.Program peer = Support.Program.of("shmlink_peer", "channel-receive-once", name, "10000")) {
        peer.expectLine("ready");
        channel.send(ascii("from Java"));
        peer.expectLine("receive SHMLINK_OK from Java");
        assertEquals(0, peer.waitForExit());
      }
      try (Support.Program peer = Support.Program.of("shmlink_peer", "channel-receive-once", name, "10000")) {
        peer.expectLine("ready");
        ByteBuffer room = channel.reserve(64, LONG);
        room.put(ascii("zero-copy from Java"));
        channel.commit(room.position());
        peer.expectLine("receive SHMLINK_OK zero-copy from Java");
        assertEquals(0, peer.waitForExit());
      }
      assertEquals(Status.CLOSED, statusOf(() -> channel.send(new byte[1], LONG)), "the peer receiver is gone");
    }
  }

  @Test
  void aPeerThatDiesIsGoneAndABlockedReceiveNoticesIt() throws Exception {
    String name = Support.unique("ch");
    try (Channel channel = Channel.create(name, 4096, 64, ChannelRole.RECEIVER)) {
      try (Support.Program holder = Support.Program.of("shmlink_peer", "channel-hold", name, "sender")) {
        holder.expectLine("ready");
        assertNull(channel.receive(Duration.ofMillis(20)), "a live sender: a timeout, not CLOSED");
        Thread killer = new Thread(() -> {
          try {
            Thread.sleep(50);
            holder.kill();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
        killer.start();
        long start = System.nanoTime();
        assertEquals(Status.CLOSED, statusOf(() -> channel.receive(LONG)));
        assertTrue(System.nanoTime() - start < 5_000_000_000L);
        killer.join();
      }
    }
    try (Channel channel = Channel.create(Support.unique("ch"), 4096, 64, ChannelRole.SENDER)) {
      try (Support.Program holder = Support.Program.of("shmlink_peer", "channel-hold", channel.name(), "receiver")) {
        holder.expectLine("ready");
        assertTrue(channel.send(ascii("held"), LONG));
        holder.closeInput();
        holder.expectLine("closed");
        assertEquals(0, holder.waitForExit());
      }
      assertEquals(Status.CLOSED, statusOf(() -> channel.send(ascii("nobody"))));
    }
  }
}
