using System;

namespace ShmLink;

/// <summary>
/// The object's handle is closed (or was never valid). Thrown for <see cref="ShmLinkStatus.BadHandle"/>; a <see cref="ObjectDisposedException"/>, so code written for the
/// standard type catches it, and an <see cref="IShmLinkError"/> that carries the library's status.
/// </summary>
public sealed class ShmLinkDisposedException : ObjectDisposedException, IShmLinkError
{
    private readonly Failure _failure;

    internal ShmLinkDisposedException(Failure failure)
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
