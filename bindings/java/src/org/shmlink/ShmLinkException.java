package org.shmlink;

/** A shmlink failure that no standard Java exception type describes: for example
 * {@link Status#NOT_FOUND}, {@link Status#ALREADY_EXISTS}, {@link Status#WRONG_KIND},
 * {@link Status#ACCESS_DENIED}, {@link Status#CLOSED}, {@link Status#CORRUPT},
 * {@link Status#TIMEOUT}, {@link Status#NO_RESOURCES}, {@link Status#LIMIT_EXCEEDED}. The others
 * become the standard types (see {@link ShmLinkError}). Its message is the library's description
 * of the failure: the operation, the object's name and the OS error text. */
public class ShmLinkException extends RuntimeException implements ShmLinkError {
  /** The serialized form's version. */
  private static final long serialVersionUID = 2L;

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
    this(new Failure(status, nativeMessage, osError));
  }

  ShmLinkException(Failure failure) {
    super(failure.message());
    this.status = failure.status();
    this.nativeMessage = failure.nativeMessage();
    this.osError = failure.osError();
  }

  @Override
  public Status status() {
    return status;
  }

  @Override
  public String nativeMessage() {
    return nativeMessage;
  }

  @Override
  public int osError() {
    return osError;
  }
}
