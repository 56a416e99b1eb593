using System;
using System.Threading;
using ShmLink.Internal;
using ShmLink.Native;

namespace ShmLink;

/// <summary>How a <see cref="SharedMutex.Lock(TimeSpan, CancellationToken)"/> ended.</summary>
public enum MutexLockResult
{
    /// <summary>The time ran out; the mutex was not acquired.</summary>
    TimedOut = 0,
    /// <summary>The mutex was acquired.</summary>
    Acquired = 1,
    /// <summary>The mutex was acquired, but its previous owner died holding it: check the data it guards.</summary>
    Abandoned = 2,
}

/// <summary>
/// A named mutex between processes (CreateMutex): owned by a thread, recursive for its owner, and
/// handed to the next waiter as <see cref="MutexLockResult.Abandoned"/> when its owner dies.
/// Lock and unlock on the same thread.
/// </summary>
/// <remarks>There is no asynchronous lock, and <see cref="WaitHandles.WaitAnyAsync"/> refuses a mutex
/// (<see cref="NotSupportedException"/>): a mutex belongs to the thread that acquired it. An asynchronous wait
/// is completed by one of the process's wait threads, which would then own the mutex, while the code after
/// the <c>await</c> runs on another thread that could not unlock it; and handing the mutex over would mean
/// unlocking it, when another process may take it. Lock it on a thread of your own instead.</remarks>
public sealed class SharedMutex : SharedWaitable
{
    private SharedMutex(ulong handle, string? name, bool created) : base(handle, name) => Created = created;

    internal override WaitTaking AsyncTaking => throw AsyncRefused();

    internal static NotSupportedException AsyncRefused() =>
        new("A SharedMutex cannot be waited on asynchronously: it would belong to the wait thread that acquired "
            + "it, not to the code after the await. Lock it on a thread of your own.");

    /// <summary>Whether this call created the mutex (false when an existing one was opened).</summary>
    public bool Created { get; }

    /// <summary>Creates a new named mutex.</summary>
    /// <param name="name">The name.</param>
    /// <param name="initiallyOwned">Whether the calling thread owns it from the start.</param>
    /// <param name="sharing">Who else may open it.</param>
    /// <returns>The mutex.</returns>
    /// <exception cref="IShmLinkError">For example <see cref="ShmLinkStatus.AlreadyExists"/>,
    /// <see cref="ShmLinkStatus.WrongKind"/>.</exception>
    public static SharedMutex Create(string name, bool initiallyOwned = false,
                                     ObjectSharing sharing = ObjectSharing.CurrentUser) =>
        CreateCore(name, initiallyOwned, sharing, shmlink.SHMLINK_CREATE_NEW, out _);

    /// <summary>Creates an unnamed mutex (CreateMutex(NULL, ...)): only this object reaches it.</summary>
    /// <param name="initiallyOwned">Whether the calling thread owns it from the start.</param>
    /// <returns>The mutex.</returns>
    public static SharedMutex CreateUnnamed(bool initiallyOwned = false)
    {
        Failure.ThrowIfFailed(shmlink.mutex_create(null!, initiallyOwned ? shmlink.SHMLINK_MUTEX_INITIALLY_OWNED : 0u,
                                                   out ulong handle));
        return new SharedMutex(handle, null, created: true);
    }

    /// <summary>Opens the named mutex if it exists (then it is not acquired), or creates it.</summary>
    /// <param name="name">The name.</param>
    /// <param name="initiallyOwned">Whether the calling thread owns it, if this call creates it.</param>
    /// <param name="created">True if this call created it.</param>
    /// <param name="sharing">Who else may open it, if it is created.</param>
    /// <returns>The mutex.</returns>
    /// <exception cref="IShmLinkError">For example <see cref="ShmLinkStatus.WrongKind"/>.</exception>
    public static SharedMutex OpenOrCreate(string name, bool initiallyOwned, out bool created,
                                           ObjectSharing sharing = ObjectSharing.CurrentUser) =>
        CreateCore(name, initiallyOwned, sharing, shmlink.SHMLINK_OPEN_OR_CREATE, out created);

    /// <summary>Opens an existing named mutex.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The mutex.</returns>
    /// <exception cref="IShmLinkError">For example <see cref="ShmLinkStatus.NotFound"/>.</exception>
    public static SharedMutex Open(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        Failure.ThrowIfFailed(shmlink.mutex_open(name, out ulong handle));
        return new SharedMutex(handle, name, created: false);
    }

    /// <summary>Acquires the mutex for the calling thread, waiting at most <paramref name="timeout"/>.</summary>
    /// <param name="timeout">How long at most; <see cref="TimeSpan.Zero"/> tries once,
    /// <see cref="Timeout.InfiniteTimeSpan"/> never expires.</param>
    /// <param name="cancellationToken">Interrupts the wait.</param>
    /// <returns><see cref="MutexLockResult.Acquired"/>, <see cref="MutexLockResult.Abandoned"/> (acquired,
    /// but its previous owner died holding it) or <see cref="MutexLockResult.TimedOut"/>.</returns>
    /// <exception cref="OperationCanceledException">The token was cancelled first.</exception>
    /// <exception cref="ObjectDisposedException">The mutex was disposed.</exception>
    public MutexLockResult Lock(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        ToResult(WaitStatus(timeout, cancellationToken));

    /// <summary>Acquires the mutex for the calling thread, without a time limit.</summary>
    /// <param name="cancellationToken">Interrupts the wait.</param>
    /// <returns><see cref="MutexLockResult.Acquired"/> or <see cref="MutexLockResult.Abandoned"/>.</returns>
    /// <exception cref="OperationCanceledException">The token was cancelled first.</exception>
    /// <exception cref="ObjectDisposedException">The mutex was disposed.</exception>
    public MutexLockResult Lock(CancellationToken cancellationToken = default) =>
        ToResult(WaitStatus(Timeout.InfiniteTimeSpan, cancellationToken));

    /// <summary>Releases one level of the calling thread's ownership (ReleaseMutex).</summary>
    /// <exception cref="IShmLinkError"><see cref="ShmLinkStatus.NotOwner"/>: this thread does not hold it.</exception>
    /// <exception cref="ObjectDisposedException">The mutex was disposed.</exception>
    public void Unlock()
    {
        using var use = UseHandle();
        Failure.ThrowIfFailed(shmlink.mutex_unlock(use.Value));
    }

    internal static MutexLockResult ToResult(int status) => status switch
    {
        shmlink.SHMLINK_ABANDONED => MutexLockResult.Abandoned,
        shmlink.SHMLINK_ERR_TIMEOUT => MutexLockResult.TimedOut,
        _ => MutexLockResult.Acquired,
    };

    private static SharedMutex CreateCore(string name, bool initiallyOwned, ObjectSharing sharing, uint createFlags,
                                          out bool created)
    {
        ArgumentNullException.ThrowIfNull(name);
        uint flags = createFlags | (uint)sharing | (initiallyOwned ? shmlink.SHMLINK_MUTEX_INITIALLY_OWNED : 0u);
        int status = shmlink.mutex_create(name, flags, out ulong handle);
        Failure.ThrowIfFailed(status);
        created = status == shmlink.SHMLINK_OK;
        return new SharedMutex(handle, name, created);
    }
}
