package org.shmlink;

/** An offset or length outside the segment or view. Thrown for {@link Status#OUT_OF_RANGE}: a
 * {@link IndexOutOfBoundsException}, so code written for the standard type catches it, and a
 * {@link ShmLinkError} that carries the library's status. */
public final class ShmLinkIndexOutOfBoundsException extends IndexOutOfBoundsException implements ShmLinkError {
  /** The serialized form's version. */
  private static final long serialVersionUID = 1L;

  /** What failed. */
  private final transient Failure failure;

  ShmLinkIndexOutOfBoundsException(Failure failure) {
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
