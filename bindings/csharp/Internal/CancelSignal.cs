using System.Collections.Concurrent;
using ShmLink.Native;

namespace ShmLink.Internal;

/// <summary>
/// A private unnamed auto-reset shmlink signal that a CancellationToken sets, waited on in the same
/// shmlink_wait_any as the objects a blocking call waits for: cancelling wakes the blocked thread at
/// once. Unnamed (shmlink_signal_create(NULL, ...)), so nothing else can open it and nothing of it
/// outlives the process. Pooled: making one maps memory, and a cancellable wait is common.
/// </summary>
internal sealed class CancelSignal
{
    private static readonly ConcurrentBag<CancelSignal> Pool = new();

    private CancelSignal(ulong handle) => Handle = handle;

    internal ulong Handle { get; }

    internal static CancelSignal Rent()
    {
        if (Pool.TryTake(out CancelSignal? signal)) return signal;
        Failure.ThrowIfFailed(shmlink.signal_create(null!, shmlink.SHMLINK_SIGNAL_AUTO_RESET, out ulong handle));
        return new CancelSignal(handle);
    }

    /// <summary>Back to the pool, reset: a cancellation that came after the wait ended must not
    /// cancel the next wait that rents this signal.</summary>
    internal static void Return(CancelSignal signal)
    {
        shmlink.signal_reset(signal.Handle);
        Pool.Add(signal);
    }

    internal void Set() => shmlink.signal_set(Handle);
}
