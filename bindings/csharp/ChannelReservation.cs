using System;
using System.Threading;

namespace ShmLink;

/// <summary>
/// Room reserved in a <see cref="Channel"/> by <see cref="Channel.Reserve(int, TimeSpan, CancellationToken)"/>:
/// write the message into <see cref="Span"/>, then <see cref="Commit(int)"/> sends it. After the commit (or
/// the channel's dispose) <see cref="Span"/> throws; a span taken before must not be used any more.
/// </summary>
public readonly ref struct ChannelReservation
{
    private readonly Channel? _channel;
    private readonly long _token;
    private readonly Span<byte> _span;

    internal ChannelReservation(Channel channel, long token, Span<byte> span)
    {
        _channel = channel;
        _token = token;
        _span = span;
    }

    /// <summary>How many bytes were reserved: the most <see cref="Commit(int)"/> sends.</summary>
    public int Length => _span.Length;

    /// <summary>Whether the reservation is still open (not committed, the channel not disposed).</summary>
    public bool IsActive => _channel != null && _channel.IsReservationCurrent(_token);

    /// <summary>The reserved bytes, in the shared ring: write the message here.</summary>
    /// <exception cref="InvalidOperationException">Committed already, or an empty reservation.</exception>
    /// <exception cref="ObjectDisposedException">The channel was disposed.</exception>
    public Span<byte> Span
    {
        get
        {
            ThrowIfNotCurrent();
            return _span;
        }
    }

    /// <summary>Sends the message with all the reserved bytes.</summary>
    /// <exception cref="InvalidOperationException">Committed already, or an empty reservation.</exception>
    /// <exception cref="ObjectDisposedException">The channel was disposed.</exception>
    public void Commit() => Commit(_span.Length);

    /// <summary>Sends the message with the first <paramref name="length"/> reserved bytes.</summary>
    /// <param name="length">0 to <see cref="Length"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">More than was reserved (the reservation stays open).</exception>
    /// <exception cref="InvalidOperationException">Committed already, or an empty reservation.</exception>
    /// <exception cref="ObjectDisposedException">The channel was disposed.</exception>
    public void Commit(int length)
    {
        ThrowIfNotCurrent();
        _channel!.Commit(_token, length, _span.Length);
    }

    /// <summary>Gives the reservation up without sending anything: the messages reserved after it flow on, and
    /// the channel may reserve or send again. Its room goes back to the senders when the receivers pass it, as
    /// a received message's does.</summary>
    /// <exception cref="InvalidOperationException">Committed or cancelled already, or an empty reservation.</exception>
    /// <exception cref="ObjectDisposedException">The channel was disposed.</exception>
    public void Cancel()
    {
        ThrowIfNotCurrent();
        _channel!.Cancel(_token);
    }

    private void ThrowIfNotCurrent()
    {
        if (_channel == null) throw new InvalidOperationException("This reservation is empty: nothing was reserved.");
        _channel.ThrowIfReservationNotCurrent(_token);
    }
}
