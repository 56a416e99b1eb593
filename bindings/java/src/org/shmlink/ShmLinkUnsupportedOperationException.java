package org.shmlink;

/** The operation is not available on this platform or kernel. Thrown for {@link Status#NOT_SUPPORTED}: a
 * {@link UnsupportedOperationException}, so code written for the standard type catches it, and a
 * {@link ShmLinkError} that carries the library's status. */
public final class ShmLinkUnsupportedOperationException extends UnsupportedOperationException implements ShmLinkError {
  /** The serialized form's version. */
  private static final long serialVersionUID = 1L;

  /** What failed. */
  private final transient Failure failure;

  ShmLinkUnsupportedOperationException(Failure failure) {
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
