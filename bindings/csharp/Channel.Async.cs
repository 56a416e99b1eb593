using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using ShmLink.Internal;
using ShmLink.Native;

namespace ShmLink;

// Channel's conditions and asynchronous calls: each tries the copying call at once, and when it would
// wait, awaits the channel's readiness (a registration with AsyncWaits) and tries again.
public sealed partial class Channel
{
    /// <summary>Waits until <paramref name="condition"/> holds: room for a message, a message to receive, or
    /// the peers of a side there or gone (for example <see cref="ChannelCondition.ReceiversPresent"/> before a
    /// sender closes, so that what it queued is not lost with the channel). Takes nothing.</summary>
    /// <param name="condition">What to wait for.</param>
    /// <param name="timeout">How long at most; <see cref="TimeSpan.Zero"/> looks once,
    /// <see cref="Timeout.InfiniteTimeSpan"/> never expires.</param>
    /// <param name="cancellationToken">Interrupts the wait.</param>
    /// <returns>True if the condition held, false if the time ran out.</returns>
    /// <exception cref="ArgumentOutOfRangeException">Not a condition.</exception>
    /// <exception cref="IShmLinkError"><see cref="ShmLinkStatus.AccessDenied"/>: CanReceive on a handle that does
    /// not receive, CanSend on one that does not send.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled first.</exception>
    /// <exception cref="ObjectDisposedException">The channel was disposed.</exception>
    public bool WaitFor(ChannelCondition condition, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        uint milliseconds = Timeouts.ToMilliseconds(timeout);
        return WaitStatus(WaitHandleFor(condition), milliseconds, cancellationToken) >= 0;
    }

    /// <summary>Waits until any of <paramref name="conditions"/> holds, for example
    /// <see cref="ChannelCondition.ReceiversPresent"/> or <see cref="ChannelCondition.ReceiversGone"/>: a receiver
    /// came (and may have left already). Takes nothing.</summary>
    /// <param name="conditions">1 to 6 conditions, each once.</param>
    /// <param name="timeout">How long at most; <see cref="TimeSpan.Zero"/> looks once,
    /// <see cref="Timeout.InfiniteTimeSpan"/> never expires.</param>
    /// <param name="cancellationToken">Interrupts the wait.</param>
    /// <returns>The index of a condition that held (the lowest when several did), or -1 if the time ran out.</returns>
    /// <exception cref="ArgumentException">No conditions, or one given twice.</exception>
    /// <exception cref="ArgumentOutOfRangeException">Not a condition.</exception>
    /// <exception cref="IShmLinkError"><see cref="ShmLinkStatus.AccessDenied"/>, as for
    /// <see cref="WaitFor(ChannelCondition, TimeSpan, CancellationToken)"/>.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled first.</exception>
    /// <exception cref="ObjectDisposedException">The channel was disposed.</exception>
    public unsafe int WaitForAny(IReadOnlyList<ChannelCondition> conditions, TimeSpan timeout,
                                 CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(conditions);
        int count = conditions.Count;
        if (count == 0 || count > (int)ChannelCondition.ReceiversGone || conditions.Distinct().Count() != count)
            throw new ArgumentException("WaitForAny takes 1 to 6 different conditions.", nameof(conditions));
        uint milliseconds = Timeouts.ToMilliseconds(timeout);
        var handles = new NativeHandle[count];
        for (int i = 0; i < count; i++) handles[i] = WaitHandleFor(conditions[i]);
        ulong* values = stackalloc ulong[count + 1];
        var added = new bool[count];
        try
        {
            ThrowIfDisposed();
            for (int i = 0; i < count; i++)
            {
                handles[i].DangerousAddRef(ref added[i]);
                values[i] = handles[i].Value;
            }
            int status = Waiting.WaitAny(values, count, milliseconds, cancellationToken, out int index);
            if (status == shmlink.SHMLINK_ERR_TIMEOUT) return -1;
            Failure.ThrowIfFailed(status);
            return index;
        }
        finally
        {
            for (int i = 0; i < count; i++)
            {
                if (added[i]) handles[i].DangerousRelease();
            }
        }
    }

    /// <summary>Waits asynchronously until <paramref name="condition"/> holds (see
    /// <see cref="WaitFor(ChannelCondition, TimeSpan, CancellationToken)"/>). Takes nothing.</summary>
    /// <param name="condition">What to wait for.</param>
    /// <param name="timeout">How long at most; <see cref="Timeout.InfiniteTimeSpan"/> never expires.</param>
    /// <param name="cancellationToken">Cancels the wait (the task ends cancelled).</param>
    /// <returns>True if the condition held, false if the time ran out. The task fails with
    /// ObjectDisposedException if the channel is disposed first.</returns>
    /// <exception cref="ArgumentOutOfRangeException">Not a condition, or a negative timeout.</exception>
    /// <exception cref="IShmLinkError"><see cref="ShmLinkStatus.AccessDenied"/>, as for
    /// <see cref="WaitFor(ChannelCondition, TimeSpan, CancellationToken)"/>.</exception>
    /// <exception cref="ObjectDisposedException">The channel was disposed.</exception>
    public Task<bool> WaitForAsync(ChannelCondition condition, TimeSpan timeout,
                                   CancellationToken cancellationToken = default) =>
        WaitAsyncCore(WaitHandleFor(condition), WaitTaking.Nothing, timeout, cancellationToken);

    /// <summary>Sends <paramref name="message"/> (a copy), waiting asynchronously without a time limit for room
    /// (for a limit, cancel the token after it, for example with <see cref="CancellationTokenSource.CancelAfter(TimeSpan)"/>).</summary>
    /// <param name="message">The message: up to the channel's maximum length, possibly empty. Not used
    /// after the task completes.</param>
    /// <param name="cancellationToken">Cancels the wait for room; nothing was sent then.</param>
    /// <returns>A task that completes when the message was sent. It fails as
    /// <see cref="Send(ReadOnlySpan{byte}, CancellationToken)"/> does: <see cref="ShmLinkStatus.Closed"/> when every
    /// receiver is gone, <see cref="ShmLinkStatus.TooLarge"/>, <see cref="ShmLinkStatus.AccessDenied"/>,
    /// InvalidOperationException with a reservation outstanding, OperationCanceledException,
    /// ObjectDisposedException.</returns>
    public async ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (TrySend(message.Span)) return;
            await WaitAsyncCore(WaitHandleFor(ChannelCondition.CanSend), WaitTaking.Nothing,
                                Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Receives the next message as a new array of exactly its length, waiting asynchronously without a
    /// time limit.</summary>
    /// <param name="cancellationToken">Cancels the wait; nothing was received then.</param>
    /// <returns>The message. The task fails as <see cref="Receive(CancellationToken)"/> does:
    /// <see cref="ShmLinkStatus.Closed"/> at the end of the stream, <see cref="ShmLinkStatus.AccessDenied"/>,
    /// InvalidOperationException with a peek outstanding, OperationCanceledException,
    /// ObjectDisposedException.</returns>
    public async ValueTask<byte[]> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (TryReceive(out byte[]? message)) return message;
            await WaitAsyncCore(WaitHandleFor(ChannelCondition.CanReceive), WaitTaking.Nothing,
                                Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Receives the next message into <paramref name="buffer"/>, waiting asynchronously without a time
    /// limit.</summary>
    /// <param name="buffer">Where the message goes; the channel's maximum message length always fits. Not used
    /// after the task completes.</param>
    /// <param name="cancellationToken">Cancels the wait; nothing was received then.</param>
    /// <returns>The message's length. The task fails as <see cref="Receive(Span{byte}, CancellationToken)"/>
    /// does (<see cref="ShmLinkStatus.BufferTooSmall"/> leaves the message queued).</returns>
    public async ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (TryReceive(buffer.Span, out int length)) return length;
            await WaitAsyncCore(WaitHandleFor(ChannelCondition.CanReceive), WaitTaking.Nothing,
                                Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Every message until the end of the stream (every sender gone and nothing queued), each as a new
    /// array, received asynchronously: <c>await foreach (byte[] message in channel.ReadAllAsync(token))</c>.</summary>
    /// <param name="cancellationToken">Ends the enumeration with OperationCanceledException.</param>
    /// <returns>The messages, in the order received. The enumeration ends normally at
    /// <see cref="ShmLinkStatus.Closed"/>, and fails as <see cref="ReceiveAsync(CancellationToken)"/> for the
    /// rest.</returns>
    public async IAsyncEnumerable<byte[]> ReadAllAsync(
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int status = ReceiveNow(out byte[]? message);
            if (status == shmlink.SHMLINK_OK)
            {
                yield return message!;
                continue;
            }
            if (status == shmlink.SHMLINK_ERR_CLOSED) yield break;
            await WaitAsyncCore(WaitHandleFor(ChannelCondition.CanReceive), WaitTaking.Nothing,
                                Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One receive of a whole message that does not wait: OK, TIMEOUT (nothing queued) or CLOSED;
    /// throws for anything else.</summary>
    private int ReceiveNow(out byte[]? message)
    {
        using var use = UseHandle();
        if (_peeked) throw PeekOutstanding();
        int status = ReceiveWhole(use.Value, 0, CancellationToken.None, out message);
        if (status != shmlink.SHMLINK_ERR_TIMEOUT && status != shmlink.SHMLINK_ERR_CLOSED)
            Failure.ThrowIfFailed(status);
        return status;
    }
}
