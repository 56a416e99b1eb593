using System;
using System.Threading;

namespace ShmLink;

/// <summary>
/// A message taken from a <see cref="Channel"/> by <see cref="Channel.Peek(TimeSpan, CancellationToken)"/>,
/// read in place through <see cref="Span"/> until <see cref="Consume"/> gives its room back to the senders.
/// <c>using var message = channel.Peek();</c> consumes it at the end of the scope. After the consume (or
/// the channel's dispose) <see cref="Span"/> throws; a span taken before must not be used any more.
/// </summary>
/// <remarks>The bytes are shared memory that another process wrote: check them before trusting them.</remarks>
public readonly ref struct ChannelMessage
{
    private readonly Channel? _channel;
    private readonly long _token;
    private readonly ReadOnlySpan<byte> _span;

    internal ChannelMessage(Channel channel, long token, ReadOnlySpan<byte> span)
    {
        _channel = channel;
        _token = token;
        _span = span;
    }

    /// <summary>The message's length.</summary>
    public int Length => _span.Length;

    /// <summary>Whether the message is still held (not consumed, the channel not disposed).</summary>
    public bool IsActive => _channel != null && _channel.IsPeekCurrent(_token);

    /// <summary>The message's bytes, in place in the shared ring.</summary>
    /// <exception cref="InvalidOperationException">Consumed already, or an empty message.</exception>
    /// <exception cref="ObjectDisposedException">The channel was disposed.</exception>
    public ReadOnlySpan<byte> Span
    {
        get
        {
            if (_channel == null) throw new InvalidOperationException("This message is empty: nothing was peeked.");
            _channel.ThrowIfPeekNotCurrent(_token);
            return _span;
        }
    }

    /// <summary>The message's bytes as a new array.</summary>
    /// <returns>A copy of the message.</returns>
    /// <exception cref="InvalidOperationException">Consumed already, or an empty message.</exception>
    /// <exception cref="ObjectDisposedException">The channel was disposed.</exception>
    public byte[] ToArray() => Span.ToArray();

    /// <summary>Gives the message's room back to the senders; the message is received.</summary>
    /// <exception cref="InvalidOperationException">Consumed already, or an empty message.</exception>
    /// <exception cref="ObjectDisposedException">The channel was disposed.</exception>
    /// <exception cref="ShmLinkException"><see cref="ShmLinkStatus.Overwritten"/>: on a publish/subscribe
    /// channel with <see cref="PubSubPolicy.Overwrite"/>, a publisher overwrote the message while it was
    /// peeked: what was read of it must be thrown away. It is consumed all the same and counted in
    /// <see cref="Channel.Lost"/>.</exception>
    public void Consume()
    {
        if (_channel == null) throw new InvalidOperationException("This message is empty: nothing was peeked.");
        _channel.Consume(_token);
    }

    /// <summary>Consumes the message if it is still held; otherwise (consumed already, an empty message, the
    /// channel disposed) does nothing. It does not say whether an overwriting publish/subscribe channel
    /// overwrote the message while it was held (that is counted in <see cref="Channel.Lost"/>): call
    /// <see cref="Consume"/> to learn it.</summary>
    public void Dispose()
    {
        _channel?.Consume(_token, onlyIfCurrent: true, throwIfOverwritten: false);
    }
}
