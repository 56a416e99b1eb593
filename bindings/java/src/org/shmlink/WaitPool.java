package org.shmlink;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;

/**
 * The threads behind every asynchronous wait of this process: a pending wait is a registration,
 * never a parked thread. Each wait thread sleeps in one shmlink_wait_any on up to
 * {@link #OBJECTS_PER_THREAD} distinct handles plus its own unnamed "wake" signal, which a
 * registration, a cancel or a close sets so that the thread takes up its new list; registrations
 * on the same handle share its slot (so 1,000 waits on a few objects take one thread), and a
 * thread is added only when every thread's slots are taken.
 *
 * <p>wait_any takes what it reports (a signal's set, a semaphore's count). The thread claims
 * the first registration of that slot whose future still waits ({@link Pending#claim()}) and
 * hands it on; if none does (cancelled at that instant), it gives back what was taken
 * ({@link Waitable#giveBack}). Results are delivered on {@link #DELIVERY} (the common pool),
 * never on a wait thread, so a caller's continuation cannot hold up other waits.
 */
final class WaitPool {
  /** One slot of shmlink_wait_any goes to the wake signal. */
  static final int OBJECTS_PER_THREAD = shmlink.SHMLINK_MAX_WAIT_OBJECTS - 1;
  static final Executor DELIVERY = ForkJoinPool.commonPool();
  private static final long NO_DEADLINE = Long.MAX_VALUE;

  /** What a registration does when its object is ready, its time ran out, or it failed. */
  interface Waiter {
    /** Runs on {@link #DELIVERY} after the claim: the object was reported with this status. */
    void ready(int status);

    /** Runs on {@link #DELIVERY} after the claim: the deadline passed. */
    void timedOut();
  }

  /** One pending wait. Holds a use of the target's handle while it is registered. */
  static final class Registration {
    final Waitable target;
    final long handle;
    final long deadline; // System.nanoTime() based, or NO_DEADLINE
    final Pending<?> future;
    final Waiter waiter;
    WaitThread thread; // guarded by LOCK

    Registration(Waitable target, long handle, long deadline, Pending<?> future, Waiter waiter) {
      this.target = target;
      this.handle = handle;
      this.deadline = deadline;
      this.future = future;
      this.waiter = waiter;
    }
  }

  private static final Object LOCK = new Object();
  private static final List<WaitThread> THREADS = new ArrayList<>(); // guarded by LOCK
  private static int threadsMade;

  private WaitPool() {}

  /** A deadline {@code timeoutMs} from now (INFINITE: none). */
  static long deadlineIn(int timeoutMs) {
    return timeoutMs == Timeouts.INFINITE ? NO_DEADLINE
        : System.nanoTime() + Integer.toUnsignedLong(timeoutMs) * 1_000_000L;
  }

  /**
   * Registers a wait on {@code target} until {@code deadline}; {@code waiter} runs when it is
   * ready or timed out. Fails the future with IllegalStateException if the target is closed.
   */
  static void register(Waitable target, long deadline, Pending<?> future, Waiter waiter) {
    long value;
    try {
      value = target.handle.acquire(target);
    } catch (IllegalStateException closed) {
      if (future.claim()) future.fail(closed);
      return;
    }
    Registration registration = new Registration(target, value, deadline, future, waiter);
    WaitThread thread;
    synchronized (LOCK) {
      thread = threadFor(value);
      thread.slots.computeIfAbsent(value, key -> new ArrayDeque<>()).add(registration);
      registration.thread = thread;
      target.pendingWaits++;
    }
    future.onFinishedOutside = thread::wake;
    thread.wake();
  }

  /** A waitable was closed: the threads fail its pending waits. */
  static void closed(Waitable target) {
    List<WaitThread> threads;
    synchronized (LOCK) {
      if (target.pendingWaits == 0) return;
      threads = new ArrayList<>(THREADS);
    }
    for (WaitThread thread : threads) thread.wake();
  }

  /** The number of wait threads made so far (for tests of the design). */
  static int threadsMade() {
    synchronized (LOCK) {
      return threadsMade;
    }
  }

  private static WaitThread threadFor(long handle) {
    WaitThread free = null;
    for (WaitThread thread : THREADS) {
      if (thread.slots.containsKey(handle)) return thread;
      if (free == null && thread.slots.size() < OBJECTS_PER_THREAD) free = thread;
    }
    if (free != null) return free;
    WaitThread thread = new WaitThread(++threadsMade);
    THREADS.add(thread);
    thread.start();
    return thread;
  }

  static final class WaitThread extends Thread {
    /** handle -> its registrations, oldest first; guarded by LOCK. */
    final Map<Long, ArrayDeque<Registration>> slots = new LinkedHashMap<>();
    private final long wakeSignal = Waiting.unnamedSignal();

    WaitThread(int number) {
      super("shmlink-wait-" + number);
      setDaemon(true);
    }

    void wake() {
      shmlink.signal_set(wakeSignal);
    }

    @Override
    public void run() {
      long[] handles = new long[shmlink.SHMLINK_MAX_WAIT_OBJECTS];
      int[] index = new int[1];
      List<Runnable> after = new ArrayList<>();
      while (true) {
        int count;
        long deadline = NO_DEADLINE;
        synchronized (LOCK) {
          tidy(after);
          count = 0;
          for (Map.Entry<Long, ArrayDeque<Registration>> slot : slots.entrySet()) {
            handles[count++] = slot.getKey();
            for (Registration registration : slot.getValue()) deadline = Math.min(deadline, registration.deadline);
          }
        }
        for (Runnable action : after) action.run();
        after.clear();
        handles[count] = wakeSignal; // last: a ready object wins over a wake
        int timeoutMs = Timeouts.INFINITE;
        if (deadline != NO_DEADLINE) {
          long left = deadline - System.nanoTime();
          timeoutMs = left <= 0 ? 0 : (int) Math.min(0xFFFFFFFEL, (left + 999_999) / 1_000_000);
        }
        int status = shmlink.wait_any(handles, count + 1, timeoutMs, index);
        if (status >= 0) {
          if (index[0] < count) taken(handles[index[0]], status);
        } else if (status != shmlink.SHMLINK_ERR_TIMEOUT) {
          RuntimeException failure = Failure.fromLastError(status);
          // Which handle failed: each alone, trying once (what is ready is taken and delivered).
          for (int i = 0; i < count; i++) {
            int alone = shmlink.wait_one(handles[i], 0);
            if (alone >= 0) {
              taken(handles[i], alone);
            } else if (alone != shmlink.SHMLINK_ERR_TIMEOUT) {
              failSlot(handles[i], count == 1 ? failure : Failure.fromLastError(alone));
            }
          }
        }
      }
    }

    /** wait_any took `handle`: to the first registration still waiting, else given back. */
    private void taken(long handle, int status) {
      Registration claimed = null;
      Waitable target = null;
      synchronized (LOCK) {
        ArrayDeque<Registration> slot = slots.get(handle);
        if (slot != null) {
          for (Iterator<Registration> it = slot.iterator(); it.hasNext(); ) {
            Registration registration = it.next();
            target = registration.target;
            if (registration.future.claim()) {
              it.remove();
              claimed = registration;
              break;
            }
          }
        }
      }
      if (claimed == null) {
        if (target != null) target.giveBack(handle); // its use is still held: the handle is open
        return;
      }
      unregistered(claimed);
      Registration ready = claimed;
      DELIVERY.execute(() -> ready.waiter.ready(status));
    }

    private void failSlot(long handle, RuntimeException failure) {
      List<Registration> failed = new ArrayList<>();
      synchronized (LOCK) {
        ArrayDeque<Registration> slot = slots.remove(handle);
        if (slot != null) failed.addAll(slot);
      }
      for (Registration registration : failed) {
        unregistered(registration);
        if (registration.future.claim()) DELIVERY.execute(() -> registration.future.fail(failure));
      }
    }

    /**
     * Under LOCK: drops the registrations finished from outside, fails those whose object was
     * closed, times out those past their deadline; what must run outside the lock goes to `after`.
     */
    private void tidy(List<Runnable> after) {
      long now = System.nanoTime();
      for (Iterator<ArrayDeque<Registration>> slotIt = slots.values().iterator(); slotIt.hasNext(); ) {
        ArrayDeque<Registration> slot = slotIt.next();
        for (Iterator<Registration> it = slot.iterator(); it.hasNext(); ) {
          Registration registration = it.next();
          Runnable outcome;
          if (!registration.future.isWaiting()) {
            outcome = null; // finished from outside (cancel, timeout, complete)
          } else if (registration.target.isClosed()) {
            outcome = () -> registration.future.fail(Handle.closed(registration.target));
          } else if (registration.deadline - now <= 0) {
            outcome = registration.waiter::timedOut;
          } else {
            continue;
          }
          it.remove();
          registration.target.pendingWaits--;
          boolean claimed = outcome != null && registration.future.claim();
          after.add(() -> {
            registration.target.handle.release();
            if (claimed) DELIVERY.execute(outcome);
          });
        }
        if (slot.isEmpty()) slotIt.remove();
      }
    }

    private void unregistered(Registration registration) {
      synchronized (LOCK) {
        registration.target.pendingWaits--;
        ArrayDeque<Registration> slot = slots.get(registration.handle);
        if (slot != null && slot.isEmpty()) slots.remove(registration.handle);
      }
      registration.target.handle.release();
    }
  }
}
