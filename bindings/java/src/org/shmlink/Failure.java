package org.shmlink;

/** One failure of a native call, and the exception it becomes: the standard Java type where there
 * is one (see {@link ShmLinkError}), else {@link ShmLinkException}. */
final class Failure {
  private final Status status;
  private final String nativeMessage;
  private final int osError;

  Failure(Status status, String nativeMessage, int osError) {
    this.status = status;
    this.nativeMessage = nativeMessage == null ? "" : nativeMessage;
    this.osError = osError;
  }

  Status status() {
    return status;
  }

  String nativeMessage() {
    return nativeMessage;
  }

  int osError() {
    return osError;
  }

  /** The library's own message, which already names the operation and the status, said once;
   * the status name alone when the library gave none. */
  String message() {
    return nativeMessage.isEmpty() ? status.libraryName() : nativeMessage;
  }

  RuntimeException toException() {
    switch (status) {
      case INVALID_ARGUMENT:
      case INVALID_NAME:
      case TOO_LARGE:
      case BUFFER_TOO_SMALL:
        return new ShmLinkIllegalArgumentException(this);
      case OUT_OF_RANGE:
        return new ShmLinkIndexOutOfBoundsException(this);
      case BAD_HANDLE:
        return new ShmLinkIllegalStateException(this);
      case NOT_OWNER:
        return new ShmLinkIllegalMonitorStateException(this);
      case NOT_SUPPORTED:
        return new ShmLinkUnsupportedOperationException(this);
      default:
        return new ShmLinkException(this);
    }
  }

  /** Throws for a failed status (below zero) with this thread's last error; returns a successful
   * one. Call it right after the native call, on the same thread. */
  static int check(int code) {
    if (code < 0) throw fromLastError(code);
    return code;
  }

  static RuntimeException fromLastError(int code) {
    return new Failure(Status.of(code), shmlink.last_error_message(), shmlink.last_os_error()).toException();
  }
}
