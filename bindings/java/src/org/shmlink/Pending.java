package org.shmlink;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The future of one asynchronous operation, which the binding claims before it takes anything
 * for it (an object a wait took, a message received): once claimed, a cancel, a timeout or a
 * complete() from outside no longer wins, so what was taken is never dropped on a future nobody
 * reads. A finish asked for while the binding holds the claim without delivering (another
 * receiver took the message first) is carried out when it lets go.
 */
final class Pending<T> extends CompletableFuture<T> {
  private static final int WAITING = 0;
  private static final int CLAIMED = 1;
  private static final int FINISHED = 2;

  private final AtomicInteger state = new AtomicInteger(WAITING);
  /** A finish from outside that came while claimed; run on {@link #unclaim()}. */
  private final AtomicReference<Runnable> askedFinish = new AtomicReference<>();
  /** Tells the wait thread to drop the registration (set once registered). */
  volatile Runnable onFinishedOutside;

  /** Takes the right to deliver; false if the future was finished from outside. */
  boolean claim() {
    return state.compareAndSet(WAITING, CLAIMED);
  }

  boolean isWaiting() {
    return state.get() == WAITING;
  }

  /** Gives the claim back (nothing was delivered). Returns whether the future still waits (it
   * may be registered again); false if a finish from outside came meanwhile and was done now. */
  boolean unclaim() {
    state.set(WAITING);
    Runnable asked = askedFinish.getAndSet(null);
    if (asked != null && state.compareAndSet(WAITING, FINISHED)) {
      asked.run();
      return false;
    }
    return state.get() == WAITING;
  }

  /** Completes a claimed future. */
  void deliver(T value) {
    state.set(FINISHED);
    super.complete(value);
  }

  /** Fails a claimed future. */
  void fail(Throwable error) {
    state.set(FINISHED);
    super.completeExceptionally(error);
  }

  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    return finishFromOutside(() -> super.cancel(mayInterruptIfRunning));
  }

  @Override
  public boolean complete(T value) {
    return finishFromOutside(() -> super.complete(value));
  }

  @Override
  public boolean completeExceptionally(Throwable error) {
    return finishFromOutside(() -> super.completeExceptionally(error));
  }

  /** Dependent stages are plain futures: only this one is tied to a registration. */
  @Override
  public <U> CompletableFuture<U> newIncompleteFuture() {
    return new CompletableFuture<>();
  }

  private boolean finishFromOutside(java.util.function.BooleanSupplier finish) {
    while (true) {
      if (state.compareAndSet(WAITING, FINISHED)) {
        boolean done = finish.getAsBoolean();
        Runnable drop = onFinishedOutside;
        if (drop != null) drop.run();
        return done;
      }
      if (state.get() == FINISHED) return false;
      // Claimed: the binding is delivering, or finds nothing and lets go; then this runs.
      askedFinish.set(finish::getAsBoolean);
      if (state.get() == CLAIMED) return false;
      askedFinish.set(null); // let go meanwhile: try again
    }
  }
}
