package org.shmlink.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.shmlink.Channel;
import org.shmlink.ChannelCondition;
import org.shmlink.ChannelRole;
import org.shmlink.ChannelWaitable;
import org.shmlink.ResetMode;
import org.shmlink.SharedMutex;
import org.shmlink.SharedSemaphore;
import org.shmlink.ShmLink;
import org.shmlink.Signal;

/** The CompletableFuture forms: waits are registrations with a few wait threads, never a thread
 * each; cancels and timeouts withdraw them and lose nothing; a close fails them. */
class AsyncTest {
  private static final long SECONDS = Support.TIMEOUT_SECONDS;

  private static <T> T get(CompletableFuture<T> future) throws Exception {
    return future.get(SECONDS, TimeUnit.SECONDS);
  }

  private static Throwable failureOf(CompletableFuture<?> future) throws Exception {
    ExecutionException error = assertThrows(ExecutionException.class, () -> future.get(SECONDS, TimeUnit.SECONDS));
    return error.getCause();
  }

  private static long waitThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("shmlink-wait-")).count();
  }

  @Test
  void aSignalWaitCompletesWhenSetAndTakesTheSet() throws Exception {
    try (Signal signal = Signal.create(Support.unique("async.signal"))) {
      CompletableFuture<Void> pending = signal.waitAsync();
      assertThrows(TimeoutException.class, () -> pending.get(100, TimeUnit.MILLISECONDS));
      signal.set();
      assertNull(get(pending));
      assertFalse(signal.await(Duration.ZERO), "the auto-reset signal was taken by the async wait");
    }
  }

  @Test
  void aSetSignalCompletesAtOnceAndTimeoutsGiveFalse() throws Exception {
    try (Signal signal = Signal.create(Support.unique("async.set"), ResetMode.AUTO_RESET, true)) {
      CompletableFuture<Boolean> now = signal.waitAsync(Duration.ofSeconds(5));
      assertTrue(now.isDone());
      assertTrue(get(now));
      long start = System.nanoTime();
      assertFalse(get(signal.waitAsync(Duration.ofMillis(150))));
      assertTrue(System.nanoTime() - start >= 150_000_000L, "timed out early");
      assertFalse(get(signal.waitAsync(Duration.ZERO)));
    }
  }

  @Test
  void aCancelledWaitTakesNothing() throws Exception {
    try (Signal signal = Signal.create(Support.unique("async.cancel"))) {
      CompletableFuture<Void> pending = signal.waitAsync();
      assertTrue(pending.cancel(true));
      assertThrows(CancellationException.class, pending::join);
      signal.set();
      // Nothing registered took it: the set is still there for the next wait.
      assertTrue(signal.await(Duration.ofSeconds(SECONDS)));
    }
  }

  @Test
  void orTimeoutWithdrawsTheWait() throws Exception {
    try (SharedSemaphore semaphore = SharedSemaphore.create(Support.unique("async.ortimeout"), 0, 10)) {
      CompletableFuture<Void> pending = semaphore.waitAsync().orTimeout(50, TimeUnit.MILLISECONDS);
      assertTrue(failureOf(pending) instanceof TimeoutException);
      semaphore.release();
      Thread.sleep(50); // a wait thread that still held the registration would take the count
      assertTrue(semaphore.tryAcquire(Duration.ZERO), "the withdrawn wait took the count");
    }
  }

  @Test
  void closingAnObjectFailsItsPendingWaits() throws Exception {
    Signal signal = Signal.create(Support.unique("async.close"));
    CompletableFuture<Void> pending = signal.waitAsync();
    signal.close();
    assertTrue(failureOf(pending) instanceof IllegalStateException);
    assertTrue(failureOf(signal.waitAsync()) instanceof IllegalStateException);
  }

  @Test
  void aMutexRefusesAsyncWaits() throws Exception {
    try (SharedMutex mutex = SharedMutex.create(Support.unique("async.mutex"))) {
      assertThrows(UnsupportedOperationException.class, mutex::waitAsync);
      assertThrows(UnsupportedOperationException.class, () -> mutex.waitAsync(Duration.ZERO));
    }
  }

  /** 1,000 pending waits on 20 semaphores: one wait thread (they share slots), all complete. */
  @Test
  void aThousandPendingWaitsAddAFewThreadsAndAllComplete() throws Exception {
    List<SharedSemaphore> semaphores = new ArrayList<>();
    try {
      for (int i = 0; i < 20; i++) semaphores.add(SharedSemaphore.create(Support.unique("async.many"), 0, 1000));
      int threadsBefore = Thread.activeCount();
      List<CompletableFuture<Void>> pending = new ArrayList<>();
      for (int i = 0; i < 1000; i++) pending.add(semaphores.get(i % 20).waitAsync());
      Thread.sleep(100);
      int added = Thread.activeCount() - threadsBefore;
      assertTrue(added <= 3, "1,000 pending waits added " + added + " threads");
      assertTrue(waitThreads() <= 3, waitThreads() + " wait threads");
      assertEquals(0, pending.stream().filter(CompletableFuture::isDone).count());
      for (SharedSemaphore semaphore : semaphores) semaphore.release(50);
      CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0])).get(SECONDS, TimeUnit.SECONDS);
      for (SharedSemaphore semaphore : semaphores) assertFalse(semaphore.tryAcquire(Duration.ZERO));
    } finally {
      for (SharedSemaphore semaphore : semaphores) semaphore.close();
    }
  }

  /** Objects beyond 63 take another wait thread each 63, no more. */
  @Test
  void distinctObjectsTakeOneThreadPerSixtyThree() throws Exception {
    List<Signal> signals = new ArrayList<>();
    try {
      List<CompletableFuture<Void>> pending = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        Signal signal = Signal.create(Support.unique("async.distinct"));
        signals.add(signal);
        pending.add(signal.waitAsync());
      }
      Thread.sleep(100);
      assertTrue(waitThreads() <= 4 + 1, waitThreads() + " wait threads for 200 objects");
      for (Signal signal : signals) signal.set();
      CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0])).get(SECONDS, TimeUnit.SECONDS);
    } finally {
      for (Signal signal : signals) signal.close();
    }
  }

  /** Releases and cancels race; every count released is either delivered to a future that
   * completed or still in the semaphore: nothing is lost, nothing made up. */
  @Test
  void setCancelRacesLoseNothing() throws Exception {
    Random random = new Random(13);
    for (int round = 0; round < 100; round++) {
      try (SharedSemaphore semaphore = SharedSemaphore.create(Support.unique("async.race"), 0, 1000)) {
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        for (int i = 0; i < 100; i++) pending.add(semaphore.waitAsync());
        int released = 30 + random.nextInt(40);
        Thread canceller = new Thread(() -> {
          for (int i = 0; i < pending.size(); i++) {
            if (i % 2 == 0) pending.get(i).cancel(true);
          }
        });
        canceller.start();
        for (int i = 0; i < released; i++) semaphore.release();
        canceller.join();
        for (CompletableFuture<Void> future : pending) {
          if (!future.isDone()) future.cancel(true);
        }
        for (CompletableFuture<Void> future : pending) { // a claimed one completes (its cancel came too late)
          future.handle((value, error) -> null).get(SECONDS, TimeUnit.SECONDS);
        }
        long delivered = pending.stream().filter(f -> f.isDone() && !f.isCancelled()).count();
        // With a short timeout: a wait thread that had not yet seen the cancels may hold a count
        // for an instant before it gives it back; a count lost would never come back.
        int left = 0;
        while (semaphore.tryAcquire(Duration.ofMillis(50))) left++;
        assertEquals(released, delivered + left, "round " + round + ": delivered " + delivered + ", left " + left);
      }
    }
  }

  @Test
  void receiveAsyncCompletesWhenAMessageComes() throws Exception {
    String name = Support.unique("async.channel");
    try (Channel in = Channel.create(name, 4096, 256, ChannelRole.RECEIVER);
         Channel out = Channel.open(name, ChannelRole.SENDER)) {
      CompletableFuture<byte[]> first = in.receiveAsync();
      CompletableFuture<byte[]> second = in.receiveAsync(Duration.ofSeconds(SECONDS));
      assertFalse(first.isDone());
      out.send("one".getBytes(StandardCharsets.UTF_8));
      out.send("two".getBytes(StandardCharsets.UTF_8));
      List<String> got = new ArrayList<>(List.of(new String(get(first), StandardCharsets.UTF_8),
          new String(get(second), StandardCharsets.UTF_8)));
      got.sort(null);
      assertEquals(List.of("one", "two"), got);
      assertNull(get(in.receiveAsync(Duration.ofMillis(50))));
    }
  }

  @Test
  void aCancelledReceiveLeavesTheMessageQueued() throws Exception {
    String name = Support.unique("async.channel.cancel");
    try (Channel in = Channel.create(name, 4096, 256, ChannelRole.RECEIVER);
         Channel out = Channel.open(name, ChannelRole.SENDER)) {
      CompletableFuture<byte[]> pending = in.receiveAsync();
      assertTrue(pending.cancel(true));
      out.send(new byte[] {7});
      Thread.sleep(50);
      assertArrayEquals(new byte[] {7}, in.receive(Duration.ZERO));
    }
  }

  @Test
  void sendAsyncWaitsForRoom() throws Exception {
    String name = Support.unique("async.channel.room");
    try (Channel both = Channel.create(name, 64, 32, ChannelRole.BOTH)) {
      byte[] message = new byte[32];
      int queued = 0;
      while (both.send(message, Duration.ZERO)) queued++; // full
      assertTrue(queued > 0);
      CompletableFuture<Boolean> pending = both.sendAsync(new byte[] {1, 2, 3}, Duration.ofSeconds(SECONDS));
      assertThrows(TimeoutException.class, () -> pending.get(100, TimeUnit.MILLISECONDS));
      for (int i = 0; i < queued; i++) assertEquals(32, both.receive(Duration.ZERO).length);
      assertTrue(get(pending));
      assertArrayEquals(new byte[] {1, 2, 3}, both.receive(Duration.ofSeconds(SECONDS)));
      while (both.send(message, Duration.ZERO)) continue;
      assertFalse(get(both.sendAsync(new byte[1], Duration.ofMillis(50))));
    }
  }

  @Test
  void closingAChannelFailsItsPendingCalls() throws Exception {
    Channel in = Channel.create(Support.unique("async.channel.close"), 4096, 256, ChannelRole.RECEIVER);
    CompletableFuture<byte[]> pending = in.receiveAsync();
    in.close();
    assertTrue(failureOf(pending) instanceof IllegalStateException);
  }

  @Test
  void presenceWaits() throws Exception {
    String name = Support.unique("async.presence");
    try (Channel out = Channel.create(name, 4096, 256, ChannelRole.SENDER)) {
      assertFalse(out.awaitPeer(Duration.ZERO), "no receiver yet");
      CompletableFuture<Boolean> peer = out.peerAsync(Duration.ofSeconds(SECONDS));
      CompletableFuture<Boolean> gone = out.peersGoneAsync(Duration.ofSeconds(SECONDS));
      assertFalse(out.awaitPeersGone(Duration.ZERO), "no receiver had attached: none is gone");
      Channel in = Channel.open(name, ChannelRole.RECEIVER);
      assertTrue(get(peer));
      assertTrue(out.awaitPeer(Duration.ZERO));
      assertFalse(gone.isDone());
      in.close();
      assertTrue(get(gone));
      assertTrue(out.awaitPeersGone(Duration.ZERO));
      try (Channel both = Channel.open(name, ChannelRole.BOTH)) {
        assertThrows(IllegalStateException.class, () -> both.awaitPeer(Duration.ZERO));
      }
    }
  }

  @Test
  void conditionsAreWaitables() throws Exception {
    String name = Support.unique("async.condition");
    try (Channel in = Channel.create(name, 4096, 256, ChannelRole.RECEIVER);
         ChannelWaitable senders = in.condition(ChannelCondition.SENDERS_PRESENT);
         Signal stop = Signal.create(Support.unique("async.condition.stop"))) {
      assertEquals(ShmLink.waitAny(Duration.ZERO, senders, stop).timedOut(), true);
      CompletableFuture<Void> pending = senders.waitAsync();
      try (Channel out = Channel.open(name, ChannelRole.SENDER)) {
        get(pending);
        assertEquals(0, ShmLink.waitAny(Duration.ZERO, senders, stop).index());
        assertTrue(senders.await(Duration.ZERO), "a condition's wait takes nothing");
      }
    }
  }
}
