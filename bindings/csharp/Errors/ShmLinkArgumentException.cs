using System;

namespace ShmLink;

/// <summary>
/// An argument the library refused: a bad name, size, count or flag, a message longer than the channel's maximum, or a buffer too small for the message. Thrown for <see cref="ShmLinkStatus.InvalidArgument"/>, <see cref="ShmLinkStatus.InvalidName"/>, <see cref="ShmLinkStatus.TooLarge"/>, <see cref="ShmLinkStatus.BufferTooSmall"/>; a <see cref="ArgumentException"/>, so code written for the
/// standard type catches it, and an <see cref="IShmLinkError"/> that carries the library's status.
/// </summary>
public sealed class ShmLinkArgumentException : ArgumentException, IShmLinkError
{
    private readonly Failure _failure;

    internal ShmLinkArgumentException(Failure failure)
        : base(failure.Message)
    {
        _failure = failure;
    }

    /// <inheritdoc/>
    public ShmLinkStatus Status => _failure.Status;

    /// <inheritdoc/>
    public string NativeMessage => _failure.NativeMessage;

    /// <inheritdoc/>
    public int OsError => _failure.OsError;
}
