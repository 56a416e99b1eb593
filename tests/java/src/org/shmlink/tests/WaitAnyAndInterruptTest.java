package org.shmlink.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.shmlink.LockResult;
import org.shmlink.ResetMode;
import org.shmlink.SharedMutex;
import org.shmlink.SharedSemaphore;
import org.shmlink.ShmLink;
import org.shmlink.Signal;
import org.shmlink.WaitAnyResult;
import org.shmlink.Waitable;

class WaitAnyAndInterruptTest {
  @Test
  void waitAnyTakesTheLowestAvailableIndexOnly() throws Exception {
    try (Signal a = Signal.create(Support.unique("a")); SharedSemaphore b = SharedSemaphore.create(Support.unique("b"), 1, 1);
         Signal c = Signal.create(Support.unique("c"), ResetMode.AUTO_RESET, true)) {
      assertEquals(new WaitAnyResult(1, false), ShmLink.waitAny(Duration.ZERO, a, b, c));
      assertEquals(new WaitAnyResult(2, false), ShmLink.waitAny(Duration.ofSeconds(1), a, b, c));
      WaitAnyResult none = ShmLink.waitAny(Duration.ofMillis(10), a, b, c);
      assertTrue(none.timedOut());
      assertEquals(WaitAnyResult.TIMED_OUT, none);
      a.set();
      assertEquals(0, ShmLink.waitAny(a, b).index());
    }
  }

  @Test
  void waitAnyReportsAnAbandonedMutex() throws Exception {
    try (Signal signal = Signal.create(Support.unique("s")); SharedMutex mutex = SharedMutex.create(Support.unique("m"))) {
      Thread owner = new Thread(() -> {
        try {
          mutex.lock();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      owner.start();
      owner.join(10_000);
      WaitAnyResult result = ShmLink.waitAny(Duration.ofSeconds(5), signal, mutex);
      assertEquals(1, result.index());
      assertTrue(result.abandoned());
      mutex.unlock();
    }
  }

  @Test
  void waitAnyRefusesBadLists() {
    try (Signal signal = Signal.create(Support.unique("s"))) {
      assertThrows(IllegalArgumentException.class, () -> ShmLink.waitAny(Duration.ZERO));
      assertThrows(IllegalArgumentException.class, () -> ShmLink.waitAny(Duration.ZERO, signal, signal));
      assertThrows(IllegalArgumentException.class,
          () -> ShmLink.waitAny(Duration.ZERO, new Waitable[ShmLink.MAX_WAIT_OBJECTS + 1]));
      assertThrows(NullPointerException.class, () -> ShmLink.waitAny(Duration.ZERO, signal, null));
      assertEquals(63, ShmLink.MAX_WAIT_OBJECTS);
    }
  }

  @Test
  void interruptWakesABlockedWaitAtOnce() throws Exception {
    try (Signal signal = Signal.create(Support.unique("s")); SharedMutex mutex = SharedMutex.create(Support.unique("m"), true);
         SharedSemaphore semaphore = SharedSemaphore.create(Support.unique("sem"), 0, 1)) {
      for (int kind = 0; kind < 4; kind++) {
        final int which = kind;
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicReference<Boolean> stillInterrupted = new AtomicReference<>();
        Thread waiter = new Thread(() -> {
          try {
            switch (which) {
              case 0 -> signal.await();
              case 1 -> mutex.lock();
              case 2 -> semaphore.acquire();
              default -> ShmLink.waitAny(signal, semaphore);
            }
          } catch (Throwable e) {
            thrown.set(e);
          }
          stillInterrupted.set(Thread.currentThread().isInterrupted());
        });
        long start = System.nanoTime();
        waiter.start();
        Thread.sleep(50);
        waiter.interrupt();
        waiter.join(10_000);
        assertFalse(waiter.isAlive());
        assertTrue(System.nanoTime() - start < 5_000_000_000L);
        assertTrue(thrown.get() instanceof InterruptedException, "kind " + which + ": " + thrown.get());
        assertEquals(Boolean.FALSE, stillInterrupted.get()); // InterruptedException clears it
      }
      mutex.unlock();
    }
  }

  @Test
  void aPendingInterruptThrowsBeforeWaiting() {
    try (Signal signal = Signal.create(Support.unique("s"), ResetMode.MANUAL_RESET, false)) {
      Thread.currentThread().interrupt();
      assertThrows(InterruptedException.class, () -> signal.await(Duration.ofSeconds(30)));
      assertFalse(Thread.interrupted());
      Thread.currentThread().interrupt();
      assertThrows(InterruptedException.class, () -> signal.await(Duration.ZERO));
    }
  }

  @Test
  void anObjectAvailableWinsOverAnInterruptThatStaysPending() throws Exception {
    try (Signal signal = Signal.create(Support.unique("s"), ResetMode.AUTO_RESET, true);
         SharedMutex mutex = SharedMutex.create(Support.unique("m"))) {
      Thread.currentThread().interrupt();
      try {
        assertTrue(signal.await(Duration.ofSeconds(1)));
        assertTrue(Thread.currentThread().isInterrupted());
        assertEquals(LockResult.ACQUIRED, mutex.lock());
      } finally {
        Thread.interrupted();
      }
      mutex.unlock();
      // The interrupt signal was reset: the next wait is not woken by the old interrupt.
      assertFalse(signal.await(Duration.ofMillis(20)));
    }
  }
}
