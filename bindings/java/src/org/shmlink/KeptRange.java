package org.shmlink;

import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The address range of a view mapped with {@code SHMLINK_MAP_KEEP_RANGE}. A direct ByteBuffer
 * cannot be invalidated, and one used after its view was unmapped would read or write whatever
 * the process maps there next, or crash the JVM. So the library keeps the range when the view is
 * closed, filled with harmless private memory (reads see zeros, writes reach nobody), and this
 * gives it back once the view is closed and no buffer over it is reachable any more.
 */
final class KeptRange {
  /** One daemon thread for the whole binding. */
  private static final Cleaner CLEANER = Cleaner.create();

  private final long address;
  /** The open view counts as one holder, and every buffer handed out as one. */
  private final AtomicInteger holders = new AtomicInteger(1);

  KeptRange(long address) {
    this.address = address;
  }

  /** Counts `buffer` as a holder until it is unreachable; call while the view is open. */
  ByteBuffer track(ByteBuffer buffer) {
    holders.incrementAndGet();
    CLEANER.register(buffer, this::drop);
    return buffer;
  }

  /** The view was closed (its native handle). */
  void viewClosed() {
    drop();
  }

  private void drop() {
    if (holders.decrementAndGet() == 0) shmlink.release_range(address);
  }
}
