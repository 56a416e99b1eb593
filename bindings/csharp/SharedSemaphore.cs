using System;
using System.Threading;
using System.Threading.Tasks;
using ShmLink.Internal;
using ShmLink.Native;

namespace ShmLink;

/// <summary>
/// A named counting semaphore between processes (CreateSemaphore): a wait takes one from the
/// count, waiting while it is zero; <see cref="Release"/> adds to it.
/// </summary>
public sealed class SharedSemaphore : SharedWaitable
{
    private SharedSemaphore(ulong handle, string? name, bool created) : base(handle, name) => Created = created;

    /// <summary>An asynchronous wait takes one count; cancelled at the instant it was taken, it is released again.</summary>
    internal override WaitTaking AsyncTaking => WaitTaking.SemaphoreUnit;

    /// <summary>Whether this call created the semaphore (false when an existing one was opened).</summary>
    public bool Created { get; }

    /// <summary>Creates a new named semaphore.</summary>
    /// <param name="name">The name.</param>
    /// <param name="initialCount">The count it starts with (0 to <paramref name="maximumCount"/>).</param>
    /// <param name="maximumCount">The highest count (1 to 2^31 - 1).</param>
    /// <param name="sharing">Who else may open it.</param>
    /// <returns>The semaphore.</returns>
    /// <exception cref="IShmLinkError">For example <see cref="ShmLinkStatus.InvalidArgument"/> (bad
    /// counts), <see cref="ShmLinkStatus.AlreadyExists"/>, <see cref="ShmLinkStatus.WrongKind"/>.</exception>
    public static SharedSemaphore Create(string name, int initialCount, int maximumCount,
                                         ObjectSharing sharing = ObjectSharing.CurrentUser) =>
        CreateCore(name, initialCount, maximumCount, sharing, shmlink.SHMLINK_CREATE_NEW, out _);

    /// <summary>Creates an unnamed semaphore (CreateSemaphore(NULL, ...)): only this object reaches it.</summary>
    /// <param name="initialCount">The count it starts with.</param>
    /// <param name="maximumCount">The largest count (1 to 2147483647).</param>
    /// <returns>The semaphore.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A negative count.</exception>
    /// <exception cref="IShmLinkError"><see cref="ShmLinkStatus.InvalidArgument"/> for counts that do not fit
    /// together.</exception>
    public static SharedSemaphore CreateUnnamed(int initialCount, int maximumCount)
    {
        if (initialCount < 0)
            throw new ArgumentOutOfRangeException(nameof(initialCount), initialCount, "A count is not negative.");
        if (maximumCount < 0)
            throw new ArgumentOutOfRangeException(nameof(maximumCount), maximumCount, "A count is not negative.");
        Failure.ThrowIfFailed(shmlink.semaphore_create(null!, (uint)initialCount, (uint)maximumCount, 0u,
                                                       out ulong handle));
        return new SharedSemaphore(handle, null, created: true);
    }

    /// <summary>Opens the named semaphore if it exists (its counts are its own), or creates it.</summary>
    /// <param name="name">The name.</param>
    /// <param name="initialCount">The starting count if it is created.</param>
    /// <param name="maximumCount">The highest count if it is created.</param>
    /// <param name="created">True if this call created it.</param>
    /// <param name="sharing">Who else may open it, if it is created.</param>
    /// <returns>The semaphore.</returns>
    /// <exception cref="IShmLinkError">For example <see cref="ShmLinkStatus.WrongKind"/>.</exception>
    public static SharedSemaphore OpenOrCreate(string name, int initialCount, int maximumCount, out bool created,
                                               ObjectSharing sharing = ObjectSharing.CurrentUser) =>
        CreateCore(name, initialCount, maximumCount, sharing, shmlink.SHMLINK_OPEN_OR_CREATE, out created);

    /// <summary>Opens an existing named semaphore.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The semaphore.</returns>
    /// <exception cref="IShmLinkError">For example <see cref="ShmLinkStatus.NotFound"/>.</exception>
    public static SharedSemaphore Open(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        Failure.ThrowIfFailed(shmlink.semaphore_open(name, out ulong handle));
        return new SharedSemaphore(handle, name, created: false);
    }

    /// <summary>Adds <paramref name="releaseCount"/> to the count (ReleaseSemaphore), waking as many waits.</summary>
    /// <param name="releaseCount">How many (at least 1).</param>
    /// <returns>The count before the release.</returns>
    /// <exception cref="IShmLinkError"><see cref="ShmLinkStatus.LimitExceeded"/>: the count would pass
    /// the maximum (it is left unchanged); <see cref="ShmLinkStatus.InvalidArgument"/> for 0.</exception>
    /// <exception cref="ObjectDisposedException">The semaphore was disposed.</exception>
    public int Release(int releaseCount = 1)
    {
        if (releaseCount < 0)
            throw new ArgumentOutOfRangeException(nameof(releaseCount), releaseCount, "A release count is positive.");
        using var use = UseHandle();
        Failure.ThrowIfFailed(shmlink.semaphore_release(use.Value, (uint)releaseCount, out uint previous));
        return (int)previous;
    }

    /// <summary>Waits until the count is above zero and takes one.</summary>
    /// <param name="timeout">How long at most; <see cref="TimeSpan.Zero"/> tries once,
    /// <see cref="Timeout.InfiniteTimeSpan"/> never expires.</param>
    /// <param name="cancellationToken">Interrupts the wait.</param>
    /// <returns>True if one was taken, false if the time ran out.</returns>
    /// <exception cref="OperationCanceledException">The token was cancelled first.</exception>
    /// <exception cref="ObjectDisposedException">The semaphore was disposed.</exception>
    public bool Wait(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        WaitStatus(timeout, cancellationToken) >= 0;

    /// <summary>Waits, without a time limit, until the count is above zero and takes one.</summary>
    /// <param name="cancellationToken">Interrupts the wait.</param>
    /// <exception cref="OperationCanceledException">The token was cancelled first.</exception>
    /// <exception cref="ObjectDisposedException">The semaphore was disposed.</exception>
    public void Wait(CancellationToken cancellationToken = default) =>
        WaitStatus(Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>Waits asynchronously until the count is above zero and takes one. The wait takes no thread: it
    /// is a registration with the process's wait threads.</summary>
    /// <param name="timeout">How long at most.</param>
    /// <param name="cancellationToken">Cancels the wait (the task ends cancelled).</param>
    /// <returns>True if one was taken, false if the time ran out; the task fails with
    /// ObjectDisposedException if the semaphore is disposed first.</returns>
    /// <exception cref="ObjectDisposedException">The semaphore was disposed.</exception>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        WaitAsyncCore(timeout, cancellationToken);

    /// <summary>Waits asynchronously, without a time limit, until the count is above zero and takes one.</summary>
    /// <param name="cancellationToken">Cancels the wait (the task ends cancelled).</param>
    /// <returns>A task that completes when one was taken.</returns>
    public Task WaitAsync(CancellationToken cancellationToken = default) =>
        WaitAsyncCore(Timeout.InfiniteTimeSpan, cancellationToken);

    private static SharedSemaphore CreateCore(string name, int initialCount, int maximumCount, ObjectSharing sharing,
                                              uint createFlags, out bool created)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (initialCount < 0)
            throw new ArgumentOutOfRangeException(nameof(initialCount), initialCount, "A count is not negative.");
        if (maximumCount < 0)
            throw new ArgumentOutOfRangeException(nameof(maximumCount), maximumCount, "A count is not negative.");
        int status = shmlink.semaphore_create(name, (uint)initialCount, (uint)maximumCount, createFlags | (uint)sharing,
                                              out ulong handle);
        Failure.ThrowIfFailed(status);
        created = status == shmlink.SHMLINK_OK;
        return new SharedSemaphore(handle, name, created);
    }
}
