package org.shmlink.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.shmlink.Segment;
import org.shmlink.ShmLinkException;
import org.shmlink.Status;
import org.shmlink.View;

/**
 * A file truncated under a mapping (Linux; issue 12, point 3). The native library's SIGBUS
 * handler goes on top of the JVM's, which uses SIGBUS itself: the library's faults must end as
 * zeros and CORRUPT, the JVM's own as the JVM makes them (an InternalError).
 */
@EnabledOnOs(OS.LINUX)
class TruncationTest {
  private static final int PAGE = 4096;

  private static void fill(Path file, int bytes) throws Exception {
    byte[] data = new byte[bytes];
    Arrays.fill(data, (byte) 'x');
    Files.write(file, data);
  }

  private static void truncate(Path file, long size) throws Exception {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      channel.truncate(size);
    }
  }

  @Test
  void aViewOfATruncatedFileReadsZerosAndFlushReportsCorrupt(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("data");
    fill(file, 3 * PAGE);
    try (Segment segment = Segment.fromFile(file, 0); View view = segment.map()) {
      ByteBuffer bytes = view.buffer();
      assertEquals('x', bytes.get(2 * PAGE));
      truncate(file, PAGE);
      assertEquals(0, bytes.get(2 * PAGE)); // past the new end: a zero page, not a dead JVM
      assertEquals('x', bytes.get(0)); // still in the file
      ShmLinkException error = assertThrows(ShmLinkException.class, view::flush);
      assertEquals(Status.CORRUPT, error.status());
    }
  }

  @Test
  void theJvmStillGetsTheSigbusOfItsOwnMappedBuffers(@TempDir Path dir) throws Exception {
    // Any mapping of the library's installs its handler, on top of the JVM's.
    Path ours = dir.resolve("ours");
    fill(ours, PAGE);
    try (Segment segment = Segment.fromFile(ours, 0); View view = segment.map()) {
      assertEquals('x', view.buffer().get(0));
      Path file = dir.resolve("jvm");
      fill(file, 2 * PAGE);
      try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
        MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, 2 * PAGE);
        channel.truncate(0);
        // HotSpot turns a SIGBUS in an access to a mapped buffer into an InternalError ("a fault
        // occurred in an unsafe memory access operation"), possibly at the next safepoint: the
        // reads go on until it comes.
        assertThrows(InternalError.class, () -> {
          long sum = 0;
          for (int i = 0; i < 1_000_000; i++) sum += mapped.get(PAGE + (i % PAGE));
          System.out.println("read " + sum + " from a truncated file without a fault");
        });
      }
    }
  }
}
