using System;

namespace ShmLink;

/// <summary>
/// A wait whose expiry is a failure for the operation that called it ran out of time. Thrown for <see cref="ShmLinkStatus.Timeout"/>; a <see cref="TimeoutException"/>, so code written for the
/// standard type catches it, and an <see cref="IShmLinkError"/> that carries the library's status.
/// </summary>
public sealed class ShmLinkTimeoutException : TimeoutException, IShmLinkError
{
    private readonly Failure _failure;

    internal ShmLinkTimeoutException(Failure failure)
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
