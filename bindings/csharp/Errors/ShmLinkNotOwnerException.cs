using System.Threading;

namespace ShmLink;

/// <summary>
/// A mutex was unlocked by a thread that does not hold it. Thrown for <see cref="ShmLinkStatus.NotOwner"/>; a <see cref="SynchronizationLockException"/>, so code written for the
/// standard type catches it, and an <see cref="IShmLinkError"/> that carries the library's status.
/// </summary>
public sealed class ShmLinkNotOwnerException : SynchronizationLockException, IShmLinkError
{
    private readonly Failure _failure;

    internal ShmLinkNotOwnerException(Failure failure)
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
