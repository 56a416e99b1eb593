package org.shmlink;

/** The object's handle is closed (or was never valid). Thrown for {@link Status#BAD_HANDLE}: a
 * {@link IllegalStateException}, so code written for the standard type catches it, and a
 * {@link ShmLinkError} that carries the library's status. */
public final class ShmLinkIllegalStateException extends IllegalStateException implements ShmLinkError {
  /** The serialized form's version. */
  private static final long serialVersionUID = 1L;

  /** What failed. */
  private final transient Failure failure;

  ShmLinkIllegalStateException(Failure failure) {
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
