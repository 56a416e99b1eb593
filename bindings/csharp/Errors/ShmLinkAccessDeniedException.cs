using System;

namespace ShmLink;

/// <summary>
/// The operating system's permissions refuse it, or a write went through a read-only handle. Thrown for <see cref="ShmLinkStatus.AccessDenied"/>; a <see cref="UnauthorizedAccessException"/>, so code written for the
/// standard type catches it, and an <see cref="IShmLinkError"/> that carries the library's status.
/// </summary>
public sealed class ShmLinkAccessDeniedException : UnauthorizedAccessException, IShmLinkError
{
    private readonly Failure _failure;

    internal ShmLinkAccessDeniedException(Failure failure)
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
