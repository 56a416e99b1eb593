package org.shmlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A mapping of a segment's bytes into this process (a Win32 view). {@link #buffer()} is a
 * direct {@link ByteBuffer} over the mapped bytes themselves: no copy, and what another process
 * writes shows up in it. Buffers are in the machine's native byte order (both sides of a
 * segment run on this machine); a read-only view gives read-only buffers.
 *
 * <p>Closing the view unmaps the bytes: a buffer taken from it must not be used after that (it
 * would touch unmapped memory). The view keeps a reference to its segment, and stays valid when
 * the segment is closed.
 */
public final class View extends ShmLinkObject {
  private final Segment segment;
  private final long address;
  private final long offset;
  private final long length;
  private final Access access;

  View(long handle, Segment segment, long address, long offset, long length, Access access) {
    super(handle, segment.name());
    this.segment = segment;
    this.address = address;
    this.offset = offset;
    this.length = length;
    this.access = access;
  }

  /** The segment this view maps.
   * @return the segment (possibly closed: the view stays valid) */
  public Segment segment() {
    return segment;
  }

  /** Where in the segment the view starts.
   * @return the offset in bytes */
  public long offset() {
    return offset;
  }

  /** How many bytes the view maps.
   * @return the length in bytes */
  public long length() {
    return length;
  }

  /** The view's access.
   * @return the access it was mapped with */
  public Access access() {
    return access;
  }

  /** Whether the view's bytes may be written (READ_WRITE, or COPY_ON_WRITE: private writes).
   * @return false for a READ view */
  public boolean isWritable() {
    return access != Access.READ;
  }

  /** The address of the view's first byte in this process, for native code.
   * @return the address */
  public long address() {
    throwIfClosed();
    return address;
  }

  /** A direct buffer over all of the view's bytes: position 0, limit and capacity the length.
   * @return the buffer (read-only for a READ view)
   * @throws IllegalStateException if the view is longer than a buffer can be (2^31 - 1 bytes):
   *     use {@link #buffer(long, int)} for slices of it */
  public ByteBuffer buffer() {
    if (length > Integer.MAX_VALUE) {
      throw new IllegalStateException("The view's " + length + " bytes do not fit in one ByteBuffer (at most "
          + Integer.MAX_VALUE + "): use buffer(offset, length) for slices of it");
    }
    return buffer(0, (int) length);
  }

  /** A direct buffer over {@code length} of the view's bytes starting at {@code offset}.
   * @param offset where in the view the buffer starts
   * @param length how many bytes it covers
   * @return the buffer (read-only for a READ view)
   * @throws IndexOutOfBoundsException if the range is not inside the view */
  public ByteBuffer buffer(long offset, int length) {
    throwIfClosed();
    if (offset < 0 || offset > this.length || length < 0 || length > this.length - offset) {
      throw new IndexOutOfBoundsException(length + " bytes at offset " + offset + " do not fit in the view's "
          + this.length + " bytes");
    }
    ByteBuffer buffer = (ByteBuffer) shmlink.shmlink_java_direct_buffer(address + offset, length);
    if (buffer == null) throw new IllegalStateException("this JVM does not support direct buffers over native memory");
    buffer.order(ByteOrder.nativeOrder());
    return isWritable() ? buffer : buffer.asReadOnlyBuffer().order(ByteOrder.nativeOrder());
  }

  /** Writes the view's modified pages back to their backing (for a file-backed segment: to the
   * file, synchronously); nothing to do for a copy-on-write view.
   * @throws ShmLinkException SYSTEM if the write-back failed */
  public void flush() {
    long value = handle.acquire(this);
    try {
      Failure.check(shmlink.flush(value));
    } finally {
      handle.release();
    }
  }
}
