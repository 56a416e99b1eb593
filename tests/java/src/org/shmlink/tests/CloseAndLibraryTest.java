package org.shmlink.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.shmlink.Segment;
import org.shmlink.SharedMutex;
import org.shmlink.SharedSemaphore;
import org.shmlink.ShmLink;
import org.shmlink.ShmLinkError;
import org.shmlink.ShmLinkException;
import org.shmlink.Signal;
import org.shmlink.Status;
import org.shmlink.View;

class CloseAndLibraryTest {
  @Test
  void closingTwiceIsHarmlessAndUseAfterCloseThrows() {
    String name = Support.unique("close");
    Segment segment = Segment.create(name, 4096);
    View view = segment.map();
    Signal signal = Signal.create(name + ".s");
    SharedMutex mutex = SharedMutex.create(name + ".m");
    SharedSemaphore semaphore = SharedSemaphore.create(name + ".sem", 0, 1);
    for (AutoCloseable object : new AutoCloseable[] {view, segment, signal, mutex, semaphore}) {
      assertDoesNotThrow(object::close);
      assertDoesNotThrow(object::close);
    }
    assertTrue(segment.isClosed());
    assertTrue(segment.toString().contains("closed"));
    assertThrows(IllegalStateException.class, segment::size);
    assertThrows(IllegalStateException.class, segment::map);
    assertThrows(IllegalStateException.class, view::buffer);
    assertThrows(IllegalStateException.class, view::flush);
    assertThrows(IllegalStateException.class, view::address);
    assertThrows(IllegalStateException.class, signal::set);
    assertThrows(IllegalStateException.class, signal::reset);
    assertThrows(IllegalStateException.class, () -> signal.await(Duration.ZERO));
    assertThrows(IllegalStateException.class, mutex::lock);
    assertThrows(IllegalStateException.class, mutex::unlock);
    assertThrows(IllegalStateException.class, semaphore::release);
    assertThrows(IllegalStateException.class, semaphore::acquire);
    assertThrows(IllegalStateException.class, () -> ShmLink.waitAny(Duration.ZERO, signal));
    // Every handle is gone: the names are free again.
    assertEquals(Status.NOT_FOUND, Support.fails(() -> Segment.open(name)).status());
    assertEquals(Status.NOT_FOUND, Support.fails(() -> Signal.open(name + ".s")).status());
  }

  private static void assertDoesNotThrow(ThrowingRunnable action) {
    try {
      action.run();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  @Test
  void theLibraryReportsItsVersion() {
    assertTrue(ShmLink.version().matches("\\d+\\.\\d+\\.\\d+"), ShmLink.version());
    String[] parts = ShmLink.version().split("\\.");
    assertEquals(Integer.parseInt(parts[0]) * 10000 + Integer.parseInt(parts[1]) * 100 + Integer.parseInt(parts[2]),
        ShmLink.versionNumber());
    long granularity = ShmLink.allocationGranularity();
    assertTrue(granularity > 0 && (granularity & (granularity - 1)) == 0);
  }

  @Test
  void everyStatusMapsToTheLibrarysCodeAndName() {
    for (Status status : Status.values()) {
      assertEquals(status, Status.of(status.code()));
      if (status == Status.UNKNOWN) {
        assertEquals("SHMLINK_UNKNOWN_STATUS", status.libraryName());
      } else {
        String expected = status.code() >= 0 ? "SHMLINK_" + status.name() : "SHMLINK_ERR_" + status.name();
        assertEquals(expected, status.libraryName());
      }
      assertEquals(status.code() >= 0 && status != Status.UNKNOWN, status.succeeded());
    }
    assertEquals(Status.UNKNOWN, Status.of(-1234));
    ShmLinkException error = new ShmLinkException(Status.TIMEOUT, "", 0);
    assertEquals("SHMLINK_ERR_TIMEOUT", error.getMessage());
    assertEquals(0, error.osError());
    assertFalse(new ShmLinkException(Status.SYSTEM, "x", 5).nativeMessage().isEmpty());
  }

  @Test
  void namesAreUtf8() {
    String name = Support.unique("ünïcødé-\uD83D\uDE00");
    try (Segment segment = Segment.create(name, 4096); Segment opened = Segment.open(name)) {
      assertEquals(name, opened.name());
      assertEquals(segment.size(), opened.size());
      ShmLinkError error = Support.fails(() -> Segment.create(name, 4096));
      assertTrue(error.nativeMessage().contains("\uD83D\uDE00"), error.nativeMessage());
    }
  }
}
