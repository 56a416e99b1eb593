package org.shmlink;

/** How a segment or view is opened ({@code SHMLINK_ACCESS_*}). */
public enum Access {
  /** Read only: views give read-only buffers. */
  READ(shmlink.SHMLINK_ACCESS_READ),
  /** Read and write. */
  READ_WRITE(shmlink.SHMLINK_ACCESS_READ_WRITE),
  /** Writes stay private to the view. */
  COPY_ON_WRITE(shmlink.SHMLINK_ACCESS_COPY_ON_WRITE);

  final int value;

  Access(int value) {
    this.value = value;
  }
}
