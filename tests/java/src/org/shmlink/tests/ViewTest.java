package org.shmlink.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.shmlink.Access;
import org.shmlink.Segment;
import org.shmlink.Sharing;
import org.shmlink.ShmLinkError;
import org.shmlink.View;

class ViewTest {
  @Test
  void buffersAreDirectNativeOrderAndShareTheBytes() {
    try (Segment segment = Segment.create(Support.unique("view"), 4096); View a = segment.map(); View b = segment.map()) {
      ByteBuffer bytes = a.buffer();
      assertTrue(bytes.isDirect());
      assertEquals(ByteOrder.nativeOrder(), bytes.order());
      bytes.putLong(8, 0x1122334455667788L);
      assertEquals(0x1122334455667788L, b.buffer().getLong(8)); // no copy: the same memory
      assertNotEquals(0, a.address());
      assertSame(segment, a.segment());
      assertEquals(segment.name(), a.name());
    }
  }

  @Test
  void aPartialMapStartsAtItsOffset() {
    try (Segment segment = Segment.create(Support.unique("view"), 3 * 4096); View all = segment.map();
         View part = segment.map(5000, 100)) {
      assertEquals(5000, part.offset());
      assertEquals(100, part.length());
      all.buffer().put(5003, (byte) 9);
      assertEquals(9, part.buffer().get(3));
      try (View rest = segment.map(4096, 0)) {
        assertEquals(2 * 4096, rest.length());
      }
    }
  }

  @Test
  void aReadOnlyViewGivesReadOnlyBuffers() {
    String name = Support.unique("view");
    try (Segment segment = Segment.create(name, 4096); View view = segment.map(0, 0, Access.READ)) {
      assertFalse(view.isWritable());
      assertEquals(Access.READ, view.access());
      assertTrue(view.buffer().isReadOnly());
      assertTrue(view.buffer(10, 10).isReadOnly());
      assertThrows(ReadOnlyBufferException.class, () -> view.buffer().put(0, (byte) 1));
    }
  }

  @Test
  void copyOnWriteWritesStayPrivate() {
    try (Segment segment = Segment.create(Support.unique("view"), 4096); View shared = segment.map();
         View cow = segment.map(0, 0, Access.COPY_ON_WRITE)) {
      assertTrue(cow.isWritable());
      cow.buffer().put(0, (byte) 5);
      assertEquals(0, shared.buffer().get(0));
      assertEquals(5, cow.buffer().get(0));
      cow.flush(); // nothing to write back: succeeds
    }
  }

  @Test
  void slicesAreCheckedAgainstTheView() {
    try (Segment segment = Segment.create(Support.unique("view"), 4096); View view = segment.map()) {
      assertEquals(16, view.buffer(4080, 16).capacity());
      assertThrows(IndexOutOfBoundsException.class, () -> view.buffer(4081, 16));
      assertThrows(IndexOutOfBoundsException.class, () -> view.buffer(-1, 1));
      assertThrows(IndexOutOfBoundsException.class, () -> view.buffer(0, -1));
    }
  }

  @Test
  void aViewStaysValidAfterItsSegmentIsClosed() {
    String name = Support.unique("view");
    Segment segment = Segment.create(name, 4096);
    try (View view = segment.map()) {
      segment.close();
      view.buffer().putInt(0, 1234);
      assertEquals(1234, view.buffer().getInt(0));
      try (Segment again = Segment.open(name); View other = again.map()) { // the view keeps it alive
        assertEquals(1234, other.buffer().getInt(0));
      }
    }
  }

  @Test
  void viewsBeyondTwoGibibytesAreOfferedAsSlices(@TempDir Path dir) {
    long size = (1L << 31) + 8192;
    Segment segment;
    try {
      segment = Segment.fromFile(dir.resolve("big.bin"), null, size, Access.READ_WRITE, false, Sharing.CURRENT_USER);
    } catch (RuntimeException e) {
      if (!(e instanceof ShmLinkError)) throw e;
      Assumptions.abort("no room for a sparse " + size + "-byte file: " + e.getMessage());
      return;
    }
    try (segment; View view = segment.map()) {
      assertEquals(size, view.length());
      IllegalStateException error = assertThrows(IllegalStateException.class, view::buffer);
      assertTrue(error.getMessage().contains("buffer(offset, length)"), error.getMessage());
      ByteBuffer high = view.buffer(size - 16, 16);
      high.putLong(0, 42);
      assertEquals(42, view.buffer((1L << 31) + 8176, 16).getLong(0));
    }
  }
}
