using System;
using System.Threading;
using System.Threading.Tasks;
using ShmLink.Internal;
using ShmLink.Native;

namespace ShmLink;

/// <summary>
/// A named object that can be waited on: a <see cref="Signal"/>, a <see cref="SharedSemaphore"/>,
/// a <see cref="SharedMutex"/> or a <see cref="Channel"/> (ready when a message can be received). Wait for several at once with <see cref="WaitHandles.WaitAny(System.Collections.Generic.IReadOnlyList{SharedWaitable}, TimeSpan, CancellationToken)"/>.
/// </summary>
public abstract class SharedWaitable : ShmLinkObject
{
    private protected SharedWaitable(ulong handle, string? name) : base(handle, name) { }

    /// <summary>Waits for this object; returns the library's status (OK, ABANDONED or TIMEOUT) and
    /// throws for anything else, or OperationCanceledException.</summary>
    private protected unsafe int WaitStatus(TimeSpan timeout, CancellationToken cancellationToken)
    {
        uint milliseconds = Timeouts.ToMilliseconds(timeout);
        using var use = UseHandle();
        ulong* handles = stackalloc ulong[2];
        handles[0] = use.Value;
        int status = Waiting.WaitAny(handles, 1, milliseconds, cancellationToken, out _);
        if (status != shmlink.SHMLINK_ERR_TIMEOUT) Failure.ThrowIfFailed(status);
        return status;
    }

    /// <summary>The blocking wait as a task: taken at once if it is available, otherwise on a
    /// dedicated thread, so the thread pool never blocks.</summary>
    private protected Task<bool> WaitAsyncCore(TimeSpan timeout, CancellationToken cancellationToken)
    {
        Timeouts.ToMilliseconds(timeout); // argument errors now, not in the task
        if (cancellationToken.IsCancellationRequested) return Task.FromCanceled<bool>(cancellationToken);
        if (WaitStatus(TimeSpan.Zero, CancellationToken.None) >= 0) return Task.FromResult(true);
        if (timeout == TimeSpan.Zero) return Task.FromResult(false);
        return Task.Factory.StartNew(() => WaitStatus(timeout, cancellationToken) >= 0, cancellationToken,
                                     TaskCreationOptions.LongRunning | TaskCreationOptions.DenyChildAttach,
                                     TaskScheduler.Default);
    }
}
