using System;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Threading;
using System.Threading.Tasks;
using ShmLink.Internal;
using ShmLink.Native;

namespace ShmLink;

/// <summary>
/// A named, bounded queue of whole messages in shared memory, for any number of sending and
/// receiving processes. Every message is delivered whole, once, to exactly one receiver, in send
/// order per sender; zero-length messages are valid.
/// </summary>
/// <remarks>
/// <para>Copying calls: <see cref="Send(ReadOnlySpan{byte}, CancellationToken)"/>,
/// <see cref="Receive(Span{byte}, CancellationToken)"/>, <see cref="Receive(CancellationToken)"/> and
/// their <c>Try</c> forms. Zero-copy calls: <see cref="Reserve(int, CancellationToken)"/> then
/// <see cref="ChannelReservation.Commit()"/>, and <see cref="Peek(CancellationToken)"/> then
/// <see cref="ChannelMessage.Consume"/>; one reservation and one peek per channel object at a time.</para>
/// <para>Outcomes: the blocking calls without <c>Try</c> throw <see cref="TimeoutException"/> when their
/// time runs out, the <c>Try</c> calls return false instead. When the other side is gone (every receiver
/// that attached has left, for a send; every sender has left and nothing is queued, for a receive) every call throws
/// <see cref="ShmLinkException"/> with <see cref="ShmLinkStatus.Closed"/>: for a receiver that is the
/// normal end of the stream. A process that dies counts as gone. Before the other side's first peer
/// attaches, sends queue and receives wait: either side may start first.</para>
/// <para>Waiting: a channel is a <see cref="SharedWaitable"/>. <see cref="WaitToReceive(TimeSpan, CancellationToken)"/>
/// and <see cref="WaitHandles.WaitAny(System.Collections.Generic.IReadOnlyList{SharedWaitable}, TimeSpan, CancellationToken)"/>
/// return when a message can be received (or receiving would report Closed); they take nothing, so
/// with several receivers the receive that follows may still find the channel empty.
/// <see cref="WaitFor(ChannelCondition, TimeSpan, CancellationToken)"/> waits for room, or for the peers
/// of a side to be there or gone.</para>
/// <para>Asynchronous calls: <see cref="SendAsync(ReadOnlyMemory{byte}, CancellationToken)"/>,
/// <see cref="ReceiveAsync(CancellationToken)"/>, <see cref="ReceiveAsync(Memory{byte}, CancellationToken)"/>,
/// <see cref="ReadAllAsync(CancellationToken)"/> and <see cref="WaitForAsync(ChannelCondition, TimeSpan, CancellationToken)"/>
/// complete at once when they need not wait, and otherwise wait as a registration with a few wait threads
/// per process (each waits for up to 63 objects at once), never a thread per pending call.</para>
/// <para>Copying calls may be made from several threads at once. The zero-copy spans point into the
/// shared ring: use them only until the commit or consume, and never after the channel is disposed.</para>
/// </remarks>
public sealed unsafe partial class Channel : SharedWaitable
{
    /// <summary>Messages up to this many bytes are received into the stack by <see cref="Receive(CancellationToken)"/>.</summary>
    private const int StackReceiveBytes = 256;

    private enum Operation { Send, Receive, ReceiveWhole, Reserve, Peek }

    private readonly object _zeroCopyGate = new();
    private long _reservationToken;
    private bool _reserved;
    private long _peekToken;
    private bool _peeked;
    private IntPtr _peekedAddress;
    private int _peekedLength;
    // The condition handles (shmlink_channel_waitable) by ChannelCondition, made on first need and
    // closed with the channel: each keeps it attached, as a peer, until closed.
    private readonly object _conditionGate = new();
    private readonly NativeHandle?[] _conditions = new NativeHandle?[(int)ChannelCondition.ReceiversGone + 1];
    private bool _conditionsClosed;

    /// <summary>Waiting on a channel takes nothing.</summary>
    internal override WaitTaking AsyncTaking => WaitTaking.Nothing;

    private Channel(ulong handle, string name, ChannelRole role, bool created) : base(handle, name)
    {
        Role = role;
        Created = created;
    }

    /// <summary>Whether this call created the channel (false when an existing one was opened).</summary>
    public bool Created { get; }

    /// <summary>What this handle may do.</summary>
    public ChannelRole Role { get; }

    /// <summary>Whether this handle sends.</summary>
    public bool CanSend => (Role & ChannelRole.Sender) != 0;

    /// <summary>Whether this handle receives.</summary>
    public bool CanReceive => (Role & ChannelRole.Receiver) != 0;

    /// <summary>The longest message the channel takes: its creator's choice, which an opener learns here.</summary>
    /// <exception cref="ObjectDisposedException">The channel was disposed.</exception>
    public int MaxMessageBytes => checked((int)Info().MaxMessage);

    /// <summary>How many bytes of messages the channel's ring holds: at least the capacity it was created
    /// with. Each message costs its length rounded up to 32, plus a 32-byte header.</summary>
    /// <exception cref="ObjectDisposedException">The channel was disposed.</exception>
    public long CapacityBytes => checked((long)Info().Capacity);

    private (uint MaxMessage, ulong Capacity) Info()
    {
        using var use = UseHandle();
        Failure.ThrowIfFailed(shmlink.channel_info(use.Value, out uint maxMessage, out ulong capacity,
                                                   out _));
        return (maxMessage, capacity);
    }

    /// <summary>Creates a new named channel.</summary>
    /// <param name="name">The name (one namespace for every kind of object).</param>
    /// <param name="capacityBytes">How many bytes of messages it buffers at least; each message costs its
    /// length rounded up to 32, plus a 32-byte header. At least one maximum message plus its header.</param>
    /// <param name="maxMessageBytes">The longest message (1 to <paramref name="capacityBytes"/>).</param>
    /// <param name="role">What this handle does: send, receive or both.</param>
    /// <param name="sharing">Who else may open it.</param>
    /// <returns>The channel.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A negative size, or no role.</exception>
    /// <exception cref="IShmLinkError">For example <see cref="ShmLinkStatus.InvalidArgument"/> (sizes that
    /// do not fit together), <see cref="ShmLinkStatus.AlreadyExists"/>, <see cref="ShmLinkStatus.WrongKind"/>,
    /// <see cref="ShmLinkStatus.InvalidName"/>.</exception>
    public static Channel Create(string name, long capacityBytes, int maxMessageBytes, ChannelRole role,
                                 ObjectSharing sharing = ObjectSharing.CurrentUser) =>
        CreateCore(name, capacityBytes, maxMessageBytes, role, sharing, shmlink.SHMLINK_CREATE_NEW, out _);

    /// <summary>Opens the named channel if it exists (its sizes are its own), or creates it.</summary>
    /// <param name="name">The name.</param>
    /// <param name="capacityBytes">The capacity if it is created (see <see cref="Create"/>).</param>
    /// <param name="maxMessageBytes">The longest message if it is created.</param>
    /// <param name="role">What this handle does: send, receive or both.</param>
    /// <param name="created">True if this call created it.</param>
    /// <param name="sharing">Who else may open it, if it is created.</param>
    /// <returns>The channel.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A negative size, or no role.</exception>
    /// <exception cref="IShmLinkError">For example <see cref="ShmLinkStatus.WrongKind"/>.</exception>
    public static Channel OpenOrCreate(string name, long capacityBytes, int maxMessageBytes, ChannelRole role,
                                       out bool created, ObjectSharing sharing = ObjectSharing.CurrentUser) =>
        CreateCore(name, capacityBytes, maxMessageBytes, role, sharing, shmlink.SHMLINK_OPEN_OR_CREATE, out created);

    /// <summary>
    /// Creates a new named publish/subscribe channel: every receiving handle (a subscriber; at most 32 at a
    /// time) receives every message sent after it attached, in order, at its own pace; zero-copy
    /// <see cref="Peek(CancellationToken)"/> reads it in place. <see cref="Open"/> opens one as it opens a
    /// queue. Sending while no subscriber is attached reaches nobody, and senders never see
    /// <see cref="ShmLinkStatus.Closed"/>.
    /// </summary>
    /// <param name="name">The name (one namespace for every kind of object).</param>
    /// <param name="capacityBytes">How many bytes of messages it holds at least (as <see cref="Create"/>).</param>
    /// <param name="maxMessageBytes">The longest message.</param>
    /// <param name="role">What this handle does: send (publish), receive (subscribe) or both.</param>
    /// <param name="policy">What happens to a subscriber that falls behind.</param>
    /// <param name="sharing">Who else may open it.</param>
    /// <returns>The channel.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A negative size, no role, or an unknown policy.</exception>
    /// <exception cref="IShmLinkError">As <see cref="Create"/>; <see cref="ShmLinkStatus.NoResources"/>: 32
    /// subscribers are attached already.</exception>
    public static Channel CreatePubSub(string name, long capacityBytes, int maxMessageBytes, ChannelRole role,
                                       PubSubPolicy policy = PubSubPolicy.Block,
                                       ObjectSharing sharing = ObjectSharing.CurrentUser) =>
        CreateCore(name, capacityBytes, maxMessageBytes, role, sharing,
                   shmlink.SHMLINK_CREATE_NEW | PubSubFlags(policy), out _);

    /// <summary>Opens the named publish/subscribe channel if it exists, or creates it
    /// (see <see cref="CreatePubSub"/>). A channel of another mode or policy at the name gives
    /// <see cref="ShmLinkStatus.Incompatible"/>.</summary>
    /// <param name="name">The name.</param>
    /// <param name="capacityBytes">The capacity if it is created.</param>
    /// <param name="maxMessageBytes">The longest message if it is created.</param>
    /// <param name="role">What this handle does.</param>
    /// <param name="created">True if this call created it.</param>
    /// <param name="policy">The policy it must have (and gets if it is created).</param>
    /// <param name="sharing">Who else may open it, if it is created.</param>
    /// <returns>The channel.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A negative size, no role, or an unknown policy.</exception>
    /// <exception cref="IShmLinkError">For example <see cref="ShmLinkStatus.Incompatible"/>.</exception>
    public static Channel OpenOrCreatePubSub(string name, long capacityBytes, int maxMessageBytes, ChannelRole role,
                                             out bool created, PubSubPolicy policy = PubSubPolicy.Block,
                                             ObjectSharing sharing = ObjectSharing.CurrentUser) =>
        CreateCore(name, capacityBytes, maxMessageBytes, role, sharing,
                   shmlink.SHMLINK_OPEN_OR_CREATE | PubSubFlags(policy), out created);

    /// <summary>How many messages this subscriber of an overwriting publish/subscribe channel lost because
    /// publishers overwrote them before it read them, since it attached (0 on a queue or under the block
    /// policy).</summary>
    /// <exception cref="IShmLinkError"><see cref="ShmLinkStatus.AccessDenied"/>: not a receiving handle.</exception>
    /// <exception cref="ObjectDisposedException">The channel was disposed.</exception>
    public long Lost
    {
        get
        {
            using var use = UseHandle();
            Failure.ThrowIfFailed(shmlink.channel_lost(use.Value, out ulong lost));
            return checked((long)lost);
        }
    }

    private static uint PubSubFlags(PubSubPolicy policy) => policy switch
    {
        PubSubPolicy.Block => shmlink.SHMLINK_CHANNEL_PUBSUB,
        PubSubPolicy.Overwrite => shmlink.SHMLINK_CHANNEL_PUBSUB | shmlink.SHMLINK_CHANNEL_OVERWRITE,
        _ => throw new ArgumentOutOfRangeException(nameof(policy), policy, "A policy is Block or Overwrite."),
    };

    /// <summary>Opens an existing named channel.</summary>
    /// <param name="name">The name.</param>
    /// <param name="role">What this handle does: send, receive or both.</param>
    /// <returns>The channel.</returns>
    /// <exception cref="ArgumentOutOfRangeException">No role.</exception>
    /// <exception cref="IShmLinkError">For example <see cref="ShmLinkStatus.NotFound"/>,
    /// <see cref="ShmLinkStatus.WrongKind"/>, <see cref="ShmLinkStatus.NoResources"/> (1024 handles are
    /// attached already).</exception>
    public static Channel Open(string name, ChannelRole role)
    {
        ArgumentNullException.ThrowIfNull(name);
        CheckRole(role);
        Failure.ThrowIfFailed(shmlink.channel_open(name, (uint)role, out ulong handle));
        return new Channel(handle, name, role, created: false);
    }

    // ---- Sending ----

    /// <summary>Sends <paramref name="message"/> (a copy), waiting without a time limit for room.</summary>
    /// <param name="message">The message: up to the channel's maximum length, possibly empty.</param>
    /// <param name="cancellationToken">Interrupts the wait for room at once.</param>
    /// <exception cref="IShmLinkError"><see cref="ShmLinkStatus.Closed"/>: every receiver is gone;
    /// <see cref="ShmLinkStatus.TooLarge"/>: longer than the channel's maximum;
    /// <see cref="ShmLinkStatus.AccessDenied"/>: not a sender.</exception>
    /// <exception cref="InvalidOperationException">A reservation of this channel object is not committed.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled first.</exception>
    /// <exception cref="ObjectDisposedException">The channel was disposed.</exception>
    public void Send(ReadOnlySpan<byte> message, CancellationToken cancellationToken = default) =>
        Send(message, Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>Sends <paramref name="message"/> (a copy), waiting at most <paramref name="timeout"/> for room.</summary>
    /// <param name="message">The message: up to the channel's maximum length, possibly empty.</param>
    /// <param name="timeout">How long at most; <see cref="TimeSpan.Zero"/> tries once,
    /// <see cref="Timeout.InfiniteTimeSpan"/> never expires.</param>
    /// <param name="cancellationToken">Interrupts the wait for room at once.</param>
    /// <exception cref="TimeoutException">The channel had no room in time; nothing was sent.</exception>
    /// <exception cref="IShmLinkError"><see cref="ShmLinkStatus.Closed"/>: every receiver is gone;
    /// <see cref="ShmLinkStatus.TooLarge"/>: longer than the channel's maximum;
    /// <see cref="ShmLinkStatus.AccessDenied"/>: not a sender.</exception>
    /// <exception cref="InvalidOperationException">A reservation of this channel object is not committed.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled first.</exception>
    /// <exception cref="ObjectDisposedException">The channel was disposed.</exception>
    public void Send(ReadOnlySpan<byte> message, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (!TrySend(message, timeout, cancellationToken)) throw TimedOut("room for a message", timeout);
    }

    /// <summary>Sends <paramref name="message"/> (a copy) if there is room now.</summary>
    /// <param name="message">The message: up to the channel's maximum length, possibly empty.</param>
    /// <returns>True if it was sent, false if the channel is full.</returns>
    /// <exception cref="IShmLinkError">As <see cref="Send(ReadOnlySpan{byte}, TimeSpan, CancellationToken)"/>.</exception>
    /// <exception cref="InvalidOperationException">A reservation of this channel object is not committed.</exception>
    /// <exception cref="ObjectDisposedException">The channel was disposed.</exception>
    public bool TrySend(ReadOnlySpan<byte> message) => TrySend(message, TimeSpan.Zero);

    /// <summary>Sends <paramref name="message"/> (a copy), waiting at most <paramref name="timeout"/> for room.</summary>
    /// <param name="message">The message: up to the channel's maximum length, possibly empty.</param>
    /// <param name="timeout">How long at most; <see cref="TimeSpan.Zero"/> tries once,
    /// <see cref="Timeout.InfiniteTimeSpan"/> never expires.</param>
    /// <param name="cancellationToken">Interrupts the wait for room at once.</param>
    /// <returns>True if it was sent, false if the time ran out first.</returns>
    /// <exception cref="IShmLinkError">As <see cref="Send(ReadOnlySpan{byte}, TimeSpan, CancellationToken)"/>.</exception>
    /// <exception cref="InvalidOperationException">A reservation of this channel object is not committed.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled first.</exception>
    /// <exception cref="ObjectDisposedException">The channel was disposed.</exception>
    public bool TrySend(ReadOnlySpan<byte> message, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        uint milliseconds = Timeouts.ToMilliseconds(timeout);
        using var use = UseHandle();
        if (_reserved) throw ReservationOutstanding();
        int status;
        fixed (byte* data = message)
        {
            status = Blocking(Operation.Send, use.Value, data, (uint)message.Length, milliseconds, cancellationToken,
                              out _, out _);
        }
        if (status == shmlink.SHMLINK_ERR_TIMEOUT) return false;
        Failure.ThrowIfFailed(status);
        return true;
    }

    // ---- Receiving into a buffer ----

    /// <summary>Receives the next message into <paramref name="buffer"/>, waiting without a time limit.</summary>
    /// <param name="buffer">Where the message goes; the channel's maximum message length always fits.</param>
    /// <param name="cancellationToken">Interrupts the wait.</param>
    /// <returns>The message's length.</returns>
    /// <exception cref="IShmLinkError"><see cref="ShmLinkStatus.Closed"/>: every sender is gone and
    /// nothing is queued (the end of the stream); <see cref="ShmLinkStatus.BufferTooSmall"/>: the message is
    /// longer than the buffer (the message says how long; it stays queued);
    /// <see cref="ShmLinkStatus.AccessDenied"/>: not a receiver.</exception>
    /// <exception cref="InvalidOperationException">A peeked message of this channel object is not consumed.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled first.</exception>
    /// <exception cref="ObjectDisposedException">The channel was disposed.</exception>
    public int Receive(Span<byte> buffer, CancellationToken cancellationToken = default) =>
        Receive(buffer, Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>Receives the next message into <paramref name="buffer"/>, waiting at most <paramref name="timeout"/>.</summary>
    /// <param name="buffer">Where the message goes; the channel's maximum message length always fits.</param>
    /// <param name="timeout">How long at most; <see cref="TimeSpan.Zero"/> tries once,
    /// <see cref="Timeout.InfiniteTimeSpan"/> never expires.</param>
    /// <param name="cancellationToken">Interrupts the wait.</param>
    /// <returns>The message's length.</returns>
    /// <exception cref="TimeoutException">No message came in time.</exception>
    /// <exception cref="IShmLinkError">As <see cref="Receive(Span{byte}, CancellationToken)"/>.</exception>
    /// <exception cref="InvalidOperationException">A peeked message of this channel object is not consumed.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled first.</exception>
    /// <exception cref="ObjectDisposedException">The channel was disposed.</exception>
    public int Receive(Span<byte> buffer, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        TryReceive(buffer, timeout, out int length, cancellationToken) ? length : throw TimedOut("message", timeout);

    /// <summary>Receives the next message into <paramref name="buffer"/> if one is queued now.</summary>
    /// <param name="buffer">Where the message goes.</param>
    /// <param name="length">The message's length, or 0 if there was none.</param>
    /// <returns>True if a message was received, false if the channel is empty.</returns>
    /// <exception cref="IShmLinkError">As <see cref="Receive(Span{byte}, CancellationToken)"/>.</exception>
    /// <exception cref="InvalidOperationException">A peeked message of this channel object is not consumed.</exception>
    /// <exception cref="ObjectDisposedException">The channel was disposed.</exception>
    public bool TryReceive(Span<byte> buffer, out int length) => TryReceive(buffer, TimeSpan.Zero, out length);

    /// <summary>Receives the next message into <paramref name="buffer"/>, waiting at most <paramref name="timeout"/>.</summary>
    /// <param name="buffer">Where the message goes.</param>
    /// <param name="timeout">How long at most; <see cref="TimeSpan.Zero"/> tries once,
    /// <see cref="Timeout.InfiniteTimeSpan"/> never expires.</param>
    /// <param name="length">The message's length, or 0 if none came.</param>
    /// <param name="cancellationToken">Interrupts the wait.</param>
    /// <returns>True if a message was received, false if the time ran out first.</returns>
    /// <exception cref="IShmLinkError">As <see cref="Receive(Span{byte}, CancellationToken)"/>.</exception>
    /// <exception cref="InvalidOperationException">A peeked message of this channel object is not consumed.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled first.</exception>
    /// <exception cref="ObjectDisposedException">The channel was disposed.</exception>
    public bool TryReceive(Span<byte> buffer, TimeSpan timeout, out int length,
                           CancellationToken cancellationToken = default)
    {
        uint milliseconds = Timeouts.ToMilliseconds(timeout);
        using var use = UseHandle();
        if (_peeked) throw PeekOutstanding();
        int status;
        uint received;
        fixed (byte* data = buffer)
        {
            status = Blocking(Operation.Receive, use.Value, data, (uint)buffer.Length, milliseconds, cancellationToken,
                              out received, out _);
        }
        length = 0;
        if (status == shmlink.SHMLINK_ERR_TIMEOUT) return false;
        if (status == shmlink.SHMLINK_ERR_BUFFER_TOO_SMALL) throw BufferTooSmall(received, buffer.Length);
        Failure.ThrowIfFailed(status);
        length = (int)received;
        return true;
    }

    // ---- Receiving into a new array ----

    /// <summary>Receives the next message as a new array of exactly its length, waiting without a time limit.</summary>
    /// <param name="cancellationToken">Interrupts the wait.</param>
    /// <returns>The message.</returns>
    /// <exception cref="IShmLinkError"><see cref="ShmLinkStatus.Closed"/>: every sender is gone and
    /// nothing is queued (the end of the stream); <see cref="ShmLinkStatus.AccessDenied"/>: not a receiver.</exception>
    /// <exception cref="InvalidOperationException">A peeked message of this channel object is not consumed.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled first.</exception>
    /// <exception cref="ObjectDisposedException">The channel was disposed.</exception>
    public byte[] Receive(CancellationToken cancellationToken = default) =>
        Receive(Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>Receives the next message as a new array of exactly its length, waiting at most
    /// <paramref name="timeout"/>.</summary>
    /// <param name="timeout">How long at most; <see cref="TimeSpan.Zero"/> tries once,
    /// <see cref="Timeout.InfiniteTimeSpan"/> never expires.</param>
    /// <param name="cancellationToken">Interrupts the wait.</param>
    /// <returns>The message.</returns>
    /// <exception cref="TimeoutException">No message came in time.</exception>
    /// <exception cref="IShmLinkError">As <see cref="Receive(CancellationToken)"/>.</exception>
    /// <exception cref="InvalidOperationException">A peeked message of this channel object is not consumed.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled first.</exception>
    /// <exception cref="ObjectDisposedException">The channel was disposed.</exception>
    public byte[] Receive(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        TryReceive(timeout, out byte[]? message, cancellationToken) ? message : throw TimedOut("message", timeout);

    /// <summary>Receives the next message as a new array of exactly its length, if one is queued now.</summary>
    /// <param name="message">The message, or null if there was none.</param>
    /// <returns>True if a message was received, false if the channel is empty.</returns>
    /// <exception cref="IShmLinkError">As <see cref="Receive(CancellationToken)"/>.</exception>
    /// <exception cref="InvalidOperationException">A peeked message of this channel object is not consumed.</exception>
    /// <exception cref="ObjectDisposedException">The channel was disposed.</exception>
    public bool TryReceive([NotNullWhen(true)] out byte[]? message) => TryReceive(TimeSpan.Zero, out message);

    /// <summary>Receives the next message as a new array of exactly its length, waiting at most
    /// <paramref name="timeout"/>.</summary>
    /// <param name="timeout">How long at most; <see cref="TimeSpan.Zero"/> tries once,
    /// <see cref="Timeout.InfiniteTimeSpan"/> never expires.</param>
    /// <param name="message">The message, or null if none came.</param>
    /// <param name="cancellationToken">Interrupts the wait.</param>
    /// <returns>True if a message was received, false if the time ran out first.</returns>
    /// <exception cref="IShmLinkError">As <see cref="Receive(CancellationToken)"/>.</exception>
    /// <exception cref="InvalidOperationException">A peeked message of this channel object is not consumed.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled first.</exception>
    /// <exception cref="ObjectDisposedException">The channel was disposed.</exception>
    public bool TryReceive(TimeSpan timeout, [NotNullWhen(true)] out byte[]? message,
                           CancellationToken cancellationToken = default)
    {
        uint milliseconds = Timeouts.ToMilliseconds(timeout);
        using var use = UseHandle();
        if (_peeked) throw PeekOutstanding();
        int status = ReceiveWhole(use.Value, milliseconds, cancellationToken, out message);
        if (status == shmlink.SHMLINK_ERR_TIMEOUT) return false;
        Failure.ThrowIfFailed(status);
        return message != null; // always, after OK
    }

    /// <summary>
    /// Receives the next message whole into a new array, with the library's status. Small messages land on
    /// the stack and are copied once; a longer one is held for this handle by shmlink_channel_receive_whole
    /// (BUFFER_TOO_SMALL with its length) and taken, without waiting, into an array of that length. Another
    /// thread receiving on this handle may take the held message in between: then it waits again for what
    /// time is left.
    /// </summary>
    private int ReceiveWhole(ulong handle, uint milliseconds, CancellationToken cancellationToken,
                             out byte[]? message)
    {
        byte* small = stackalloc byte[StackReceiveBytes];
        long start = Stopwatch.GetTimestamp();
        uint wait = milliseconds;
        message = null;
        while (true)
        {
            int status = Blocking(Operation.ReceiveWhole, handle, small, StackReceiveBytes, wait, cancellationToken,
                                  out uint length, out _);
            if (status == shmlink.SHMLINK_OK)
            {
                message = new ReadOnlySpan<byte>(small, (int)length).ToArray();
                return status;
            }
            if (status != shmlink.SHMLINK_ERR_BUFFER_TOO_SMALL) return status;
            byte[] array = GC.AllocateUninitializedArray<byte>(checked((int)length));
            fixed (byte* data = array)
            {
                status = shmlink.channel_receive_whole(handle, data, length, out uint received, 0);
                if (status == shmlink.SHMLINK_OK)
                {
                    // Another thread took the held one and the next was shorter: exact length still.
                    message = received == length ? array : array.AsSpan(0, (int)received).ToArray();
                    return status;
                }
            }
            if (status != shmlink.SHMLINK_ERR_TIMEOUT && status != shmlink.SHMLINK_ERR_BUFFER_TOO_SMALL) return status;
            wait = Remaining(milliseconds, start);
        }
    }

    // ---- Zero-copy sending ----

    /// <summary>Reserves room for a message of up to <paramref name="length"/> bytes, waiting without a time
    /// limit; write it through <see cref="ChannelReservation.Span"/> and send it with
    /// <see cref="ChannelReservation.Commit(int)"/>, or give it up with <see cref="ChannelReservation.Cancel"/>.
    /// Until then, messages that other senders reserve later wait behind it; disposing the channel cancels an
    /// uncommitted reservation too.</summary>
    /// <param name="length">The most the message will have (up to the channel's maximum).</param>
    /// <param name="cancellationToken">Interrupts the wait for room at once.</param>
    /// <returns>The reservation.</returns>
    /// <exception cref="IShmLinkError"><see cref="ShmLinkStatus.Closed"/>, <see cref="ShmLinkStatus.TooLarge"/>,
    /// <see cref="ShmLinkStatus.AccessDenied"/>, as for <see cref="Send(ReadOnlySpan{byte}, CancellationToken)"/>.</exception>
    /// <exception cref="InvalidOperationException">This channel object has a reservation already.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled first.</exception>
    /// <exception cref="ObjectDisposedException">The channel was disposed.</exception>
    public ChannelReservation Reserve(int length, CancellationToken cancellationToken = default) =>
        Reserve(length, Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>Reserves room for a message of up to <paramref name="length"/> bytes, waiting at most
    /// <paramref name="timeout"/>.</summary>
    /// <param name="length">The most the message will have (up to the channel's maximum).</param>
    /// <param name="timeout">How long at most; <see cref="TimeSpan.Zero"/> tries once,
    /// <see cref="Timeout.InfiniteTimeSpan"/> never expires.</param>
    /// <param name="cancellationToken">Interrupts the wait for room at once.</param>
    /// <returns>The reservation.</returns>
    /// <exception cref="TimeoutException">The channel had no room in time.</exception>
    /// <exception cref="IShmLinkError">As <see cref="Reserve(int, CancellationToken)"/>.</exception>
    /// <exception cref="InvalidOperationException">This channel object has a reservation already.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled first.</exception>
    /// <exception cref="ObjectDisposedException">The channel was disposed.</exception>
    public ChannelReservation Reserve(int length, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        TryReserve(length, timeout, out ChannelReservation reservation, cancellationToken)
            ? reservation
            : throw TimedOut("room for a message", timeout);

    /// <summary>Reserves room for a message of up to <paramref name="length"/> bytes if there is room now.</summary>
    /// <param name="length">The most the message will have.</param>
    /// <param name="reservation">The reservation, or an empty one if the channel is full.</param>
    /// <returns>True if room was reserved.</returns>
    /// <exception cref="IShmLinkError">As <see cref="Reserve(int, CancellationToken)"/>.</exception>
    /// <exception cref="InvalidOperationException">This channel object has a reservation already.</exception>
    /// <exception cref="ObjectDisposedException">The channel was disposed.</exception>
    public bool TryReserve(int length, out ChannelReservation reservation) =>
        TryReserve(length, TimeSpan.Zero, out reservation);

    /// <summary>Reserves room for a message of up to <paramref name="length"/> bytes, waiting at most
    /// <paramref name="timeout"/>.</summary>
    /// <param name="length">The most the message will have.</param>
    /// <param name="timeout">How long at most; <see cref="TimeSpan.Zero"/> tries once,
    /// <see cref="Timeout.InfiniteTimeSpan"/> never expires.</param>
    /// <param name="reservation">The reservation, or an empty one if the time ran out.</param>
    /// <param name="cancellationToken">Interrupts the wait for room at once.</param>
    /// <returns>True if room was reserved, false if the time ran out first.</returns>
    /// <exception cref="IShmLinkError">As <see cref="Reserve(int, CancellationToken)"/>.</exception>
    /// <exception cref="InvalidOperationException">This channel object has a reservation already.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled first.</exception>
    /// <exception cref="ObjectDisposedException">The channel was disposed.</exception>
    public bool TryReserve(int length, TimeSpan timeout, out ChannelReservation reservation,
                           CancellationToken cancellationToken = default)
    {
        if (length < 0) throw new ArgumentOutOfRangeException(nameof(length), length, "A length is not negative.");
        uint milliseconds = Timeouts.ToMilliseconds(timeout);
        reservation = default;
        using var use = UseHandle();
        if (_reserved) throw ReservationOutstanding();
        int status = Blocking(Operation.Reserve, use.Value, null, (uint)length, milliseconds, cancellationToken,
                              out _, out IntPtr address);
        if (status == shmlink.SHMLINK_ERR_TIMEOUT) return false;
        Failure.ThrowIfFailed(status);
        long token;
        lock (_zeroCopyGate)
        {
            _reserved = true;
            token = ++_reservationToken;
        }
        reservation = new ChannelReservation(this, token, new Span<byte>((void*)address, length));
        return true;
    }

    // ---- Zero-copy receiving ----

    /// <summary>Takes the next message for this channel object, waiting without a time limit, and gives its
    /// bytes in place (<see cref="ChannelMessage.Span"/>) until <see cref="ChannelMessage.Consume"/>. Peeking
    /// again before consuming gives the same message.</summary>
    /// <param name="cancellationToken">Interrupts the wait.</param>
    /// <returns>The message.</returns>
    /// <exception cref="IShmLinkError"><see cref="ShmLinkStatus.Closed"/>: every sender is gone and
    /// nothing is queued; <see cref="ShmLinkStatus.AccessDenied"/>: not a receiver.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled first.</exception>
    /// <exception cref="ObjectDisposedException">The channel was disposed.</exception>
    public ChannelMessage Peek(CancellationToken cancellationToken = default) =>
        Peek(Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>Takes the next message for this channel object, waiting at most <paramref name="timeout"/>, and
    /// gives its bytes in place until <see cref="ChannelMessage.Consume"/>.</summary>
    /// <param name="timeout">How long at most; <see cref="TimeSpan.Zero"/> tries once,
    /// <see cref="Timeout.InfiniteTimeSpan"/> never expires.</param>
    /// <param name="cancellationToken">Interrupts the wait.</param>
    /// <returns>The message.</returns>
    /// <exception cref="TimeoutException">No message came in time.</exception>
    /// <exception cref="IShmLinkError">As <see cref="Peek(CancellationToken)"/>.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled first.</exception>
    /// <exception cref="ObjectDisposedException">The channel was disposed.</exception>
    public ChannelMessage Peek(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        TryPeek(timeout, out ChannelMessage message, cancellationToken) ? message : throw TimedOut("message", timeout);

    /// <summary>Takes the next message for this channel object if one is queued now.</summary>
    /// <param name="message">The message, or an empty one if the channel is empty.</param>
    /// <returns>True if a message was taken.</returns>
    /// <exception cref="IShmLinkError">As <see cref="Peek(CancellationToken)"/>.</exception>
    /// <exception cref="ObjectDisposedException">The channel was disposed.</exception>
    public bool TryPeek(out ChannelMessage message) => TryPeek(TimeSpan.Zero, out message);

    /// <summary>Takes the next message for this channel object, waiting at most <paramref name="timeout"/>.</summary>
    /// <param name="timeout">How long at most; <see cref="TimeSpan.Zero"/> tries once,
    /// <see cref="Timeout.InfiniteTimeSpan"/> never expires.</param>
    /// <param name="message">The message, or an empty one if the time ran out.</param>
    /// <param name="cancellationToken">Interrupts the wait.</param>
    /// <returns>True if a message was taken, false if the time ran out first.</returns>
    /// <exception cref="IShmLinkError">As <see cref="Peek(CancellationToken)"/>.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled first.</exception>
    /// <exception cref="ObjectDisposedException">The channel was disposed.</exception>
    public bool TryPeek(TimeSpan timeout, out ChannelMessage message, CancellationToken cancellationToken = default)
    {
        uint milliseconds = Timeouts.ToMilliseconds(timeout);
        message = default;
        using var use = UseHandle();
        lock (_zeroCopyGate)
        {
            if (_peeked)
            {
                message = new ChannelMessage(this, _peekToken,
                                             new ReadOnlySpan<byte>((void*)_peekedAddress, _peekedLength));
                return true;
            }
        }
        int status = Blocking(Operation.Peek, use.Value, null, 0, milliseconds, cancellationToken,
                              out uint length, out IntPtr address);
        if (status == shmlink.SHMLINK_ERR_TIMEOUT) return false;
        Failure.ThrowIfFailed(status);
        long token;
        lock (_zeroCopyGate)
        {
            _peeked = true;
            _peekedAddress = address;
            _peekedLength = checked((int)length);
            token = ++_peekToken;
        }
        message = new ChannelMessage(this, token, new ReadOnlySpan<byte>((void*)address, (int)length));
        return true;
    }

    // ---- Waiting ----

    /// <summary>Waits until a message can be received (or receiving would report
    /// <see cref="ShmLinkStatus.Closed"/>). Takes nothing: with several receivers, the receive that
    /// follows may still find the channel empty.</summary>
    /// <param name="timeout">How long at most; <see cref="TimeSpan.Zero"/> looks once,
    /// <see cref="Timeout.InfiniteTimeSpan"/> never expires.</param>
    /// <param name="cancellationToken">Interrupts the wait.</param>
    /// <returns>True if a receive would not wait now, false if the time ran out.</returns>
    /// <exception cref="OperationCanceledException">The token was cancelled first.</exception>
    /// <exception cref="ObjectDisposedException">The channel was disposed.</exception>
    public bool WaitToReceive(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        WaitStatus(timeout, cancellationToken) >= 0;

    /// <summary>Waits asynchronously (a registration with the process's wait threads, not a thread of its
    /// own) until a message can be received (or receiving would report <see cref="ShmLinkStatus.Closed"/>).
    /// Takes nothing.</summary>
    /// <param name="timeout">How long at most.</param>
    /// <param name="cancellationToken">Cancels the wait (the task ends cancelled).</param>
    /// <returns>True if a receive would not wait, false if the time ran out.</returns>
    public Task<bool> WaitToReceiveAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        WaitAsyncCore(timeout, cancellationToken);

    // ---- The zero-copy state (ChannelReservation and ChannelMessage call these) ----

    internal bool IsReservationCurrent(long token) => _reserved && _reservationToken == token && !IsDisposed;

    internal bool IsPeekCurrent(long token) => _peeked && _peekToken == token && !IsDisposed;

    internal void ThrowIfReservationNotCurrent(long token)
    {
        if (IsReservationCurrent(token)) return;
        ThrowIfDisposed();
        throw new InvalidOperationException(token == 0
            ? "This reservation is empty: nothing was reserved."
            : "This reservation was committed or cancelled: its span must not be used any more.");
    }

    internal void ThrowIfPeekNotCurrent(long token)
    {
        if (IsPeekCurrent(token)) return;
        ThrowIfDisposed();
        throw new InvalidOperationException(token == 0
            ? "This message is empty: nothing was peeked."
            : "This message was consumed: its span must not be used any more.");
    }

    internal void Commit(long token, int length, int reservedLength)
    {
        using var use = UseHandle();
        ThrowIfReservationNotCurrent(token);
        if ((uint)length > (uint)reservedLength)
            throw new ArgumentOutOfRangeException(nameof(length), length,
                                                  $"A commit sends 0 to the {reservedLength} bytes reserved.");
        lock (_zeroCopyGate)
        {
            ThrowIfReservationNotCurrent(token);
            Failure.ThrowIfFailed(shmlink.channel_commit(use.Value, (uint)length));
            _reserved = false;
            ++_reservationToken;
        }
    }

    internal void Cancel(long token)
    {
        using var use = UseHandle();
        lock (_zeroCopyGate)
        {
            ThrowIfReservationNotCurrent(token);
            Failure.ThrowIfFailed(shmlink.channel_cancel(use.Value));
            _reserved = false;
            ++_reservationToken;
        }
    }

    internal void Consume(long token, bool onlyIfCurrent = false, bool throwIfOverwritten = true)
    {
        if (onlyIfCurrent && !IsPeekCurrent(token)) return;
        using var use = UseHandle();
        lock (_zeroCopyGate)
        {
            if (onlyIfCurrent && !IsPeekCurrent(token)) return;
            ThrowIfPeekNotCurrent(token);
            int status = shmlink.channel_consume(use.Value);
            // OVERWRITTEN (an overwriting pub/sub channel): consumed all the same, and counted lost.
            if (status >= 0 || status == shmlink.SHMLINK_ERR_OVERWRITTEN)
            {
                _peeked = false;
                _peekedAddress = IntPtr.Zero;
                _peekedLength = 0;
                ++_peekToken;
            }
            if (status == shmlink.SHMLINK_ERR_OVERWRITTEN && !throwIfOverwritten) return;
            Failure.ThrowIfFailed(status);
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        // Closing drops an uncommitted reservation and consumes a peeked message: their spans end here.
        lock (_zeroCopyGate)
        {
            if (_reserved) ++_reservationToken;
            if (_peeked) ++_peekToken;
            _reserved = false;
            _peeked = false;
            _peekedAddress = IntPtr.Zero;
        }
        // The channel's own handle first (its pending asynchronous waits end), then its condition handles.
        base.Dispose(disposing);
        lock (_conditionGate)
        {
            _conditionsClosed = true;
            foreach (NativeHandle? condition in _conditions) condition?.Dispose();
            Array.Clear(_conditions);
        }
    }

    /// <summary>
    /// The native handle that shmlink_wait returns on while <paramref name="condition"/> holds: this handle itself
    /// where it waits for that (receiving: CanReceive; send-only: CanSend), else a condition handle of
    /// shmlink_channel_waitable, made on first need and kept until the channel is disposed.
    /// </summary>
    /// <exception cref="ShmLinkAccessDeniedException">CanReceive on a handle that does not receive, CanSend on one
    /// that does not send.</exception>
    internal NativeHandle WaitHandleFor(ChannelCondition condition)
    {
        if ((condition == ChannelCondition.CanReceive && CanReceive)
            || (condition == ChannelCondition.CanSend && Role == ChannelRole.Sender))
            return NativeHandle;
        if (condition < ChannelCondition.CanReceive || condition > ChannelCondition.ReceiversGone)
            throw new ArgumentOutOfRangeException(nameof(condition), condition, "Not a channel condition.");
        lock (_conditionGate)
        {
            if (_conditionsClosed) throw new ObjectDisposedException(GetType().FullName);
            NativeHandle? handle = _conditions[(int)condition];
            if (handle != null) return handle;
            using var use = UseHandle();
            Failure.ThrowIfFailed(shmlink.channel_waitable(use.Value, (uint)condition, out ulong value));
            handle = new NativeHandle(value);
            _conditions[(int)condition] = handle;
            return handle;
        }
    }

    // ---- Internals ----

    /// <summary>
    /// One channel operation that may wait, with the library's status. Without a cancellable token it is
    /// one native call with the timeout. With one: the operation tries at once and otherwise waits, in one
    /// shmlink_wait_any with a cancel signal, until the channel can receive (a receive or peek) or has room for
    /// a maximum message (a send or reserve; <see cref="WaitHandleFor"/>), then tries again.
    /// </summary>
    private int Blocking(Operation operation, ulong handle, byte* data, uint length, uint milliseconds,
                         CancellationToken cancellationToken, out uint outLength, out IntPtr address)
    {
        if (!cancellationToken.CanBeCanceled)
            return Call(operation, handle, data, length, milliseconds, out outLength, out address);
        cancellationToken.ThrowIfCancellationRequested();
        NativeHandle? ready = null;
        long start = Stopwatch.GetTimestamp();
        while (true)
        {
            int status = Call(operation, handle, data, length, 0, out outLength, out address);
            if (status != shmlink.SHMLINK_ERR_TIMEOUT) return status;
            uint remaining = Remaining(milliseconds, start);
            if (remaining == 0) return status;
            status = WaitUntilReady(ref ready, operation is Operation.Send or Operation.Reserve
                                                   ? ChannelCondition.CanSend
                                                   : ChannelCondition.CanReceive,
                                    remaining, cancellationToken);
            if (status < 0) return status; // TIMEOUT, or the wait's own failure
        }
    }

    /// <summary>
    /// Waits, cancellably, until <paramref name="condition"/> holds (room to send, or a message to receive),
    /// on the condition's handle, made on first need: only then, so that a handle without the role gets the
    /// operation's own ACCESS_DENIED first. Returns the wait's status.
    /// </summary>
    private int WaitUntilReady(ref NativeHandle? ready, ChannelCondition condition, uint milliseconds,
                               CancellationToken cancellationToken)
    {
        ready ??= WaitHandleFor(condition);
        ulong* handles = stackalloc ulong[2]; // Waiting.WaitAny puts its cancel signal after the handle
        using var readyUse = new HandleUse(ready, this);
        handles[0] = readyUse.Value;
        return Waiting.WaitAny(handles, 1, milliseconds, cancellationToken, out _);
    }

    private static int Call(Operation operation, ulong handle, byte* data, uint length, uint milliseconds,
                            out uint outLength, out IntPtr address)
    {
        outLength = 0;
        address = IntPtr.Zero;
        return operation switch
        {
            Operation.Send => shmlink.channel_send(handle, data, length, milliseconds),
            Operation.Receive => shmlink.channel_receive(handle, data, length, out outLength, milliseconds),
            Operation.ReceiveWhole => shmlink.channel_receive_whole(handle, data, length, out outLength, milliseconds),
            Operation.Reserve => shmlink.channel_reserve(handle, length, milliseconds, out address),
            _ => shmlink.channel_peek(handle, milliseconds, out address, out outLength),
        };
    }

    /// <summary>What is left of a timeout that started at <paramref name="start"/>, rounded up.</summary>
    private static uint Remaining(uint milliseconds, long start)
    {
        if (milliseconds == Timeouts.Infinite) return Timeouts.Infinite;
        double elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        return elapsed >= milliseconds ? 0u : (uint)Math.Ceiling(milliseconds - elapsed);
    }

    private TimeoutException TimedOut(string what, TimeSpan timeout) =>
        new($"No {what} on channel \"{Name}\" within {timeout}.");

    private Exception BufferTooSmall(uint needed, int capacity) =>
        new Failure(ShmLinkStatus.BufferTooSmall,
            $"Channel.Receive(\"{Name}\"): the next message has {needed} bytes; the buffer has {capacity} (it stays queued)",
            0).ToException();

    private static InvalidOperationException ReservationOutstanding() =>
        new("This channel object has a reservation that is not committed: commit it first.");

    private static InvalidOperationException PeekOutstanding() =>
        new("This channel object has a peeked message that is not consumed: consume it first.");

    private static void CheckRole(ChannelRole role)
    {
        if (role == 0 || (role & ~ChannelRole.Both) != 0)
            throw new ArgumentOutOfRangeException(nameof(role), role, "A role is Sender, Receiver or Both.");
    }

    private static Channel CreateCore(string name, long capacityBytes, int maxMessageBytes, ChannelRole role,
                                      ObjectSharing sharing, uint createFlags, out bool created)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (capacityBytes < 0)
            throw new ArgumentOutOfRangeException(nameof(capacityBytes), capacityBytes, "A capacity is not negative.");
        if (maxMessageBytes < 0)
            throw new ArgumentOutOfRangeException(nameof(maxMessageBytes), maxMessageBytes, "A length is not negative.");
        CheckRole(role);
        int status = shmlink.channel_create(name, (ulong)capacityBytes, (uint)maxMessageBytes,
                                            createFlags | (uint)sharing | (uint)role, out ulong handle);
        Failure.ThrowIfFailed(status);
        created = status == shmlink.SHMLINK_OK;
        return new Channel(handle, name, role, created);
    }
}
