package org.shmlink.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.shmlink.Access;
import org.shmlink.LockResult;
import org.shmlink.ResetMode;
import org.shmlink.Segment;
import org.shmlink.SharedMutex;
import org.shmlink.SharedSemaphore;
import org.shmlink.Signal;
import org.shmlink.Status;
import org.shmlink.View;

/** Unnamed objects (a NULL name, as CreateEvent(NULL, ...)) and views at a chosen address
 * (MapViewOfFileEx), issue 17. */
class UnnamedAndAddressTest {
  @Test
  void unnamedSegmentsAreEachTheirOwnAndHaveNoName() {
    try (Segment first = Segment.createUnnamed(8192); Segment second = Segment.createUnnamed(8192);
        View a = first.map(); View b = second.map()) {
      assertNull(first.name());
      assertEquals(8192, first.size());
      a.buffer().putInt(4000, 0xC0FFEE);
      try (View again = first.map(4000, 4)) {
        assertEquals(0xC0FFEE, again.buffer().getInt(0));
      }
      assertEquals(0, b.buffer().getInt(4000));
    }
    assertEquals(Status.INVALID_ARGUMENT, Support.fails(() -> Segment.createUnnamed(0)).status());
  }

  @Test
  void unnamedSignalsMutexesAndSemaphoresWork() throws Exception {
    try (Signal signal = Signal.createUnnamed(ResetMode.AUTO_RESET, false)) {
      assertFalse(signal.await(Duration.ZERO));
      signal.set();
      assertTrue(signal.await(Duration.ZERO));
      assertFalse(signal.await(Duration.ZERO));
    }
    try (SharedMutex mutex = SharedMutex.createUnnamed(true)) {
      LockResult[] seen = new LockResult[1];
      Thread other = new Thread(() -> {
        try {
          seen[0] = mutex.lock(Duration.ZERO);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      other.start();
      other.join();
      assertEquals(LockResult.TIMED_OUT, seen[0]);
      mutex.unlock();
    }
    try (SharedSemaphore semaphore = SharedSemaphore.createUnnamed(1, 2)) {
      assertTrue(semaphore.tryAcquire(Duration.ZERO));
      assertFalse(semaphore.tryAcquire(Duration.ZERO));
    }
    assertEquals(Status.INVALID_ARGUMENT, Support.fails(() -> SharedSemaphore.createUnnamed(3, 2)).status());
  }

  @Test
  void mapAtPlacesTheViewThereOrRefusesATakenRange() {
    try (Segment segment = Segment.createUnnamed(65536)) {
      long free;
      try (View probe = segment.map()) {
        free = probe.address();
      }
      try (View view = segment.mapAt(free, 0, 0, Access.READ_WRITE); View other = segment.map()) {
        assertEquals(free, view.address());
        view.buffer().putLong(8, 42L);
        assertEquals(42L, other.buffer().getLong(8));
        assertEquals(Status.ALREADY_EXISTS,
            Support.fails(() -> segment.mapAt(other.address(), 0, 0, Access.READ)).status());
        assertEquals(Status.INVALID_ARGUMENT,
            Support.fails(() -> segment.mapAt(free + 1, 0, 0, Access.READ)).status());
      }
      assertThrows(IllegalArgumentException.class, () -> segment.mapAt(0, 0, 0, Access.READ));
    }
  }
}
