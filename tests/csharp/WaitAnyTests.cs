using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace ShmLink.Tests;

public class WaitAnyTests
{
    [Fact]
    public void LowestAvailableIndexWinsAndOnlyItIsTaken()
    {
        using var a = Signal.Create(Names.Unique("any"));
        using var b = Signal.Create(Names.Unique("any"), initiallySet: true);
        using var c = SharedSemaphore.Create(Names.Unique("any"), 1, 1);
        WaitAnyResult result = WaitHandles.WaitAny(new SharedWaitable[] { a, b, c }, TimeSpan.Zero);
        Assert.Equal(1, result.Index);
        Assert.False(result.TimedOut);
        Assert.False(result.Abandoned);
        Assert.True(c.Wait(TimeSpan.Zero)); // c was not taken
        Assert.True(WaitHandles.WaitAny(new SharedWaitable[] { a, b, c }, TimeSpan.FromMilliseconds(10)).TimedOut);
    }

    [Fact]
    public void WakesForTheObjectSetLater()
    {
        using var a = Signal.Create(Names.Unique("any"));
        using var b = Signal.Create(Names.Unique("any"));
        Task<WaitAnyResult> wait = Task.Run(() => WaitHandles.WaitAny(a, b));
        Thread.Sleep(20);
        b.Set();
        Assert.True(wait.Wait(TimeSpan.FromSeconds(10)));
        Assert.Equal(1, wait.Result.Index);
    }

    [Fact]
    public void ReportsAnAbandonedMutex()
    {
        using var signal = Signal.Create(Names.Unique("any"));
        using var mutex = SharedMutex.Create(Names.Unique("any"));
        var thread = new Thread(() => mutex.Lock());
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromSeconds(10)));
        WaitAnyResult result = WaitHandles.WaitAny(new SharedWaitable[] { signal, mutex }, TimeSpan.FromSeconds(10));
        Assert.Equal(new WaitAnyResult(1, true), result);
        mutex.Unlock();
    }

    [Fact]
    public void CancellationInterruptsWaitAny()
    {
        using var a = Signal.Create(Names.Unique("any"));
        using var cts = new CancellationTokenSource(50);
        Assert.ThrowsAny<OperationCanceledException>(
            () => WaitHandles.WaitAny(new SharedWaitable[] { a }, Timeout.InfiniteTimeSpan, cts.Token));
    }

    [Fact]
    public void CountLimits()
    {
        Assert.Throws<ArgumentException>(() => WaitHandles.WaitAny(Array.Empty<SharedWaitable>(), TimeSpan.Zero));
        var many = new List<SharedWaitable>();
        try
        {
            for (int i = 0; i < WaitHandles.MaxObjects; i++) many.Add(Signal.Create(Names.Unique("many")));
            Assert.True(WaitHandles.WaitAny(many, TimeSpan.Zero).TimedOut); // 64 without a token
            using var cts = new CancellationTokenSource();
            Assert.Throws<ArgumentException>(() => WaitHandles.WaitAny(many, TimeSpan.Zero, cts.Token));
            ((Signal)many[^1]).Set();
            Assert.Equal(WaitHandles.MaxObjects - 1, WaitHandles.WaitAny(many, TimeSpan.Zero).Index);
            many.Add(many[0]);
            Assert.Throws<ArgumentException>(() => WaitHandles.WaitAny(many, TimeSpan.Zero));
        }
        finally
        {
            foreach (SharedWaitable item in many) item.Dispose();
        }
    }

    [Fact]
    public async Task WaitAnyAsyncCompletes()
    {
        using var a = Signal.Create(Names.Unique("any"));
        using var b = SharedSemaphore.Create(Names.Unique("any"), 0, 1);
        Task<WaitAnyResult> wait = WaitHandles.WaitAnyAsync(new SharedWaitable[] { a, b }, TimeSpan.FromSeconds(10));
        b.Release();
        Assert.Equal(1, (await wait.WaitAsync(TimeSpan.FromSeconds(10))).Index);
    }
}
