package org.shmlink;

/**
 * A shmlink object this process has open: a segment, a view, a signal, a mutex, a semaphore or
 * a channel.
 * Close it when done (try-with-resources); closing twice is harmless, and any other use after
 * close throws {@link IllegalStateException}. The named object itself lives while any process
 * has it open. There is no finalizer: an object nobody closes stays open until the process ends.
 * Every method is thread-safe; close() waits for no one, but the handle is released only when
 * calls running on other threads have returned.
 */
public abstract class ShmLinkObject implements AutoCloseable {
  final Handle handle;
  private final String name;

  ShmLinkObject(long handle, String name) {
    this(handle, name, null);
  }

  ShmLinkObject(long handle, String name, Runnable afterClose) {
    this.handle = new Handle(handle, afterClose);
    this.name = name;
  }

  /** The object's name, as given when it was created or opened.
   * @return the name, or null for an unnamed segment (and its views) */
  public String name() {
    return name;
  }

  /** Whether {@link #close()} was called.
   * @return true once closed */
  public boolean isClosed() {
    return handle.isClosed();
  }

  /** Closes this process's handle (a view: unmaps it). Closing twice is harmless. */
  @Override
  public void close() {
    handle.close();
  }

  void throwIfClosed() {
    if (handle.isClosed()) throw Handle.closed(this);
  }

  /** The class and the name, and whether it is closed.
   * @return a description such as {@code Signal(jobs.ready)} */
  @Override
  public String toString() {
    return getClass().getSimpleName() + "(" + (name == null ? "unnamed" : name) + (isClosed() ? ", closed" : "") + ")";
  }
}
