using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using ShmLink.Native;

namespace ShmLink.Internal;

/// <summary>
/// A private auto-reset shmlink signal that a CancellationToken sets, waited on in the same
/// shmlink_wait_any as the objects a caller waits for: cancelling wakes the blocked thread at
/// once. Signals are pooled (one per concurrently cancellable wait) and closed at process exit,
/// so their names leave nothing behind.
/// </summary>
internal sealed class CancelSignal
{
    private static readonly ConcurrentBag<CancelSignal> Pool = new();
    private static readonly List<CancelSignal> All = new();
    private static readonly string NamePrefix =
        $"shmlink-dotnet-cancel.{Environment.ProcessId}.{Guid.NewGuid():N}.";
    private static int _created;
    private static bool _exitHooked;

    private CancelSignal(ulong handle) => Handle = handle;

    internal ulong Handle { get; }

    internal static CancelSignal Rent()
    {
        if (Pool.TryTake(out CancelSignal? signal)) return signal;
        string name = NamePrefix + Interlocked.Increment(ref _created);
        int status = shmlink.signal_create(name, shmlink.SHMLINK_SIGNAL_AUTO_RESET, out ulong handle);
        Failure.ThrowIfFailed(status);
        signal = new CancelSignal(handle);
        lock (All)
        {
            All.Add(signal);
            if (!_exitHooked)
            {
                _exitHooked = true;
                AppDomain.CurrentDomain.ProcessExit += (_, _) => CloseAll();
            }
        }
        return signal;
    }

    /// <summary>Back to the pool, reset: a cancellation that came after the wait ended must not
    /// cancel the next wait that rents this signal.</summary>
    internal static void Return(CancelSignal signal)
    {
        shmlink.signal_reset(signal.Handle);
        Pool.Add(signal);
    }

    internal void Set() => shmlink.signal_set(Handle);

    private static void CloseAll()
    {
        lock (All)
        {
            foreach (CancelSignal signal in All) shmlink.close(signal.Handle);
            All.Clear();
        }
    }
}
