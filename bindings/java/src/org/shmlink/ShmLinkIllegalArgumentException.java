package org.shmlink;

/** An argument the library refused: a bad name, size, count or flag, a message longer than the channel's maximum, or a buffer too small for the message. Thrown for {@link Status#INVALID_ARGUMENT}, {@link Status#INVALID_NAME}, {@link Status#TOO_LARGE}, {@link Status#BUFFER_TOO_SMALL}: a
 * {@link IllegalArgumentException}, so code written for the standard type catches it, and a
 * {@link ShmLinkError} that carries the library's status. */
public final class ShmLinkIllegalArgumentException extends IllegalArgumentException implements ShmLinkError {
  /** The serialized form's version. */
  private static final long serialVersionUID = 1L;

  /** What failed. */
  private final transient Failure failure;

  ShmLinkIllegalArgumentException(Failure failure) {
    super(failure.message());
    this.failure = failure;
  }

  @Override
  public Status status() {
    return failure.status();
  }

  @Override
  public String nativeMessage() {
    return failure.nativeMessage();
  }

  @Override
  public int osError() {
    return failure.osError();
  }
}
