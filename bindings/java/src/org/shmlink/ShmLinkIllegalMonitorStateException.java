package org.shmlink;

/** A mutex was unlocked by a thread that does not hold it. Thrown for {@link Status#NOT_OWNER}: a
 * {@link IllegalMonitorStateException}, so code written for the standard type catches it, and a
 * {@link ShmLinkError} that carries the library's status. */
public final class ShmLinkIllegalMonitorStateException extends IllegalMonitorStateException implements ShmLinkError {
  /** The serialized form's version. */
  private static final long serialVersionUID = 1L;

  /** What failed. */
  private final transient Failure failure;

  ShmLinkIllegalMonitorStateException(Failure failure) {
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
