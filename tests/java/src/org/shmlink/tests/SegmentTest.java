package org.shmlink.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.shmlink.Access;
import org.shmlink.Segment;
import org.shmlink.Sharing;
import org.shmlink.ShmLinkError;
import org.shmlink.Signal;
import org.shmlink.Status;
import org.shmlink.View;

class SegmentTest {
  @Test
  void createMakesAZeroFilledSegmentOfTheSizeAsked() {
    String name = Support.unique("seg");
    try (Segment segment = Segment.create(name, 5000); View view = segment.map()) {
      assertEquals(5000, segment.size());
      assertEquals(name, segment.name());
      assertEquals(Access.READ_WRITE, segment.access());
      assertTrue(segment.wasCreated());
      ByteBuffer bytes = view.buffer();
      assertEquals(5000, bytes.capacity());
      for (int i = 0; i < 5000; i++) assertEquals(0, bytes.get(i));
    }
  }

  @Test
  void createNewOnATakenNameFailsWithAlreadyExists() {
    String name = Support.unique("seg");
    try (Segment segment = Segment.create(name, 4096, Sharing.CURRENT_USER)) {
      ShmLinkError error = Support.fails(() -> Segment.create(name, 4096));
      assertEquals(Status.ALREADY_EXISTS, error.status());
      Support.namesStatusOnce("SHMLINK_ERR_ALREADY_EXISTS", error.getMessage());
      assertTrue(error.nativeMessage().contains(name), error.nativeMessage());
    }
  }

  @Test
  void openOrCreateReportsWhetherItCreated() {
    String name = Support.unique("seg");
    try (Segment first = Segment.openOrCreate(name, 4096); Segment second = Segment.openOrCreate(name, 8192)) {
      assertTrue(first.wasCreated());
      assertFalse(second.wasCreated());
      assertEquals(4096, second.size()); // an existing segment keeps its own size
    }
  }

  @Test
  void openSeesWhatAnotherHandleWrote() {
    String name = Support.unique("seg");
    try (Segment segment = Segment.create(name, 4096); View view = segment.map()) {
      view.buffer().put(10, (byte) 77);
      try (Segment other = Segment.open(name); View otherView = other.map()) {
        assertFalse(other.wasCreated());
        assertEquals(77, otherView.buffer().get(10));
        otherView.buffer().put(11, (byte) 78);
      }
      assertEquals(78, view.buffer().get(11));
    }
  }

  @Test
  void openOfAMissingNameFailsWithNotFound() {
    assertEquals(Status.NOT_FOUND,
        Support.fails(() -> Segment.open(Support.unique("missing"))).status());
  }

  @Test
  void badNamesAndSizesAreReported() {
    assertEquals(Status.INVALID_NAME, Support.fails(() -> Segment.create("a/b", 10)).status());
    assertEquals(Status.INVALID_ARGUMENT,
        Support.fails(() -> Segment.create(Support.unique("zero"), 0)).status());
    assertThrows(IllegalArgumentException.class, () -> Segment.create(Support.unique("neg"), -1));
    assertThrows(NullPointerException.class, () -> Segment.create(null, 10));
  }

  @Test
  void aNameHeldByAnotherKindFailsWithWrongKind() {
    String name = Support.unique("kind");
    try (Signal signal = Signal.create(name)) {
      assertEquals(Status.WRONG_KIND, Support.fails(() -> Segment.create(name, 4096)).status());
      assertEquals(Status.WRONG_KIND, Support.fails(() -> Segment.open(name)).status());
    }
  }

  @Test
  void aReadOnlyHandleCannotMapReadWrite() {
    String name = Support.unique("seg");
    try (Segment segment = Segment.create(name, 4096); Segment reader = Segment.open(name, Access.READ)) {
      assertEquals(Access.READ, reader.access());
      assertEquals(Status.ACCESS_DENIED,
          Support.fails(() -> reader.map(0, 0, Access.READ_WRITE)).status());
    }
  }

  @Test
  void mapPastTheEndFailsWithOutOfRange() {
    try (Segment segment = Segment.create(Support.unique("seg"), 4096)) {
      assertEquals(Status.OUT_OF_RANGE, Support.fails(() -> segment.map(4000, 200)).status());
      assertThrows(IllegalArgumentException.class, () -> segment.map(-1, 10));
      assertThrows(IllegalArgumentException.class, () -> segment.map(0, -10));
    }
  }

  @Test
  void fromFileKeepsTheDataInTheFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("data.bin");
    try (Segment segment = Segment.fromFile(file, 8192); View view = segment.map()) {
      assertNull(segment.name());
      assertEquals(8192, segment.size());
      view.buffer().put(0, "persisted".getBytes(StandardCharsets.US_ASCII));
      view.flush();
    }
    byte[] content = Files.readAllBytes(file);
    assertEquals(8192, content.length);
    assertArrayEquals("persisted".getBytes(StandardCharsets.US_ASCII), java.util.Arrays.copyOf(content, 9));
    String name = Support.unique("file");
    try (Segment named = Segment.fromFile(file, name, 0, Access.READ, false, Sharing.CURRENT_USER);
         Segment opened = Segment.open(name, Access.READ);
         View view = opened.map()) {
      assertTrue(named.wasCreated());
      assertEquals('p', view.buffer().get(0));
      assertTrue(view.buffer().isReadOnly());
      Segment again = Segment.fromFile(file, name, 0, Access.READ, true, Sharing.CURRENT_USER);
      assertFalse(again.wasCreated());
      again.close();
    }
    assertEquals(Status.NOT_FOUND, Support.fails(
        () -> Segment.fromFile(dir.resolve("missing"), null, 0, Access.READ, false, Sharing.CURRENT_USER)).status());
  }
}
