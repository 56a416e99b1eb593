using System;
using System.Runtime.InteropServices;
using System.Threading;
using ShmLink.Internal;
using ShmLink.Native;

namespace ShmLink;

public sealed unsafe partial class Channel
{
    /// <summary>The most messages one batch call passes to the library (the rest go in the next call).</summary>
    private const int MaxBatchPerCall = 256;

    /// <summary>shmlink_channel_message, as the C ABI lays it out on every platform.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct NativeMessage
    {
        public void* Data;
        public uint Length;
        public uint Capacity;
    }

    // ---- Sending many messages in one call ----

    /// <summary>
    /// Sends several messages in one call: message <c>i</c> is the next <c>lengths[i]</c> bytes of
    /// <paramref name="messages"/> (laid end to end). Waits without a time limit for room for the first, then
    /// sends as many of the rest as fit now. Every message is still a message of its own, delivered whole and
    /// in order; a batch costs one library call and one wake-up instead of one each.
    /// </summary>
    /// <param name="messages">The messages, end to end: at least the sum of <paramref name="lengths"/> bytes.</param>
    /// <param name="lengths">Each message's length (0 to the channel's maximum); at least one.</param>
    /// <param name="cancellationToken">Interrupts the wait for room at once.</param>
    /// <returns>How many messages were sent, from the first (at least 1): send the rest in another call.</returns>
    /// <exception cref="ArgumentException">No lengths, a negative length, or lengths that add up to more than
    /// <paramref name="messages"/> holds.</exception>
    /// <exception cref="IShmLinkError"><see cref="ShmLinkStatus.Closed"/>: every receiver is gone;
    /// <see cref="ShmLinkStatus.TooLarge"/>: a length above the channel's maximum (nothing was sent);
    /// <see cref="ShmLinkStatus.AccessDenied"/>: not a sender.</exception>
    /// <exception cref="InvalidOperationException">A reservation of this channel object is not committed.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled first.</exception>
    /// <exception cref="ObjectDisposedException">The channel was disposed.</exception>
    public int SendBatch(ReadOnlySpan<byte> messages, ReadOnlySpan<int> lengths,
                         CancellationToken cancellationToken = default) =>
        SendBatch(messages, lengths, Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>Sends several messages in one call, waiting at most <paramref name="timeout"/> for room for the
    /// first (see <see cref="SendBatch(ReadOnlySpan{byte}, ReadOnlySpan{int}, CancellationToken)"/>).</summary>
    /// <param name="messages">The messages, end to end.</param>
    /// <param name="lengths">Each message's length; at least one.</param>
    /// <param name="timeout">How long at most; <see cref="TimeSpan.Zero"/> tries once,
    /// <see cref="Timeout.InfiniteTimeSpan"/> never expires.</param>
    /// <param name="cancellationToken">Interrupts the wait for room at once.</param>
    /// <returns>How many messages were sent, from the first (at least 1).</returns>
    /// <exception cref="TimeoutException">No room for the first message in time; nothing was sent.</exception>
    /// <exception cref="ArgumentException">As <see cref="SendBatch(ReadOnlySpan{byte}, ReadOnlySpan{int}, CancellationToken)"/>.</exception>
    /// <exception cref="IShmLinkError">As <see cref="SendBatch(ReadOnlySpan{byte}, ReadOnlySpan{int}, CancellationToken)"/>.</exception>
    /// <exception cref="InvalidOperationException">A reservation of this channel object is not committed.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled first.</exception>
    /// <exception cref="ObjectDisposedException">The channel was disposed.</exception>
    public int SendBatch(ReadOnlySpan<byte> messages, ReadOnlySpan<int> lengths, TimeSpan timeout,
                         CancellationToken cancellationToken = default) =>
        TrySendBatch(messages, lengths, timeout, out int sent, cancellationToken)
            ? sent
            : throw TimedOut("room for a message", timeout);

    /// <summary>Sends several messages in one call, waiting at most <paramref name="timeout"/> for room for the
    /// first (see <see cref="SendBatch(ReadOnlySpan{byte}, ReadOnlySpan{int}, CancellationToken)"/>).</summary>
    /// <param name="messages">The messages, end to end.</param>
    /// <param name="lengths">Each message's length; at least one.</param>
    /// <param name="timeout">How long at most; <see cref="TimeSpan.Zero"/> tries once.</param>
    /// <param name="sent">How many messages were sent, from the first; 0 when the time ran out.</param>
    /// <param name="cancellationToken">Interrupts the wait for room at once.</param>
    /// <returns>True if at least one message was sent, false if the time ran out first.</returns>
    /// <exception cref="ArgumentException">As <see cref="SendBatch(ReadOnlySpan{byte}, ReadOnlySpan{int}, CancellationToken)"/>.</exception>
    /// <exception cref="IShmLinkError">As <see cref="SendBatch(ReadOnlySpan{byte}, ReadOnlySpan{int}, CancellationToken)"/>.</exception>
    /// <exception cref="InvalidOperationException">A reservation of this channel object is not committed.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled first.</exception>
    /// <exception cref="ObjectDisposedException">The channel was disposed.</exception>
    public bool TrySendBatch(ReadOnlySpan<byte> messages, ReadOnlySpan<int> lengths, TimeSpan timeout,
                             out int sent, CancellationToken cancellationToken = default)
    {
        CheckBatchLengths(lengths, messages.Length, nameof(messages));
        uint milliseconds = Timeouts.ToMilliseconds(timeout);
        int count = Math.Min(lengths.Length, MaxBatchPerCall);
        NativeMessage* batch = stackalloc NativeMessage[count];
        using var use = UseHandle();
        if (_reserved) throw ReservationOutstanding();
        int status;
        uint done;
        fixed (byte* data = messages)
        {
            int offset = 0;
            for (int i = 0; i < count; i++)
            {
                batch[i] = new NativeMessage { Data = data + offset, Length = (uint)lengths[i] };
                offset += lengths[i];
            }
            var call = new BatchCall(BatchOperation.Send, batch, (uint)count);
            status = BlockingBatch(ref call, use.Value, milliseconds, cancellationToken, out done);
        }
        sent = (int)done;
        if (status == shmlink.SHMLINK_ERR_TIMEOUT) return false;
        Failure.ThrowIfFailed(status);
        return true;
    }

    // ---- Receiving many messages in one call ----

    /// <summary>
    /// Receives as many messages as are queued (at least one, waiting without a time limit for it), up to
    /// <c>lengths.Length</c>, into <paramref name="buffer"/> end to end: message <c>i</c> is the next
    /// <c>lengths[i]</c> bytes. A batch takes messages of up to <c>buffer.Length / lengths.Length</c> bytes
    /// each; a longer message ends the batch before it (it stays queued) unless it comes first and fits in
    /// the whole buffer, and then it is received alone.
    /// </summary>
    /// <param name="buffer">Where the messages go, end to end.</param>
    /// <param name="lengths">Receives each message's length; its length is the most messages to take.</param>
    /// <param name="cancellationToken">Interrupts the wait.</param>
    /// <returns>How many messages were received (at least 1).</returns>
    /// <exception cref="ArgumentException"><paramref name="lengths"/> is empty.</exception>
    /// <exception cref="IShmLinkError"><see cref="ShmLinkStatus.Closed"/>: every sender is gone and
    /// nothing is queued (the end of the stream); <see cref="ShmLinkStatus.BufferTooSmall"/>: the next
    /// message is longer than <paramref name="buffer"/> (it stays queued);
    /// <see cref="ShmLinkStatus.AccessDenied"/>: not a receiver.</exception>
    /// <exception cref="InvalidOperationException">A peeked message of this channel object is not consumed.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled first.</exception>
    /// <exception cref="ObjectDisposedException">The channel was disposed.</exception>
    public int ReceiveBatch(Span<byte> buffer, Span<int> lengths, CancellationToken cancellationToken = default) =>
        ReceiveBatch(buffer, lengths, Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>Receives as many messages as are queued, waiting at most <paramref name="timeout"/> for the
    /// first (see <see cref="ReceiveBatch(Span{byte}, Span{int}, CancellationToken)"/>).</summary>
    /// <param name="buffer">Where the messages go, end to end.</param>
    /// <param name="lengths">Receives each message's length; its length is the most messages to take.</param>
    /// <param name="timeout">How long at most; <see cref="TimeSpan.Zero"/> tries once,
    /// <see cref="Timeout.InfiniteTimeSpan"/> never expires.</param>
    /// <param name="cancellationToken">Interrupts the wait.</param>
    /// <returns>How many messages were received (at least 1).</returns>
    /// <exception cref="TimeoutException">No message came in time.</exception>
    /// <exception cref="ArgumentException"><paramref name="lengths"/> is empty.</exception>
    /// <exception cref="IShmLinkError">As <see cref="ReceiveBatch(Span{byte}, Span{int}, CancellationToken)"/>.</exception>
    /// <exception cref="InvalidOperationException">A peeked message of this channel object is not consumed.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled first.</exception>
    /// <exception cref="ObjectDisposedException">The channel was disposed.</exception>
    public int ReceiveBatch(Span<byte> buffer, Span<int> lengths, TimeSpan timeout,
                            CancellationToken cancellationToken = default) =>
        TryReceiveBatch(buffer, lengths, timeout, out int received, cancellationToken)
            ? received
            : throw TimedOut("message", timeout);

    /// <summary>Receives as many messages as are queued, waiting at most <paramref name="timeout"/> for the
    /// first (see <see cref="ReceiveBatch(Span{byte}, Span{int}, CancellationToken)"/>).</summary>
    /// <param name="buffer">Where the messages go, end to end.</param>
    /// <param name="lengths">Receives each message's length; its length is the most messages to take.</param>
    /// <param name="timeout">How long at most; <see cref="TimeSpan.Zero"/> tries once.</param>
    /// <param name="received">How many messages were received; 0 when none came in time.</param>
    /// <param name="cancellationToken">Interrupts the wait.</param>
    /// <returns>True if at least one message was received, false if the time ran out first.</returns>
    /// <exception cref="ArgumentException"><paramref name="lengths"/> is empty.</exception>
    /// <exception cref="IShmLinkError">As <see cref="ReceiveBatch(Span{byte}, Span{int}, CancellationToken)"/>.</exception>
    /// <exception cref="InvalidOperationException">A peeked message of this channel object is not consumed.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled first.</exception>
    /// <exception cref="ObjectDisposedException">The channel was disposed.</exception>
    public bool TryReceiveBatch(Span<byte> buffer, Span<int> lengths, TimeSpan timeout, out int received,
                                CancellationToken cancellationToken = default)
    {
        if (lengths.IsEmpty) throw new ArgumentException("A batch takes at least one message.", nameof(lengths));
        uint milliseconds = Timeouts.ToMilliseconds(timeout);
        int count = Math.Min(lengths.Length, MaxBatchPerCall);
        // Each message gets an equal share of the buffer; they are moved together afterwards.
        int share = buffer.Length / count;
        NativeMessage* batch = stackalloc NativeMessage[count];
        using var use = UseHandle();
        if (_peeked) throw PeekOutstanding();
        int status;
        uint done;
        fixed (byte* data = buffer)
        {
            for (int i = 0; i < count; i++)
                batch[i] = new NativeMessage { Data = data + (long)i * share, Capacity = (uint)share };
            var call = new BatchCall(BatchOperation.Receive, batch, (uint)count);
            status = BlockingBatch(ref call, use.Value, milliseconds, cancellationToken, out done);
            while (status == shmlink.SHMLINK_ERR_BUFFER_TOO_SMALL && batch[0].Length <= (uint)buffer.Length)
            {
                // The first message needs more than a share but fits in the whole buffer: it comes alone.
                // (Another receiver may take it first; then the next one is tried the same way.)
                batch[0] = new NativeMessage { Data = data, Capacity = (uint)buffer.Length };
                var alone = new BatchCall(BatchOperation.Receive, batch, 1);
                status = BlockingBatch(ref alone, use.Value, milliseconds, cancellationToken, out done);
            }
        }
        received = 0;
        if (status == shmlink.SHMLINK_ERR_TIMEOUT) return false;
        if (status == shmlink.SHMLINK_ERR_BUFFER_TOO_SMALL) throw BufferTooSmall(batch[0].Length, buffer.Length);
        Failure.ThrowIfFailed(status);
        received = (int)done;
        int end = 0;
        for (int i = 0; i < received; i++)
        {
            int length = (int)batch[i].Length;
            int from = (int)((byte*)batch[i].Data - (byte*)batch[0].Data);
            if (from != end) buffer.Slice(from, length).CopyTo(buffer.Slice(end)); // moves down: safe to overlap
            lengths[i] = length;
            end += length;
        }
        return true;
    }

    // ---- Internals ----

    private enum BatchOperation { Send, Receive }

    /// <summary>One batch call's arguments, made again with a zero timeout while a cancellable wait polls.</summary>
    private readonly struct BatchCall
    {
        private readonly BatchOperation _operation;
        private readonly NativeMessage* _messages;
        private readonly uint _count;

        public BatchCall(BatchOperation operation, NativeMessage* messages, uint count)
        {
            _operation = operation;
            _messages = messages;
            _count = count;
        }

        public bool Sends => _operation == BatchOperation.Send;

        public int Invoke(ulong handle, uint milliseconds, out uint done) => _operation == BatchOperation.Send
            ? shmlink.channel_send_batch(handle, _messages, _count, milliseconds, out done)
            : shmlink.channel_receive_batch(handle, _messages, _count, milliseconds, out done);
    }

    /// <summary>A batch call that may wait: as <see cref="Blocking"/> does for one message.</summary>
    private int BlockingBatch(ref BatchCall call, ulong handle, uint milliseconds, CancellationToken cancellationToken,
                              out uint done)
    {
        if (!cancellationToken.CanBeCanceled) return call.Invoke(handle, milliseconds, out done);
        cancellationToken.ThrowIfCancellationRequested();
        NativeHandle? ready = null;
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        while (true)
        {
            int status = call.Invoke(handle, 0, out done);
            if (status != shmlink.SHMLINK_ERR_TIMEOUT) return status;
            uint remaining = Remaining(milliseconds, start);
            if (remaining == 0) return status;
            status = WaitUntilReady(ref ready, call.Sends ? ChannelCondition.CanSend : ChannelCondition.CanReceive,
                                    remaining, cancellationToken);
            if (status < 0) return status; // TIMEOUT, or the wait's own failure
        }
    }

    private static void CheckBatchLengths(ReadOnlySpan<int> lengths, int available, string bufferName)
    {
        if (lengths.IsEmpty) throw new ArgumentException("A batch has at least one message.", nameof(lengths));
        long total = 0;
        int count = Math.Min(lengths.Length, MaxBatchPerCall);
        for (int i = 0; i < count; i++)
        {
            if (lengths[i] < 0)
                throw new ArgumentException($"Message {i} has a negative length ({lengths[i]}).", nameof(lengths));
            total += lengths[i];
        }
        if (total > available)
            throw new ArgumentException(
                $"The first {count} lengths add up to {total} bytes; {bufferName} has {available}.", nameof(lengths));
    }
}
