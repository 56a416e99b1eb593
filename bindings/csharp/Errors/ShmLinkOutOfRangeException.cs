using System;

namespace ShmLink;

/// <summary>
/// An offset or length outside the segment or view. Thrown for <see cref="ShmLinkStatus.OutOfRange"/>; a <see cref="ArgumentOutOfRangeException"/>, so code written for the
/// standard type catches it, and an <see cref="IShmLinkError"/> that carries the library's status.
/// </summary>
public sealed class ShmLinkOutOfRangeException : ArgumentOutOfRangeException, IShmLinkError
{
    private readonly Failure _failure;

    internal ShmLinkOutOfRangeException(Failure failure)
        : base(null, failure.Message)
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
