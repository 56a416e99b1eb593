using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using ShmLink.Internal;
using ShmLink.Native;

namespace ShmLink;

/// <summary>How a <see cref="WaitHandles.WaitAny(IReadOnlyList{SharedWaitable}, TimeSpan, CancellationToken)"/> ended.</summary>
public readonly struct WaitAnyResult : IEquatable<WaitAnyResult>
{
    internal WaitAnyResult(int index, bool abandoned)
    {
        Index = index;
        Abandoned = abandoned;
    }

    /// <summary>A result for a wait whose time ran out.</summary>
    public static WaitAnyResult TimedOutResult { get; } = new(-1, false);

    /// <summary>The index of the object that was taken, or -1 if the time ran out.</summary>
    public int Index { get; }

    /// <summary>Whether the time ran out before any object was available.</summary>
    public bool TimedOut => Index < 0;

    /// <summary>Whether the object taken is a mutex whose previous owner died holding it.</summary>
    public bool Abandoned { get; }

    /// <inheritdoc />
    public bool Equals(WaitAnyResult other) => Index == other.Index && Abandoned == other.Abandoned;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is WaitAnyResult other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Index, Abandoned);

    /// <summary>Whether two results are equal.</summary>
    /// <param name="left">One result.</param>
    /// <param name="right">The other.</param>
    /// <returns>True if they are equal.</returns>
    public static bool operator ==(WaitAnyResult left, WaitAnyResult right) => left.Equals(right);

    /// <summary>Whether two results differ.</summary>
    /// <param name="left">One result.</param>
    /// <param name="right">The other.</param>
    /// <returns>True if they differ.</returns>
    public static bool operator !=(WaitAnyResult left, WaitAnyResult right) => !left.Equals(right);

    /// <inheritdoc />
    public override string ToString() => TimedOut ? "timed out" : $"index {Index}{(Abandoned ? " (abandoned)" : "")}";
}

/// <summary>Waits on several shmlink objects at once (WaitForMultipleObjects with bWaitAll FALSE).</summary>
public static class WaitHandles
{
    /// <summary>The most objects one wait takes (63 for a blocking wait that can be cancelled).</summary>
    public const int MaxObjects = Waiting.MaxObjects;

    /// <summary>
    /// Waits until any one of <paramref name="objects"/> is available and takes that one only (a
    /// signal is consumed if auto-reset, a semaphore decremented, a mutex acquired; a channel is
    /// available when a message can be received, or receiving would report
    /// <see cref="ShmLinkStatus.Closed"/>, and nothing is taken from it). When several are
    /// available, the lowest index wins. Kinds may be mixed.
    /// </summary>
    /// <param name="objects">1 to 64 objects (63 with a cancellable token).</param>
    /// <param name="timeout">How long at most; <see cref="TimeSpan.Zero"/> tries once,
    /// <see cref="Timeout.InfiniteTimeSpan"/> never expires.</param>
    /// <param name="cancellationToken">Interrupts the wait.</param>
    /// <returns>Which object was taken, or a timed-out result.</returns>
    /// <exception cref="ArgumentException">No objects, too many, or a null among them.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled first.</exception>
    /// <exception cref="ObjectDisposedException">One of the objects was disposed.</exception>
    public static unsafe WaitAnyResult WaitAny(IReadOnlyList<SharedWaitable> objects, TimeSpan timeout,
                                               CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(objects);
        int count = objects.Count;
        if (count == 0 || count > MaxObjects)
            throw new ArgumentException($"WaitAny takes 1 to {MaxObjects} objects, not {count}.", nameof(objects));
        uint milliseconds = Timeouts.ToMilliseconds(timeout);
        ulong* handles = stackalloc ulong[MaxObjects + 1];
        var added = new bool[count];
        try
        {
            for (int i = 0; i < count; i++)
            {
                SharedWaitable item = objects[i]
                    ?? throw new ArgumentException($"objects[{i}] is null.", nameof(objects));
                NativeHandle handle = item.NativeHandle;
                if (item.IsDisposed) throw new ObjectDisposedException(item.GetType().FullName);
                handle.DangerousAddRef(ref added[i]);
                handles[i] = handle.Value;
            }
            int status = Waiting.WaitAny(handles, count, milliseconds, cancellationToken, out int index);
            if (status == shmlink.SHMLINK_ERR_TIMEOUT) return WaitAnyResult.TimedOutResult;
            Failure.ThrowIfFailed(status);
            return new WaitAnyResult(index, status == shmlink.SHMLINK_ABANDONED);
        }
        finally
        {
            for (int i = 0; i < count; i++)
            {
                if (added[i]) objects[i].NativeHandle.DangerousRelease();
            }
        }
    }

    /// <summary>Waits, without a time limit, until any one of <paramref name="objects"/> is available
    /// and takes it.</summary>
    /// <param name="objects">1 to 64 objects.</param>
    /// <returns>Which object was taken.</returns>
    /// <exception cref="ArgumentException">No objects, too many, or a null among them.</exception>
    /// <exception cref="ObjectDisposedException">One of the objects was disposed.</exception>
    public static WaitAnyResult WaitAny(params SharedWaitable[] objects) =>
        WaitAny(objects, Timeout.InfiniteTimeSpan);

    /// <summary>
    /// Waits asynchronously until any one of <paramref name="objects"/> is available and takes it (as
    /// <see cref="WaitAny(IReadOnlyList{SharedWaitable}, TimeSpan, CancellationToken)"/>). If one is available
    /// now, the lowest index wins; later, whichever the process's wait threads see first. The wait takes no
    /// thread: it is a registration with those wait threads.
    /// </summary>
    /// <param name="objects">1 to 64 objects, no <see cref="SharedMutex"/>.</param>
    /// <param name="timeout">How long at most.</param>
    /// <param name="cancellationToken">Cancels the wait (the task ends cancelled; nothing was taken).</param>
    /// <returns>Which object was taken, or a timed-out result. The task fails with ObjectDisposedException if
    /// one of the objects is disposed first.</returns>
    /// <exception cref="ArgumentException">No objects, too many, a null or one given twice.</exception>
    /// <exception cref="NotSupportedException">A <see cref="SharedMutex"/> among them: its owner would be a
    /// wait thread (see <see cref="SharedMutex"/>).</exception>
    /// <exception cref="ObjectDisposedException">One of the objects was disposed.</exception>
    public static Task<WaitAnyResult> WaitAnyAsync(IReadOnlyList<SharedWaitable> objects, TimeSpan timeout,
                                                   CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(objects);
        uint milliseconds = Timeouts.ToMilliseconds(timeout);
        var targets = new AsyncWaitTarget[objects.Count];
        for (int i = 0; i < targets.Length; i++)
        {
            SharedWaitable item = objects[i] ?? throw new ArgumentException($"objects[{i}] is null.", nameof(objects));
            if (item is SharedMutex) throw SharedMutex.AsyncRefused();
            targets[i] = new AsyncWaitTarget(item.NativeHandle, item.AsyncTaking, item);
        }
        if (cancellationToken.IsCancellationRequested) return Task.FromCanceled<WaitAnyResult>(cancellationToken);
        WaitAnyResult now = WaitAny(objects, TimeSpan.Zero); // also refuses a count out of range or a duplicate
        if (!now.TimedOut || milliseconds == 0) return Task.FromResult(now);
        return Result(AsyncWaits.Start(targets, milliseconds, cancellationToken));
    }

    private static async Task<WaitAnyResult> Result(Task<int> wait)
    {
        int index = await wait.ConfigureAwait(false);
        return index < 0 ? WaitAnyResult.TimedOutResult : new WaitAnyResult(index, abandoned: false);
    }
}
