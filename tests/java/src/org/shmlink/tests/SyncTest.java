package org.shmlink.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.shmlink.LockResult;
import org.shmlink.ResetMode;
import org.shmlink.Segment;
import org.shmlink.SharedMutex;
import org.shmlink.SharedSemaphore;
import org.shmlink.Sharing;
import org.shmlink.Signal;
import org.shmlink.Status;

/** Signals, mutexes and semaphores within one process. */
class SyncTest {
  @Test
  void anAutoResetSignalReleasesOneWaitThenResets() throws Exception {
    try (Signal signal = Signal.create(Support.unique("sig"))) {
      assertTrue(signal.wasCreated());
      assertFalse(signal.await(Duration.ZERO));
      signal.set();
      assertTrue(signal.await(Duration.ofSeconds(5)));
      assertFalse(signal.await(Duration.ZERO));
    }
  }

  @Test
  void aManualResetSignalStaysSetUntilReset() throws Exception {
    try (Signal signal = Signal.create(Support.unique("sig"), ResetMode.MANUAL_RESET, true, Sharing.CURRENT_USER)) {
      assertTrue(signal.await(Duration.ZERO));
      signal.await();
      signal.reset();
      assertFalse(signal.await(Duration.ZERO));
    }
  }

  @Test
  void openAndOpenOrCreateFindTheSameSignal() throws Exception {
    String name = Support.unique("sig");
    try (Signal created = Signal.openOrCreate(name, ResetMode.AUTO_RESET, false);
         Signal existing = Signal.openOrCreate(name, ResetMode.MANUAL_RESET, true);
         Signal opened = Signal.open(name)) {
      assertTrue(created.wasCreated());
      assertFalse(existing.wasCreated());
      assertFalse(existing.await(Duration.ZERO)); // the existing one keeps its own state
      opened.set();
      assertTrue(created.await(Duration.ofSeconds(5)));
    }
    assertEquals(Status.NOT_FOUND, Support.fails(() -> Signal.open(name)).status());
    try (Signal signal = Signal.create(name, ResetMode.AUTO_RESET, false)) {
      assertEquals(Status.ALREADY_EXISTS, Support.fails(() -> Signal.create(name)).status());
    }
  }

  @Test
  void aWaitNeverEndsEarly() throws Exception {
    try (Signal signal = Signal.create(Support.unique("sig"))) {
      long start = System.nanoTime();
      assertFalse(signal.await(Duration.ofNanos(30_000_001))); // rounded up to 31 ms
      assertTrue(System.nanoTime() - start >= 30_000_001L);
    }
  }

  @Test
  void badTimeoutsAreRefused() {
    try (Signal signal = Signal.create(Support.unique("sig"))) {
      assertThrows(IllegalArgumentException.class, () -> signal.await(Duration.ofMillis(-1)));
      assertThrows(IllegalArgumentException.class, () -> signal.await(Duration.ofDays(50)));
      assertThrows(NullPointerException.class, () -> signal.await(null));
    }
  }

  @Test
  void aMutexIsRecursiveAndOwnedByOneThread() throws Exception {
    String name = Support.unique("mutex");
    try (SharedMutex mutex = SharedMutex.create(name, true); SharedMutex other = SharedMutex.open(name)) {
      assertEquals(LockResult.ACQUIRED, mutex.lock());
      AtomicReference<LockResult> seen = new AtomicReference<>();
      AtomicReference<Status> unlock = new AtomicReference<>();
      Thread thread = new Thread(() -> {
        try {
          seen.set(other.lock(Duration.ofMillis(20)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        try {
          other.unlock();
        } catch (IllegalMonitorStateException e) {
          unlock.set(Support.isFailure(e).status());
        }
      });
      thread.start();
      thread.join(10_000);
      assertEquals(LockResult.TIMED_OUT, seen.get());
      assertFalse(seen.get().acquired());
      assertEquals(Status.NOT_OWNER, unlock.get());
      mutex.unlock();
      mutex.unlock();
      assertEquals(Status.NOT_OWNER, Support.fails(mutex::unlock).status());
    }
  }

  @Test
  void aMutexWhoseOwnerThreadEndedIsAbandoned() throws Exception {
    String name = Support.unique("mutex");
    try (SharedMutex mutex = SharedMutex.openOrCreate(name, false)) {
      assertTrue(mutex.wasCreated());
      Thread owner = new Thread(() -> {
        try {
          mutex.lock();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      owner.start();
      owner.join(10_000);
      LockResult result = mutex.lock(Duration.ofSeconds(5));
      assertEquals(LockResult.ABANDONED, result);
      assertTrue(result.acquired());
      mutex.unlock();
      try (SharedMutex again = SharedMutex.create(Support.unique("mutex"), false, Sharing.CURRENT_USER)) {
        assertEquals(LockResult.ACQUIRED, again.lock(Duration.ZERO));
        again.unlock();
      }
    }
  }

  @Test
  void aSemaphoreCountsAndStopsAtItsMaximum() throws Exception {
    String name = Support.unique("sem");
    try (SharedSemaphore semaphore = SharedSemaphore.create(name, 1, 3);
         SharedSemaphore opened = SharedSemaphore.open(name);
         SharedSemaphore existing = SharedSemaphore.openOrCreate(name, 0, 1)) {
      assertFalse(existing.wasCreated());
      assertTrue(semaphore.tryAcquire(Duration.ZERO));
      assertFalse(semaphore.tryAcquire(Duration.ZERO));
      assertEquals(0, opened.release(2));
      assertEquals(2, opened.release());
      assertEquals(Status.LIMIT_EXCEEDED, Support.fails(opened::release).status());
      semaphore.acquire();
      assertTrue(existing.tryAcquire(Duration.ofSeconds(1)));
      assertThrows(IllegalArgumentException.class, () -> semaphore.release(0));
    }
    assertEquals(Status.INVALID_ARGUMENT,
        Support.fails(() -> SharedSemaphore.create(Support.unique("sem"), 2, 1)).status());
    assertThrows(IllegalArgumentException.class, () -> SharedSemaphore.create(Support.unique("sem"), -1, 1));
    try (SharedSemaphore shared = SharedSemaphore.create(Support.unique("sem"), 0, 1, Sharing.CURRENT_USER)) {
      assertTrue(shared.wasCreated());
    }
  }

  @Test
  void aSetFromAnotherThreadWakesABlockedWait() throws Exception {
    try (Signal signal = Signal.create(Support.unique("sig"))) {
      CountDownLatch waiting = new CountDownLatch(1);
      AtomicReference<Boolean> woke = new AtomicReference<>();
      Thread thread = new Thread(() -> {
        waiting.countDown();
        try {
          woke.set(signal.await(Duration.ofSeconds(10)));
        } catch (InterruptedException e) {
          woke.set(false);
        }
      });
      thread.start();
      assertTrue(waiting.await(5, TimeUnit.SECONDS));
      Thread.sleep(20);
      signal.set();
      thread.join(10_000);
      assertEquals(Boolean.TRUE, woke.get());
    }
  }

  @Test
  void kindsDoNotMix() {
    String name = Support.unique("kind");
    try (Segment segment = Segment.create(name, 4096)) {
      assertEquals(Status.WRONG_KIND, Support.fails(() -> Signal.create(name)).status());
      assertEquals(Status.WRONG_KIND, Support.fails(() -> SharedMutex.open(name)).status());
      assertEquals(Status.WRONG_KIND, Support.fails(() -> SharedSemaphore.open(name)).status());
    }
  }
}
