using System;
using System.Threading;
using ShmLink.Native;

namespace ShmLink.Internal;

/// <summary>The blocking waits behind every Wait, Lock and WaitAny, with cancellation.</summary>
internal static unsafe class Waiting
{
    /// <summary>The most objects a cancellable wait takes: one slot goes to the cancel signal.</summary>
    internal const int MaxObjects = (int)shmlink.SHMLINK_MAX_WAIT_OBJECTS;

    private static readonly Action<object?> SetCancelSignal = state => ((CancelSignal)state!).Set();

    /// <summary>
    /// Waits for any of <paramref name="count"/> handles (the buffer has room for one more); returns the library's status (OK,
    /// ABANDONED, TIMEOUT or a failure) and the index that was taken. A cancelled token throws
    /// OperationCanceledException, unless an object was taken first (then the wait succeeded).
    /// </summary>
    internal static int WaitAny(ulong* handles, int count, uint timeoutMs, CancellationToken cancellationToken,
                                out int index)
    {
        uint taken;
        int status;
        if (!cancellationToken.CanBeCanceled)
        {
            if (count == 1)
            {
                index = 0;
                return shmlink.wait(handles[0], timeoutMs);
            }
            status = shmlink.wait_any(handles, (uint)count, timeoutMs, out taken);
            index = (int)taken;
            return status;
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (count >= MaxObjects)
            throw new ArgumentException($"A cancellable wait takes at most {MaxObjects - 1} objects.");
        CancelSignal cancel = CancelSignal.Rent();
        try
        {
            // The cancel signal goes last: when an object and the cancellation are both ready,
            // the lowest index wins, so an object that was taken is never lost to a cancel.
            handles[count] = cancel.Handle;
            using (cancellationToken.UnsafeRegister(SetCancelSignal, cancel))
            {
                status = shmlink.wait_any(handles, (uint)count + 1, timeoutMs, out taken);
            }
        }
        finally
        {
            CancelSignal.Return(cancel);
        }
        if (status >= 0 && taken == (uint)count) throw new OperationCanceledException(cancellationToken);
        index = (int)taken;
        return status;
    }
}
