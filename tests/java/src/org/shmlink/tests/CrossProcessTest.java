package org.shmlink.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.shmlink.Access;
import org.shmlink.LockResult;
import org.shmlink.Segment;
import org.shmlink.SharedMutex;
import org.shmlink.SharedSemaphore;
import org.shmlink.Signal;
import org.shmlink.Status;
import org.shmlink.View;

/** The Java side against the C++ peer helper (tests/peer). */
class CrossProcessTest {
  @Test
  void readsWhatTheCppPeerCreated() throws Exception {
    String name = Support.unique("xproc");
    try (Support.Program peer = Support.Program.of("shmlink_peer", "create", name, "4096", "from the peer")) {
      peer.expectLine("ready");
      try (Segment segment = Segment.open(name, Access.READ); View view = segment.map()) {
        assertEquals(4096, segment.size());
        byte[] text = new byte[13];
        view.buffer().get(0, text);
        assertEquals("from the peer", new String(text, StandardCharsets.US_ASCII));
      }
      peer.closeInput();
      peer.expectLine("closed");
      assertEquals(0, peer.waitForExit());
    }
    assertEquals(Status.NOT_FOUND, Support.fails(() -> Segment.open(name)).status());
  }

  @Test
  void thePeerReadsAndWritesOurSegment() throws Exception {
    String name = Support.unique("xproc");
    try (Segment segment = Segment.create(name, 4096); View view = segment.map()) {
      view.buffer().put(100, "hello".getBytes(StandardCharsets.US_ASCII));
      try (Support.Program reader = Support.Program.of("shmlink_peer", "read", name, "100", "5")) {
        reader.expectLine("data hello");
        assertEquals(0, reader.waitForExit());
      }
      try (Support.Program writer = Support.Program.of("shmlink_peer", "write", name, "200", "peer-text")) {
        writer.expectLine("done");
        assertEquals(0, writer.waitForExit());
      }
      byte[] text = new byte[9];
      view.buffer().get(200, text);
      assertEquals("peer-text", new String(text, StandardCharsets.US_ASCII));
    }
  }

  @Test
  void aPeerViewKeepsTheSegmentAliveAfterWeLetGo() throws Exception {
    String name = Support.unique("xproc");
    Segment segment = Segment.create(name, 4096);
    try (View view = segment.map()) {
      view.buffer().putInt(0, 0xCAFE);
    }
    try (Support.Program holder = Support.Program.of("shmlink_peer", "hold-view", name)) {
      holder.expectLine("ready");
      segment.close();
      try (Segment again = Segment.open(name); View view = again.map()) {
        assertEquals(0xCAFE, view.buffer().getInt(0));
      }
      holder.closeInput();
      holder.expectLine("closed");
      assertEquals(0, holder.waitForExit());
    }
    assertEquals(Status.NOT_FOUND, Support.fails(() -> Segment.open(name)).status());
  }

  @Test
  void signalsCrossProcesses() throws Exception {
    String name = Support.unique("sig");
    try (Signal signal = Signal.create(name)) {
      try (Support.Program waiter = Support.Program.of("shmlink_peer", "signal-wait", name, "10000")) {
        waiter.expectLine("ready");
        signal.set();
        waiter.expectLine("wait SHMLINK_OK");
        assertEquals(0, waiter.waitForExit());
      }
      try (Support.Program setter = Support.Program.of("shmlink_peer", "signal-set", name)) {
        setter.expectLine("done");
        assertEquals(0, setter.waitForExit());
      }
      assertTrue(signal.await(Duration.ofSeconds(5)));
    }
  }

  @Test
  void semaphoresCrossProcesses() throws Exception {
    String name = Support.unique("sem");
    try (SharedSemaphore semaphore = SharedSemaphore.create(name, 0, 5)) {
      try (Support.Program releaser = Support.Program.of("shmlink_peer", "semaphore-release", name, "2")) {
        releaser.expectLine("done 0");
        assertEquals(0, releaser.waitForExit());
      }
      assertTrue(semaphore.tryAcquire(Duration.ofSeconds(1)));
      assertTrue(semaphore.tryAcquire(Duration.ofSeconds(1)));
      try (Support.Program waiter = Support.Program.of("shmlink_peer", "semaphore-wait", name, "10000")) {
        waiter.expectLine("ready");
        semaphore.release();
        waiter.expectLine("wait SHMLINK_OK");
        assertEquals(0, waiter.waitForExit());
      }
    }
  }

  @Test
  void aPeerThatDiesHoldingTheMutexAbandonsIt() throws Exception {
    String name = Support.unique("mutex");
    try (SharedMutex mutex = SharedMutex.create(name)) {
      try (Support.Program holder = Support.Program.of("shmlink_peer", "mutex-hold", name)) {
        holder.expectLine("locked SHMLINK_OK");
        assertEquals(LockResult.TIMED_OUT, mutex.lock(Duration.ofMillis(20)));
        holder.kill();
      }
      assertEquals(LockResult.ABANDONED, mutex.lock(Duration.ofSeconds(10)));
      mutex.unlock();
      try (Support.Program holder = Support.Program.of("shmlink_peer", "mutex-hold", name)) {
        holder.expectLine("locked SHMLINK_OK");
        holder.closeInput();
        holder.expectLine("closed");
        assertEquals(0, holder.waitForExit());
      }
      assertEquals(LockResult.ACQUIRED, mutex.lock(Duration.ofSeconds(10)));
      mutex.unlock();
    }
  }
}
