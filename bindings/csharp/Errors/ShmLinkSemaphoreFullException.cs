using System.Threading;

namespace ShmLink;

/// <summary>
/// A semaphore release would pass its maximum count. Thrown for <see cref="ShmLinkStatus.LimitExceeded"/>; a <see cref="SemaphoreFullException"/>, so code written for the
/// standard type catches it, and an <see cref="IShmLinkError"/> that carries the library's status.
/// </summary>
public sealed class ShmLinkSemaphoreFullException : SemaphoreFullException, IShmLinkError
{
    private readonly Failure _failure;

    internal ShmLinkSemaphoreFullException(Failure failure)
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
