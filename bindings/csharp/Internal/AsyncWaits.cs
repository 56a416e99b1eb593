using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using ShmLink.Native;

namespace ShmLink.Internal;

/// <summary>What a successful wait takes from an object: what must be given back when the wait that
/// took it was already cancelled, timed out or disposed at that instant.</summary>
internal enum WaitTaking
{
    /// <summary>Nothing (a manual-reset signal, a channel, a channel condition): the object stays
    /// ready, so one report completes every pending wait on it.</summary>
    Nothing,
    /// <summary>The set state of an auto-reset signal, or of a signal whose mode this process does not
    /// know (opened by name): one report completes one wait; unwanted, the signal is set again.</summary>
    SignalUnit,
    /// <summary>One count of a semaphore: one report completes one wait; unwanted, it is released.</summary>
    SemaphoreUnit,
}

/// <summary>One object an asynchronous wait waits for: the native handle to wait on, what a wait takes
/// from it, and the object whose disposal ends the wait.</summary>
internal readonly record struct AsyncWaitTarget(NativeHandle Handle, WaitTaking Taking, ShmLinkObject Owner);

/// <summary>
/// Asynchronous waits without a thread per wait. A pending wait is a registration: a few wait
/// threads per process each wait in one shmlink_wait_any on up to 63 objects (every object that
/// pending waits of this process wait for, each once, however many waits it has) plus one unnamed
/// auto-reset "wake" signal, set to make the thread look at its registrations again (added,
/// cancelled, disposed, an earlier deadline). A thread is started when the objects waited on at
/// once pass a multiple of 63; threads stay for later waits (background threads: they never keep
/// the process alive).
/// </summary>
/// <remarks>
/// <para>Completing: every registration ends once, on a wait thread, by whichever comes first of its
/// object, its deadline, its token or its object's disposal (<see cref="Abandon"/>); the token's
/// callback and Abandon only mark it and wake its threads, which end it before they wait again. So
/// a cancelled or disposed wait has ended only once no wait thread can still be taking its object
/// for it: shmlink_wait_any takes what it reports (an auto-reset signal's set state, a semaphore's
/// count), and a report goes to the oldest pending registration of that object, with success even
/// if its token was cancelled meanwhile (the cancel came too late). One atomic exchange decides.
/// Only a wait for several objects that wait threads report at once (WaitAnyAsync over objects of
/// two threads) leaves a thread with a unit nobody wants: it gives it back (sets the signal again,
/// releases the semaphore), a moment after the wait completed. Completions run their continuations
/// asynchronously, never on a wait thread.</para>
/// <para>Mutexes are never waited on here: the wait thread would own what it acquired, and a mutex
/// cannot be handed to another thread (see <see cref="SharedMutex"/>).</para>
/// <para>Native handles stay open while they are waited on: a slot holds a reference on its
/// <see cref="NativeHandle"/> (a disposed object's handle closes when its slot goes).</para>
/// </remarks>
internal static unsafe class AsyncWaits
{
    /// <summary>The objects one wait thread waits on; its wait signal takes the 64th place.</summary>
    internal const int ObjectsPerThread = Waiting.MaxObjects - 1;

    private static readonly object Gate = new();
    private static readonly Dictionary<NativeHandle, Slot> SlotsByHandle = new(ReferenceEqualityComparer.Instance);
    private static readonly List<WaitThread> Threads = new();

    /// <summary>The number of wait threads started in this process (for tests).</summary>
    internal static int ThreadCount
    {
        get
        {
            lock (Gate) return Threads.Count;
        }
    }

    /// <summary>
    /// Registers a wait for any of <paramref name="targets"/> (distinct handles, no mutex). The task
    /// gives the index of the target taken, or -1 when <paramref name="timeoutMs"/> ran out; it ends
    /// cancelled by the token, or with ObjectDisposedException when an owner is disposed first. The
    /// caller tried once without waiting already.
    /// </summary>
    internal static Task<int> Start(AsyncWaitTarget[] targets, uint timeoutMs, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested) return Task.FromCanceled<int>(cancellationToken);
        long deadline = timeoutMs == Timeouts.Infinite
            ? long.MaxValue
            : Stopwatch.GetTimestamp() + (long)timeoutMs * Stopwatch.Frequency / 1000;
        var registration = new Registration(targets.Length, deadline, cancellationToken);
        var toWake = new List<WaitThread>(1);
        lock (Gate)
        {
            try
            {
                for (int i = 0; i < targets.Length; i++)
                {
                    Slot slot = SlotFor(targets[i], toWake);
                    registration.Slots[i] = slot;
                    registration.Owners[i] = targets[i].Owner;
                    slot.Pending.Add(registration);
                    // The thread's wait may end later than this deadline: it must look again.
                    if (deadline < slot.Thread.WaitingUntil && !toWake.Contains(slot.Thread)) toWake.Add(slot.Thread);
                }
            }
            catch
            {
                // A handle disposed meanwhile: the slots made so far drop this registration.
                registration.TryClaim();
                foreach (WaitThread thread in toWake) thread.Wake();
                throw;
            }
        }
        foreach (WaitThread thread in toWake) thread.Wake();
        if (cancellationToken.CanBeCanceled)
        {
            registration.Cancellation = cancellationToken.UnsafeRegister(
                static state => Cancel((Registration)state!), registration);
            if (registration.IsDone) registration.Cancellation.Unregister();
        }
        // An owner disposed while this was being registered: Abandon may have looked before the
        // registration was there (it looks under Gate after the handle is marked closed).
        foreach (ShmLinkObject owner in registration.Owners)
        {
            if (owner.IsDisposed) RequestEnd(registration, new ObjectDisposedException(owner.GetType().FullName));
        }
        return registration.Completion.Task;
    }

    /// <summary>Ends every pending wait of <paramref name="owner"/> with ObjectDisposedException; called by its
    /// Dispose after its handles are marked closed.</summary>
    internal static void Abandon(ShmLinkObject owner)
    {
        var abandoned = new List<Registration>();
        lock (Gate)
        {
            if (SlotsByHandle.Count == 0) return;
            foreach (Slot slot in SlotsByHandle.Values)
            {
                foreach (Registration registration in slot.Pending)
                {
                    if (!registration.IsDone && Array.IndexOf(registration.Owners, owner) >= 0
                        && !abandoned.Contains(registration))
                        abandoned.Add(registration);
                }
            }
        }
        foreach (Registration registration in abandoned)
            RequestEnd(registration, new ObjectDisposedException(owner.GetType().FullName));
    }

    /// <summary>The token's callback: the registration's wait threads end it (<see cref="WaitThread"/>'s Tidy).</summary>
    private static void Cancel(Registration registration) => RequestEnd(registration, null);

    /// <summary>Asks the registration's wait threads to end it: cancelled (<paramref name="error"/> null) or with
    /// <paramref name="error"/>; the first request counts.</summary>
    private static void RequestEnd(Registration registration, Exception? error)
    {
        if (registration.IsDone || !registration.TryRequestEnd(error)) return;
        WakeThreadsOf(registration, except: null);
    }

    private static void Fail(Registration registration, Exception error)
    {
        if (!registration.TryClaim()) return;
        registration.Cancellation.Unregister();
        registration.Completion.TrySetException(error);
        WakeThreadsOf(registration, except: null);
    }

    /// <summary>Completes a claimed registration with the index taken (or -1); its other threads drop it.</summary>
    private static void Complete(Registration registration, int index, WaitThread? current)
    {
        registration.Cancellation.Unregister();
        registration.Completion.TrySetResult(index);
        WakeThreadsOf(registration, current);
    }

    /// <summary>Ends a claimed registration as requested: cancelled, or failed; its other threads drop it.</summary>
    private static void End(Registration registration, WaitThread current)
    {
        registration.Cancellation.Unregister();
        Exception? error = registration.EndError;
        if (error != null) registration.Completion.TrySetException(error);
        else registration.Completion.TrySetCanceled(registration.Token);
        WakeThreadsOf(registration, current);
    }

    private static void WakeThreadsOf(Registration registration, WaitThread? except)
    {
        foreach (Slot? slot in registration.Slots)
        {
            if (slot != null && slot.Thread != except) slot.Thread.Wake();
        }
    }

    /// <summary>The slot of a handle (under Gate): the existing one, or a new one on a thread with room.</summary>
    private static Slot SlotFor(AsyncWaitTarget target, List<WaitThread> toWake)
    {
        if (SlotsByHandle.TryGetValue(target.Handle, out Slot? existing)) return existing;
        WaitThread? thread = null;
        foreach (WaitThread candidate in Threads)
        {
            if (candidate.Slots.Count < ObjectsPerThread)
            {
                thread = candidate;
                break;
            }
        }
        bool added = false;
        target.Handle.DangerousAddRef(ref added); // ObjectDisposedException if closed
        try
        {
            if (thread == null)
            {
                thread = new WaitThread();
                Threads.Add(thread);
            }
        }
        catch
        {
            target.Handle.DangerousRelease();
            throw;
        }
        var slot = new Slot(target.Handle, target.Taking, thread);
        SlotsByHandle.Add(target.Handle, slot);
        thread.Slots.Add(slot);
        if (!toWake.Contains(thread)) toWake.Add(thread);
        return slot;
    }

    private sealed class Registration
    {
        private int _done;
        private int _endRequested;
        private Exception? _endError;

        internal Registration(int count, long deadline, CancellationToken token)
        {
            Slots = new Slot?[count];
            Owners = new ShmLinkObject[count];
            Deadline = deadline;
            Token = token;
        }

        internal readonly TaskCompletionSource<int> Completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        internal readonly Slot?[] Slots;
        internal readonly ShmLinkObject[] Owners;
        internal readonly long Deadline;
        internal readonly CancellationToken Token;
        internal CancellationTokenRegistration Cancellation;

        internal bool IsDone => Volatile.Read(ref _done) != 0;

        /// <summary>True for the one caller that ends this registration.</summary>
        internal bool TryClaim() => Interlocked.Exchange(ref _done, 1) == 0;

        /// <summary>Whether it is to end (cancelled, or failed with <see cref="EndError"/>) when a wait thread next looks.</summary>
        internal bool EndRequested => Volatile.Read(ref _endRequested) != 0;

        internal Exception? EndError => Volatile.Read(ref _endError);

        internal bool TryRequestEnd(Exception? error)
        {
            if (Volatile.Read(ref _endRequested) != 0) return false;
            Volatile.Write(ref _endError, error);
            return Interlocked.Exchange(ref _endRequested, 1) == 0;
        }
    }

    private sealed class Slot
    {
        internal Slot(NativeHandle handle, WaitTaking taking, WaitThread thread)
        {
            Handle = handle;
            Value = handle.Value;
            Taking = taking;
            Thread = thread;
        }

        internal readonly NativeHandle Handle;
        internal readonly ulong Value;
        internal readonly WaitTaking Taking;
        internal readonly WaitThread Thread;
        /// <summary>Oldest first; done registrations are dropped by the wait thread.</summary>
        internal readonly List<Registration> Pending = new();
    }

    private sealed class WaitThread
    {
        private readonly ulong _wake;

        internal WaitThread()
        {
            int status = shmlink.signal_create(null!, shmlink.SHMLINK_SIGNAL_AUTO_RESET, out _wake);
            Failure.ThrowIfFailed(status);
            var thread = new Thread(Run) { IsBackground = true, Name = "shmlink async waits" };
            thread.Start();
        }

        /// <summary>Under Gate: the objects this thread waits on.</summary>
        internal readonly List<Slot> Slots = new();

        /// <summary>Under Gate: when the thread's current wait times out (Stopwatch ticks).</summary>
        internal long WaitingUntil = long.MaxValue;

        internal void Wake() => shmlink.signal_set(_wake);

        private void Run()
        {
            ulong* handles = stackalloc ulong[ObjectsPerThread + 1];
            var waited = new Slot[ObjectsPerThread];
            handles[0] = _wake;
            while (true)
            {
                int count;
                uint timeout;
                lock (Gate)
                {
                    long now = Stopwatch.GetTimestamp();
                    long nearest = Tidy(now);
                    count = Slots.Count;
                    for (int i = 0; i < count; i++)
                    {
                        waited[i] = Slots[i];
                        handles[i + 1] = Slots[i].Value;
                    }
                    WaitingUntil = nearest;
                    timeout = nearest == long.MaxValue
                        ? Timeouts.Infinite
                        : (uint)Math.Min(Timeouts.Infinite - 1,
                                         ((nearest - now) * 1000 + Stopwatch.Frequency - 1) / Stopwatch.Frequency);
                }
                int status = shmlink.wait_any(handles, (uint)count + 1, timeout, out uint index);
                if (status >= 0)
                {
                    if (index > 0 && index <= count) Report(waited[index - 1]);
                }
                else if (status != shmlink.SHMLINK_ERR_TIMEOUT)
                {
                    // One of the objects fails (for example CORRUPT: its file was truncated); which one,
                    // wait_any does not say: try each alone, and fail only the waits of those that fail.
                    Exception waitFailure = Failure.FromLastError(status);
                    bool found = false;
                    for (int i = 0; i < count; i++)
                    {
                        int alone = shmlink.wait(waited[i].Value, 0);
                        if (alone >= 0) Report(waited[i]);
                        else if (alone != shmlink.SHMLINK_ERR_TIMEOUT)
                        {
                            found = true;
                            FailSlot(waited[i], Failure.FromLastError(alone));
                        }
                    }
                    // Not reproducible alone (the wake signal's own failure?): fail them all rather than spin.
                    if (!found)
                    {
                        for (int i = 0; i < count; i++) FailSlot(waited[i], waitFailure);
                    }
                }
                Array.Clear(waited, 0, count);
            }
        }

        /// <summary>Under Gate: ends the registrations past their deadline, drops the done ones and the
        /// slots left without any (releasing their handles); returns the nearest deadline left.</summary>
        private long Tidy(long now)
        {
            long nearest = long.MaxValue;
            for (int s = Slots.Count - 1; s >= 0; s--)
            {
                Slot slot = Slots[s];
                List<Registration> pending = slot.Pending;
                for (int r = pending.Count - 1; r >= 0; r--)
                {
                    Registration registration = pending[r];
                    if (!registration.IsDone && registration.Deadline <= now && registration.TryClaim())
                        Complete(registration, -1, this);
                    else if (!registration.IsDone && registration.EndRequested && registration.TryClaim())
                        End(registration, this);
                    if (registration.IsDone) pending.RemoveAt(r);
                    else if (registration.Deadline < nearest) nearest = registration.Deadline;
                }
                if (pending.Count == 0)
                {
                    Slots.RemoveAt(s);
                    SlotsByHandle.Remove(slot.Handle);
                    slot.Handle.DangerousRelease();
                }
            }
            return nearest;
        }

        /// <summary>wait_any took (or found ready) the slot's object: give it to its oldest pending
        /// registration(s), or back to the object.</summary>
        private void Report(Slot slot)
        {
            bool claimed = false;
            lock (Gate)
            {
                List<Registration> pending = slot.Pending;
                if (slot.Taking == WaitTaking.Nothing)
                {
                    foreach (Registration registration in pending)
                    {
                        if (registration.TryClaim()) Complete(registration, Array.IndexOf(registration.Slots, slot), this);
                    }
                    pending.Clear();
                    return;
                }
                int taken = 0;
                while (taken < pending.Count && !claimed)
                {
                    Registration registration = pending[taken++];
                    if (registration.TryClaim())
                    {
                        claimed = true;
                        Complete(registration, Array.IndexOf(registration.Slots, slot), this);
                    }
                }
                pending.RemoveRange(0, taken);
            }
            if (claimed) return;
            // Every wait for it ended meanwhile: the unit goes back where it was.
            if (slot.Taking == WaitTaking.SemaphoreUnit) shmlink.semaphore_release(slot.Value, 1, out _);
            else shmlink.signal_set(slot.Value);
        }

        private void FailSlot(Slot slot, Exception error)
        {
            Registration[] pending;
            lock (Gate) pending = slot.Pending.ToArray();
            foreach (Registration registration in pending) Fail(registration, error);
        }
    }
}
