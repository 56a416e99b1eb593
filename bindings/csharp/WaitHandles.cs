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
    /// <summary>The most objects one wait takes (63 when it can be cancelled).</summary>
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
                if (handle.IsClosed) throw new ObjectDisposedException(item.GetType().FullName);
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
    /// Waits asynchronously until any one of <paramref name="objects"/> is available and takes it,
    /// on a dedicated thread. Do not put a <see cref="SharedMutex"/> in it: the mutex would belong to
    /// that thread.
    /// </summary>
    /// <param name="objects">1 to 63 objects.</param>
    /// <param name="timeout">How long at most.</param>
    /// <param name="cancellationToken">Cancels the wait (the task ends cancelled).</param>
    /// <returns>Which object was taken, or a timed-out result.</returns>
    public static Task<WaitAnyResult> WaitAnyAsync(IReadOnlyList<SharedWaitable> objects, TimeSpan timeout,
                                                   CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(objects);
        Timeouts.ToMilliseconds(timeout);
        if (cancellationToken.IsCancellationRequested) return Task.FromCanceled<WaitAnyResult>(cancellationToken);
        WaitAnyResult now = WaitAny(objects, TimeSpan.Zero);
        if (!now.TimedOut || timeout == TimeSpan.Zero) return Task.FromResult(now);
        return Task.Factory.StartNew(() => WaitAny(objects, timeout, cancellationToken), cancellationToken,
                                     TaskCreationOptions.LongRunning | TaskCreationOptions.DenyChildAttach,
                                     TaskScheduler.Default);
    }
}
