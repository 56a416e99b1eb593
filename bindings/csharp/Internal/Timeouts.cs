using System;
using System.Threading;
using ShmLink.Native;

namespace ShmLink.Internal;

internal static class Timeouts
{
    internal const uint Infinite = shmlink.SHMLINK_INFINITE;

    /// <summary>A TimeSpan as the library's milliseconds, rounded up so that a wait never ends
    /// before the time asked for. <see cref="Timeout.InfiniteTimeSpan"/> never expires.</summary>
    internal static uint ToMilliseconds(TimeSpan timeout, string parameterName = "timeout")
    {
        if (timeout == Timeout.InfiniteTimeSpan) return Infinite;
        if (timeout < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(parameterName, timeout,
                "A timeout is zero or positive, or Timeout.InfiniteTimeSpan.");
        long milliseconds = (timeout.Ticks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond;
        if (milliseconds >= Infinite)
            throw new ArgumentOutOfRangeException(parameterName, timeout,
                "A finite timeout is shorter than 2^32 - 1 milliseconds.");
        return (uint)milliseconds;
    }
}
