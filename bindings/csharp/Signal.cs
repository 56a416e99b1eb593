using System;
using System.Threading;
using System.Threading.Tasks;
using ShmLink.Internal;
using ShmLink.Native;

namespace ShmLink;

/// <summary>
/// A named signal between processes: an event, as CreateEvent makes on Windows. An auto-reset
/// signal releases exactly one wait per <see cref="Set"/>; a manual-reset one releases every wait
/// until it is <see cref="Reset"/>.
/// </summary>
public sealed class Signal : SharedWaitable
{
    // The reset mode when this process made the signal; null for one it opened (the library does not tell).
    private readonly EventResetMode? _mode;

    private Signal(ulong handle, string? name, bool created, EventResetMode? mode) : base(handle, name)
    {
        Created = created;
        _mode = mode;
    }

    /// <summary>A manual-reset signal stays set: a report completes every asynchronous wait. An auto-reset one,
    /// or one opened by name (its mode unknown here), is handed to one wait, and set again if that wait was
    /// cancelled at the same instant; for a manual-reset signal opened by name that is harmless (it was set),
    /// unless another thread resets it in that instant.</summary>
    internal override WaitTaking AsyncTaking =>
        _mode == EventResetMode.ManualReset ? WaitTaking.Nothing : WaitTaking.SignalUnit;

    /// <summary>Whether this call created the signal (false when an existing one was opened).</summary>
    public bool Created { get; }

    /// <summary>Creates a new named signal.</summary>
    /// <param name="name">The name (one namespace for every kind of object).</param>
    /// <param name="mode">Auto-reset (a set releases one wait) or manual-reset.</param>
    /// <param name="initiallySet">Whether it starts set.</param>
    /// <param name="sharing">Who else may open it.</param>
    /// <returns>The signal.</returns>
    /// <exception cref="IShmLinkError">For example <see cref="ShmLinkStatus.AlreadyExists"/>,
    /// <see cref="ShmLinkStatus.WrongKind"/>, <see cref="ShmLinkStatus.InvalidName"/>.</exception>
    public static Signal Create(string name, EventResetMode mode = EventResetMode.AutoReset, bool initiallySet = false,
                                ObjectSharing sharing = ObjectSharing.CurrentUser) =>
        CreateCore(name, mode, initiallySet, sharing, shmlink.SHMLINK_CREATE_NEW, out _);

    /// <summary>Creates an unnamed signal (CreateEvent(NULL, ...)): only this object reaches it, and it is gone
    /// when this object is disposed; it works in <see cref="WaitHandles"/> waits like a named one.</summary>
    /// <param name="mode">Auto-reset (a set releases one wait) or manual-reset.</param>
    /// <param name="initiallySet">Whether it starts set.</param>
    /// <returns>The signal.</returns>
    public static Signal CreateUnnamed(EventResetMode mode = EventResetMode.AutoReset, bool initiallySet = false)
    {
        uint flags = (mode == EventResetMode.ManualReset ? shmlink.SHMLINK_SIGNAL_MANUAL_RESET : shmlink.SHMLINK_SIGNAL_AUTO_RESET)
                     | (initiallySet ? shmlink.SHMLINK_SIGNAL_INITIALLY_SET : 0u);
        Failure.ThrowIfFailed(shmlink.signal_create(null!, flags, out ulong handle));
        return new Signal(handle, null, created: true, mode);
    }

    /// <summary>Opens the named signal if it exists (its mode and state are its own), or creates it.</summary>
    /// <param name="name">The name.</param>
    /// <param name="mode">The reset mode if it is created.</param>
    /// <param name="initiallySet">Whether it starts set, if it is created.</param>
    /// <param name="created">True if this call created it.</param>
    /// <param name="sharing">Who else may open it, if it is created.</param>
    /// <returns>The signal.</returns>
    /// <exception cref="IShmLinkError">For example <see cref="ShmLinkStatus.WrongKind"/>.</exception>
    public static Signal OpenOrCreate(string name, EventResetMode mode, bool initiallySet, out bool created,
                                      ObjectSharing sharing = ObjectSharing.CurrentUser) =>
        CreateCore(name, mode, initiallySet, sharing, shmlink.SHMLINK_OPEN_OR_CREATE, out created);

    /// <summary>Opens an existing named signal.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The signal.</returns>
    /// <exception cref="IShmLinkError">For example <see cref="ShmLinkStatus.NotFound"/>,
    /// <see cref="ShmLinkStatus.WrongKind"/>.</exception>
    public static Signal Open(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        Failure.ThrowIfFailed(shmlink.signal_open(name, out ulong handle));
        return new Signal(handle, name, created: false, mode: null);
    }

    /// <summary>Sets the signal (SetEvent). Setting a set signal changes nothing.</summary>
    /// <exception cref="ObjectDisposedException">The signal was disposed.</exception>
    public void Set()
    {
        using var use = UseHandle();
        Failure.ThrowIfFailed(shmlink.signal_set(use.Value));
    }

    /// <summary>Resets the signal (ResetEvent). Resetting an unset signal changes nothing.</summary>
    /// <exception cref="ObjectDisposedException">The signal was disposed.</exception>
    public void Reset()
    {
        using var use = UseHandle();
        Failure.ThrowIfFailed(shmlink.signal_reset(use.Value));
    }

    /// <summary>Waits until the signal is set (an auto-reset one is reset by this wait).</summary>
    /// <param name="timeout">How long at most; <see cref="TimeSpan.Zero"/> tries once,
    /// <see cref="Timeout.InfiniteTimeSpan"/> never expires.</param>
    /// <param name="cancellationToken">Interrupts the wait.</param>
    /// <returns>True if the signal was set, false if the time ran out.</returns>
    /// <exception cref="OperationCanceledException">The token was cancelled first.</exception>
    /// <exception cref="ObjectDisposedException">The signal was disposed.</exception>
    public bool Wait(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        WaitStatus(timeout, cancellationToken) >= 0;

    /// <summary>Waits, without a time limit, until the signal is set.</summary>
    /// <param name="cancellationToken">Interrupts the wait.</param>
    /// <exception cref="OperationCanceledException">The token was cancelled first.</exception>
    /// <exception cref="ObjectDisposedException">The signal was disposed.</exception>
    public void Wait(CancellationToken cancellationToken = default) =>
        WaitStatus(Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>Waits asynchronously until the signal is set (an auto-reset one is reset by this wait). The wait
    /// takes no thread: it is a registration with the process's wait threads.</summary>
    /// <param name="timeout">How long at most.</param>
    /// <param name="cancellationToken">Cancels the wait (the task ends cancelled).</param>
    /// <returns>True if the signal was set, false if the time ran out; the task fails with
    /// ObjectDisposedException if the signal is disposed first.</returns>
    /// <exception cref="ObjectDisposedException">The signal was disposed.</exception>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        WaitAsyncCore(timeout, cancellationToken);

    /// <summary>Waits asynchronously, without a time limit, until the signal is set.</summary>
    /// <param name="cancellationToken">Cancels the wait (the task ends cancelled).</param>
    /// <returns>A task that completes when the signal was set.</returns>
    public Task WaitAsync(CancellationToken cancellationToken = default) =>
        WaitAsyncCore(Timeout.InfiniteTimeSpan, cancellationToken);

    private static Signal CreateCore(string name, EventResetMode mode, bool initiallySet, ObjectSharing sharing,
                                     uint createFlags, out bool created)
    {
        ArgumentNullException.ThrowIfNull(name);
        uint flags = createFlags | (uint)sharing
                     | (mode == EventResetMode.ManualReset ? shmlink.SHMLINK_SIGNAL_MANUAL_RESET : shmlink.SHMLINK_SIGNAL_AUTO_RESET)
                     | (initiallySet ? shmlink.SHMLINK_SIGNAL_INITIALLY_SET : 0u);
        int status = shmlink.signal_create(name, flags, out ulong handle);
        Failure.ThrowIfFailed(status);
        created = status == shmlink.SHMLINK_OK;
        return new Signal(handle, name, created, created ? mode : null);
    }
}
