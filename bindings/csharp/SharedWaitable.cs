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
/// <remarks>Asynchronous waits (<c>WaitAsync</c>, <see cref="WaitHandles.WaitAnyAsync"/>, the channel's
/// asynchronous calls) take no thread each: they are registrations with a few wait threads per process,
/// each waiting in one shmlink_wait_any for up to 63 objects (however many waits each has). Disposing an
/// object ends its pending asynchronous waits with <see cref="ObjectDisposedException"/>.</remarks>
public abstract class SharedWaitable : ShmLinkObject
{
    private protected SharedWaitable(ulong handle, string? name) : base(handle, name) { }

    /// <summary>What a successful wait takes from this object, so that an asynchronous wait that no longer wants
    /// it (cancelled at that instant) can give it back. A mutex cannot be waited on asynchronously.</summary>
    internal abstract WaitTaking AsyncTaking { get; }

    /// <summary>Waits for this object; returns the library's status (OK, ABANDONED or TIMEOUT) and
    /// throws for anything else, or OperationCanceledException.</summary>
    private protected int WaitStatus(TimeSpan timeout, CancellationToken cancellationToken) =>
        WaitStatus(NativeHandle, Timeouts.ToMilliseconds(timeout), cancellationToken);

    /// <summary>Waits for <paramref name="handle"/> (this object's, or one it owns), as <see cref="WaitStatus(TimeSpan, CancellationToken)"/>.</summary>
    private protected unsafe int WaitStatus(NativeHandle handle, uint milliseconds, CancellationToken cancellationToken)
    {
        using var use = new HandleUse(handle, this);
        ulong* handles = stackalloc ulong[2];
        handles[0] = use.Value;
        int status = Waiting.WaitAny(handles, 1, milliseconds, cancellationToken, out _);
        if (status != shmlink.SHMLINK_ERR_TIMEOUT) Failure.ThrowIfFailed(status);
        return status;
    }

    /// <summary>The wait as a task: taken at once if it is available, otherwise a registration with the wait
    /// threads (<see cref="AsyncWaits"/>). Argument errors and a disposed object throw at once.</summary>
    private protected Task<bool> WaitAsyncCore(TimeSpan timeout, CancellationToken cancellationToken) =>
        WaitAsyncCore(NativeHandle, AsyncTaking, timeout, cancellationToken);

    /// <summary>As <see cref="WaitAsyncCore(TimeSpan, CancellationToken)"/>, for <paramref name="handle"/> (this
    /// object's, or one it owns and closes after its own).</summary>
    private protected Task<bool> WaitAsyncCore(NativeHandle handle, WaitTaking taking, TimeSpan timeout,
                                               CancellationToken cancellationToken)
    {
        uint milliseconds = Timeouts.ToMilliseconds(timeout); // argument errors now, not in the task
        ThrowIfDisposed();
        if (cancellationToken.IsCancellationRequested) return Task.FromCanceled<bool>(cancellationToken);
        if (WaitStatus(handle, 0, CancellationToken.None) >= 0) return Task.FromResult(true);
        if (milliseconds == 0) return Task.FromResult(false);
        return Taken(AsyncWaits.Start(new[] { new AsyncWaitTarget(handle, taking, this) }, milliseconds,
                                      cancellationToken));
    }

    private static async Task<bool> Taken(Task<int> wait) => await wait.ConfigureAwait(false) >= 0;

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        // After the handle is marked closed, so a wait registered meanwhile sees it (AsyncWaits.Start).
        if (disposing) AsyncWaits.Abandon(this);
    }
}
