using System;
using System.Threading;
using Xunit;

namespace ShmLink.Tests;

// Unnamed objects (CreateEvent / CreateFileMapping / CreateMutex / CreateSemaphore with a NULL name) and views at a
// chosen address (MapViewOfFileEx), issue 17.
public class UnnamedAndAddressTests
{
    [Fact]
    public void UnnamedSegmentsAreEachTheirOwnAndHaveNoName()
    {
        using var first = Segment.CreateUnnamed(8192);
        using var second = Segment.CreateUnnamed(8192);
        Assert.Null(first.Name);
        Assert.Equal(8192, first.Size);
        using var a = first.Map();
        using var b = second.Map();
        a.Write(4000, 0xC0FFEEu);
        using var again = first.Map(4000, 4);
        Assert.Equal(0xC0FFEEu, again.Read<uint>(0));
        Assert.Equal(0u, b.Read<uint>(4000));
        Assert.Equal(ShmLinkStatus.InvalidArgument, ShmLinkAssert.Fails(() => Segment.CreateUnnamed(0)).Status);
    }

    [Fact]
    public void UnnamedSignalsMutexesAndSemaphoresWork()
    {
        using var signal = Signal.CreateUnnamed(EventResetMode.AutoReset);
        Assert.False(signal.Wait(TimeSpan.Zero));
        signal.Set();
        Assert.True(signal.Wait(TimeSpan.Zero));
        Assert.False(signal.Wait(TimeSpan.Zero));

        using var mutex = SharedMutex.CreateUnnamed(initiallyOwned: true);
        var other = new Thread(() => Assert.Equal(MutexLockResult.TimedOut, mutex.Lock(TimeSpan.Zero)));
        other.Start();
        other.Join();
        mutex.Unlock();

        using var semaphore = SharedSemaphore.CreateUnnamed(1, 2);
        Assert.True(semaphore.Wait(TimeSpan.Zero));
        Assert.False(semaphore.Wait(TimeSpan.Zero));
        Assert.Equal(ShmLinkStatus.InvalidArgument, ShmLinkAssert.Fails(() => SharedSemaphore.CreateUnnamed(3, 2)).Status);
    }

    [Fact]
    public void MapAtPlacesTheViewThereOrRefusesATakenRange()
    {
        using var segment = Segment.CreateUnnamed(65536);
        IntPtr free;
        using (var probe = segment.Map()) free = probe.Address;
        using var view = segment.MapAt(free);
        Assert.Equal(free, view.Address);
        view.Write(8, 42L);
        using var other = segment.Map();
        Assert.Equal(42L, other.Read<long>(8));
        Assert.Equal(ShmLinkStatus.AlreadyExists, ShmLinkAssert.Fails(() => segment.MapAt(other.Address)).Status);
        Assert.Equal(ShmLinkStatus.InvalidArgument, ShmLinkAssert.Fails(() => segment.MapAt(free + 1)).Status);
        Assert.Throws<ArgumentException>(() => segment.MapAt(IntPtr.Zero));
    }
}
