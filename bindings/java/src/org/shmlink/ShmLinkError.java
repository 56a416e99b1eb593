package org.shmlink;

/** What every exception the library's failures become carries: the status it returned, its own
 * description of the failure and the OS error behind it. The exceptions are of the standard Java
 * types where Java has one ({@link IllegalArgumentException}, {@link IndexOutOfBoundsException},
 * {@link IllegalStateException} for a closed handle, {@link IllegalMonitorStateException},
 * {@link UnsupportedOperationException}), otherwise {@link ShmLinkException}; all are unchecked. */
public interface ShmLinkError {
  /** The exception's message: the library's description, said once (the status name alone when
   * the library gave none).
   * @return the message */
  String getMessage();

  /** What failed.
   * @return the failure's status */
  Status status();

  /** The library's description of the failure ({@code shmlink_last_error_message()}): the
   * operation, the object's name and the OS error text.
   * @return the message, possibly empty */
  String nativeMessage();

  /** The OS error behind the failure ({@code shmlink_last_os_error()}).
   * @return errno or GetLastError(), or 0 when the failure did not come from the OS */
  int osError();
}
