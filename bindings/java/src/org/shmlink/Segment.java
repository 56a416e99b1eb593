package org.shmlink;

import java.nio.file.Path;

/** A named (or file-backed) shared memory segment (a Win32 file mapping). {@link #map} gives
 * {@link View}s over its bytes; a view stays valid after its segment is closed. */
public final class Segment extends ShmLinkObject {
  private final Access access;
  private final boolean created;
  private volatile long size = -1;

  private Segment(long handle, String name, Access access, boolean created) {
    super(handle, name);
    this.access = access;
    this.created = created;
  }

  /** Creates a new segment of {@code size} zero-filled bytes, read-write.
   * @param name the segment's name
   * @param size its size in bytes (positive)
   * @return the segment
   * @throws ShmLinkException ALREADY_EXISTS if the name is taken, NO_RESOURCES if the system
   *     cannot back it, and as the library says */
  public static Segment create(String name, long size) {
    return create(name, size, Sharing.CURRENT_USER);
  }

  /** Creates a new segment others may open too.
   * @param name the segment's name
   * @param size its size in bytes (positive)
   * @param sharing who else may open it
   * @return the segment
   * @throws ShmLinkException ALREADY_EXISTS if the name is taken, and as the library says */
  public static Segment create(String name, long size, Sharing sharing) {
    return make(name, size, Waitable.createFlags(false, sharing));
  }

  /** Creates an unnamed segment of {@code size} zero-filled bytes, read-write (CreateFileMapping
   * with no name): only this object and its views reach it.
   * @param size its size in bytes (positive)
   * @return the segment
   * @throws ShmLinkException NO_RESOURCES if the system cannot back it, and as the library says */
  public static Segment createUnnamed(long size) {
    long[] handle = new long[1];
    Failure.check(shmlink.segment_create(null, checkSize(size), shmlink.SHMLINK_CREATE_NEW, handle));
    return new Segment(handle[0], null, Access.READ_WRITE, true);
  }

  /** Opens the segment of that name read-write, or creates it; {@link #wasCreated()} says
   * which. An existing segment keeps its own size ({@link #size()}).
   * @param name the segment's name
   * @param size its size in bytes if created (positive)
   * @return the segment
   * @throws ShmLinkException WRONG_KIND if the name is another kind of object, and as the library says */
  public static Segment openOrCreate(String name, long size) {
    return make(name, size, Waitable.createFlags(true, Sharing.CURRENT_USER));
  }

  /** Opens an existing segment read-write.
   * @param name the segment's name
   * @return the segment
   * @throws ShmLinkException NOT_FOUND if there is none, and as the library says */
  public static Segment open(String name) {
    return open(name, Access.READ_WRITE);
  }

  /** Opens an existing segment.
   * @param name the segment's name
   * @param access what views of it may do
   * @return the segment
   * @throws ShmLinkException NOT_FOUND if there is none, ACCESS_DENIED, and as the library says */
  public static Segment open(String name, Access access) {
    if (access == null) throw new NullPointerException("access");
    long[] handle = new long[1];
    Failure.check(shmlink.segment_open(Waitable.requireName(name), access.value, handle));
    return new Segment(handle[0], name, access, false);
  }

  /** Makes an unnamed, read-write segment backed by a file (the data outlives every process);
   * the file is created if missing and grown to {@code size} if shorter.
   * @param path the file
   * @param size its size in bytes, or 0 for the file's current size
   * @return the segment
   * @throws ShmLinkException as the library says */
  public static Segment fromFile(Path path, long size) {
    return fromFile(path, null, size, Access.READ_WRITE, false, Sharing.CURRENT_USER);
  }

  /** Makes a segment backed by a file, optionally named so that other processes open it with
   * {@link #open}.
   * @param path the file
   * @param name the segment's name, or null for an unnamed segment
   * @param size its size in bytes, or 0 for the file's current size; with READ_WRITE a shorter
   *     file is grown (a missing one created)
   * @param access how the file is opened
   * @param openExisting with a name: open the segment of that name if it exists instead of
   *     failing with ALREADY_EXISTS ({@link #wasCreated()} says which)
   * @param sharing who else may open it
   * @return the segment
   * @throws ShmLinkException NOT_FOUND (a missing file without READ_WRITE), ALREADY_EXISTS, and
   *     as the library says */
  public static Segment fromFile(Path path, String name, long size, Access access, boolean openExisting,
                                 Sharing sharing) {
    if (path == null) throw new NullPointerException("path");
    if (access == null) throw new NullPointerException("access");
    if (sharing == null) throw new NullPointerException("sharing");
    int flags = sharing.flags | (name != null && openExisting ? shmlink.SHMLINK_OPEN_OR_CREATE : 0);
    long[] handle = new long[1];
    int status = Failure.check(
        shmlink.segment_from_file(path.toString(), name, checkSize(size), access.value, flags, handle));
    return new Segment(handle[0], name, access, status == shmlink.SHMLINK_OK);
  }

  /** The access this handle was opened with; views get it unless told otherwise.
   * @return the access */
  public Access access() {
    return access;
  }

  /** Whether this handle created the segment (false: an existing one was opened).
   * @return true if created */
  public boolean wasCreated() {
    return created;
  }

  /** The segment's size in bytes.
   * @return the size */
  public long size() {
    long known = size;
    if (known >= 0) {
      throwIfClosed();
      return known;
    }
    long[] out = new long[1];
    long value = handle.acquire(this);
    try {
      Failure.check(shmlink.segment_size(value, out));
    } finally {
      handle.release();
    }
    size = out[0];
    return out[0];
  }

  /** Maps the whole segment with this handle's access.
   * @return the view
   * @throws ShmLinkException NO_RESOURCES (address space), and as the library says */
  public View map() {
    return map(0, 0, access);
  }

  /** Maps part of the segment with this handle's access.
   * @param offset the first byte (any offset: the library aligns)
   * @param length how many bytes, or 0 for the rest of the segment
   * @return the view
   * @throws ShmLinkException OUT_OF_RANGE if the range passes the end, and as the library says */
  public View map(long offset, long length) {
    return map(offset, length, access);
  }

  /** Maps part of the segment.
   * @param offset the first byte (any offset: the library aligns)
   * @param length how many bytes, or 0 for the rest of the segment
   * @param access the view's access: no wider than this handle's
   * @return the view
   * @throws ShmLinkException OUT_OF_RANGE if the range passes the end, ACCESS_DENIED if the
   *     access is wider than the handle's, and as the library says */
  public View map(long offset, long length, Access access) {
    return mapCore(0, offset, length, access);
  }

  /** Maps part of the segment so that byte {@code offset} appears at {@code address}
   * (MapViewOfFileEx), never elsewhere and never over what is mapped there: for structures that
   * every process maps at the same address. The address must lie as the offset does within the
   * allocation granularity ({@link ShmLink#allocationGranularity()}).
   * @param address where byte {@code offset} is to appear (not 0)
   * @param offset the first byte (any offset)
   * @param length how many bytes, or 0 for the rest of the segment
   * @param access the view's access: no wider than this handle's
   * @return the view
   * @throws ShmLinkException ALREADY_EXISTS if something is mapped in the range, INVALID_ARGUMENT
   *     for an address that does not lie as the offset does or is outside the address space, and
   *     as {@link #map(long, long, Access)} */
  public View mapAt(long address, long offset, long length, Access access) {
    if (address == 0) throw new IllegalArgumentException("The address is 0: use map to map anywhere");
    return mapCore(address, offset, length, access);
  }

  private View mapCore(long at, long offset, long length, Access access) {
    if (offset < 0) throw new IllegalArgumentException("An offset is not negative, not " + offset);
    if (length < 0) throw new IllegalArgumentException("A length is not negative, not " + length);
    if (access == null) throw new NullPointerException("access");
    long[] view = new long[1];
    long[] address = {at};
    long value = handle.acquire(this);
    try {
      int flags = access.value | shmlink.SHMLINK_MAP_KEEP_RANGE;
      if (at == 0) Failure.check(shmlink.map(value, offset, length, flags, view, address));
      else Failure.check(shmlink.map_at(value, offset, length, flags, at, view));
    } finally {
      handle.release();
    }
    long[] viewLength = new long[1];
    int status = shmlink.view_info(view[0], null, viewLength);
    if (status < 0) {
      RuntimeException error = Failure.fromLastError(status);
      shmlink.close(view[0]);
      throw error;
    }
    return new View(view[0], this, address[0], offset, viewLength[0], access);
  }

  private static Segment make(String name, long size, int flags) {
    long[] handle = new long[1];
    int status = Failure.check(shmlink.segment_create(Waitable.requireName(name), checkSize(size), flags, handle));
    return new Segment(handle[0], name, Access.READ_WRITE, status == shmlink.SHMLINK_OK);
  }

  private static long checkSize(long size) {
    if (size < 0) throw new IllegalArgumentException("A size is not negative, not " + size);
    return size;
  }
}
