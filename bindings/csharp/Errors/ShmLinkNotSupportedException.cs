using System;

namespace ShmLink;

/// <summary>
/// The operation is not available on this platform or kernel. Thrown for <see cref="ShmLinkStatus.NotSupported"/>; a <see cref="PlatformNotSupportedException"/>, so code written for the
/// standard type catches it, and an <see cref="IShmLinkError"/> that carries the library's status.
/// </summary>
public sealed class ShmLinkNotSupportedException : PlatformNotSupportedException, IShmLinkError
{
    private readonly Failure _failure;

    internal ShmLinkNotSupportedException(Failure failure)
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
