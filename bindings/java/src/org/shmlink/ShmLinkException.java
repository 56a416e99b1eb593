package org.shmlink;

/** A failure reported by the shmlink library: its {@link Status}, the library's description of
 * it (the operation, the object's name and the OS error text) and the OS error number. */
public final class ShmLinkException extends RuntimeException {
  /** The serialized form's version. */
  private static final long serialVersionUID = 1L;

  /** What failed. */
  private final Status status;
  /** The library's description of the failure. */
  private final String nativeMessage;
  /** errno or GetLastError(), or 0. */
  private final int osError;

  /**
   * Makes an exception for a failure.
   * @param status what failed
   * @param nativeMessage the library's message, or an empty string
   * @param osError errno (Linux) or GetLastError() (Windows), or 0
   */
  public ShmLinkException(Status status, String nativeMessage, int osError) {
    super(format(status, nativeMessage));
    this.status = status;
    this.nativeMessage = nativeMessage == null ? "" : nativeMessage;
    this.osError = osError;
  }

  /** What failed.
   * @return the failure's status */
  public Status status() {
    return status;
  }

  /** The library's description of the failure ({@code shmlink_last_error_message()}).
   * @return the message, possibly empty */
  public String nativeMessage() {
    return nativeMessage;
  }

  /** The OS error behind the failure ({@code shmlink_last_os_error()}).
   * @return errno or GetLastError(), or 0 when the failure did not come from the OS */
  public int osError() {
    return osError;
  }

  private static String format(Status status, String nativeMessage) {
    String name = status.libraryName();
    return nativeMessage == null || nativeMessage.isEmpty() ? name : name + ": " + nativeMessage;
  }

  /** Throws for a failed status (below zero); returns a successful one. */
  static int check(int code) {
    if (code < 0) throw fromLastError(code);
    return code;
  }

  static ShmLinkException fromLastError(int code) {
    return new ShmLinkException(Status.of(code), shmlink.last_error_message(), shmlink.last_os_error());
  }
}
