package org.shmlink;

/** The library's status codes ({@code SHMLINK_OK}, {@code SHMLINK_ERR_*}): successes are zero or
 * positive, failures negative. A failure reaches Java as an exception that is a {@link ShmLinkError}. */
public enum Status {
  /** Success; with open-or-create: the object was created. */
  OK(shmlink.SHMLINK_OK),
  /** A mutex was acquired, but its previous owner died holding it. */
  ABANDONED(shmlink.SHMLINK_ABANDONED),
  /** With open-or-create: an existing object was opened. */
  EXISTED(shmlink.SHMLINK_EXISTED),
  /** A null argument, unknown flag bits, size 0 or a bad count. */
  INVALID_ARGUMENT(shmlink.SHMLINK_ERR_INVALID_ARGUMENT),
  /** The name breaks the naming rules. */
  INVALID_NAME(shmlink.SHMLINK_ERR_INVALID_NAME),
  /** No object of that name. */
  NOT_FOUND(shmlink.SHMLINK_ERR_NOT_FOUND),
  /** Create-new on a name that exists. */
  ALREADY_EXISTS(shmlink.SHMLINK_ERR_ALREADY_EXISTS),
  /** The name belongs to another kind of object. */
  WRONG_KIND(shmlink.SHMLINK_ERR_WRONG_KIND),
  /** Permissions, or a write through a read-only handle. */
  ACCESS_DENIED(shmlink.SHMLINK_ERR_ACCESS_DENIED),
  /** A closed, unknown or wrong-kind handle. */
  BAD_HANDLE(shmlink.SHMLINK_ERR_BAD_HANDLE),
  /** An offset or length outside the segment. */
  OUT_OF_RANGE(shmlink.SHMLINK_ERR_OUT_OF_RANGE),
  /** The wait expired. */
  TIMEOUT(shmlink.SHMLINK_ERR_TIMEOUT),
  /** Memory, address space, handle table or a system limit. */
  NO_RESOURCES(shmlink.SHMLINK_ERR_NO_RESOURCES),
  /** A message longer than the channel's maximum. */
  TOO_LARGE(shmlink.SHMLINK_ERR_TOO_LARGE),
  /** A buffer too small for the data. */
  BUFFER_TOO_SMALL(shmlink.SHMLINK_ERR_BUFFER_TOO_SMALL),
  /** Shared state failed validation. */
  CORRUPT(shmlink.SHMLINK_ERR_CORRUPT),
  /** The object was made by an incompatible layout version. */
  INCOMPATIBLE(shmlink.SHMLINK_ERR_INCOMPATIBLE),
  /** Unlock of a mutex this thread does not hold. */
  NOT_OWNER(shmlink.SHMLINK_ERR_NOT_OWNER),
  /** A semaphore release past its maximum. */
  LIMIT_EXCEEDED(shmlink.SHMLINK_ERR_LIMIT_EXCEEDED),
  /** Every peer on the other side of a channel is gone. */
  CLOSED(shmlink.SHMLINK_ERR_CLOSED),
  /** A pub/sub channel overwrote a peeked message before its consume (the overwrite policy). */
  OVERWRITTEN(shmlink.SHMLINK_ERR_OVERWRITTEN),
  /** Not available on this platform. */
  NOT_SUPPORTED(shmlink.SHMLINK_ERR_NOT_SUPPORTED),
  /** Another OS failure: see {@link ShmLinkError#osError()}. */
  SYSTEM(shmlink.SHMLINK_ERR_SYSTEM),
  /** A code this version of the binding does not know (a newer library). */
  UNKNOWN(Integer.MIN_VALUE);

  private final int code;

  Status(int code) {
    this.code = code;
  }

  /** The library's numeric value of this status ({@link #UNKNOWN}: {@code Integer.MIN_VALUE}).
   * @return the status code */
  public int code() {
    return code;
  }

  /** Whether this status is a success (zero or positive).
   * @return true for {@link #OK}, {@link #ABANDONED} and {@link #EXISTED} */
  public boolean succeeded() {
    return code >= 0;
  }

  /** The status of a numeric code.
   * @param code a status code returned by the library
   * @return its status, or {@link #UNKNOWN} */
  public static Status of(int code) {
    for (Status status : values()) {
      if (status.code == code) return status;
    }
    return UNKNOWN;
  }

  /** The library's name of this status ({@code "SHMLINK_ERR_NOT_FOUND"}).
   * @return the name, or {@code "SHMLINK_UNKNOWN_STATUS"} for {@link #UNKNOWN} */
  public String libraryName() {
    return shmlink.status_name(code);
  }
}
