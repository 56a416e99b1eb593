using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace ShmLink.Tests;

public class SignalTests
{
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(10);

    [Fact]
    public void AutoResetReleasesOneWaitPerSet()
    {
        using var signal = Signal.Create(Names.Unique("sig"));
        Assert.False(signal.Wait(TimeSpan.Zero));
        signal.Set();
        signal.Set(); // setting a set signal changes nothing
        Assert.True(signal.Wait(TimeSpan.Zero));
        Assert.False(signal.Wait(TimeSpan.Zero));
    }

    [Fact]
    public void ManualResetStaysSetUntilReset()
    {
        using var signal = Signal.Create(Names.Unique("sig"), EventResetMode.ManualReset, initiallySet: true);
        Assert.True(signal.Wait(TimeSpan.Zero));
        Assert.True(signal.Wait(TimeSpan.Zero));
        signal.Reset();
        Assert.False(signal.Wait(TimeSpan.Zero));
    }

    [Fact]
    public void OpenedSignalWakesTheCreatorsWaiter()
    {
        string name = Names.Unique("sig");
        using var signal = Signal.Create(name);
        using var opened = Signal.Open(name);
        Task<bool> waiter = Task.Run(() => signal.Wait(Long));
        Thread.Sleep(20);
        opened.Set();
        Assert.True(waiter.Wait(Long));
        Assert.True(waiter.Result);
    }

    [Fact]
    public void OpenOrCreateKeepsTheExistingState()
    {
        string name = Names.Unique("sig");
        using var first = Signal.OpenOrCreate(name, EventResetMode.ManualReset, true, out bool created);
        Assert.True(created);
        using var second = Signal.OpenOrCreate(name, EventResetMode.AutoReset, false, out bool createdAgain);
        Assert.False(createdAgain);
        Assert.True(second.Wait(TimeSpan.Zero));
        Assert.True(second.Wait(TimeSpan.Zero)); // still manual-reset
    }

    [Fact]
    public void TimedWaitNeverEndsEarly()
    {
        using var signal = Signal.Create(Names.Unique("sig"));
        var watch = Stopwatch.StartNew();
        Assert.False(signal.Wait(TimeSpan.FromMilliseconds(30)));
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(29));
    }

    [Fact]
    public void BadTimeoutsAreRejected()
    {
        using var signal = Signal.Create(Names.Unique("sig"));
        Assert.Throws<ArgumentOutOfRangeException>(() => signal.Wait(TimeSpan.FromMilliseconds(-2)));
        Assert.Throws<ArgumentOutOfRangeException>(() => signal.Wait(TimeSpan.FromDays(60)));
    }

    [Fact]
    public async Task WaitAsyncCompletesWhenSet()
    {
        using var signal = Signal.Create(Names.Unique("sig"));
        Task<bool> wait = signal.WaitAsync(Long);
        Assert.False(wait.IsCompleted);
        signal.Set();
        Assert.True(await wait.WaitAsync(Long));
        Assert.False(await signal.WaitAsync(Short));
        signal.Set();
        Task already = signal.WaitAsync();
        Assert.True(already.IsCompletedSuccessfully); // taken at once, no thread
    }

    [Fact]
    public async Task WaitAsyncIsCancelled()
    {
        using var signal = Signal.Create(Names.Unique("sig"));
        using var cts = new CancellationTokenSource();
        Task wait = signal.WaitAsync(cts.Token);
        cts.CancelAfter(20);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.WaitAsync(Long));
        Assert.True(wait.IsCanceled);
        signal.Set(); // the cancelled wait took nothing
        Assert.True(signal.Wait(TimeSpan.Zero));
    }
}

public class CancellationTests
{
    [Fact]
    public void CancellationInterruptsABlockedWait()
    {
        using var signal = Signal.Create(Names.Unique("cancel"));
        using var cts = new CancellationTokenSource();
        var watch = Stopwatch.StartNew();
        cts.CancelAfter(50);
        var error = Assert.ThrowsAny<OperationCanceledException>(() => signal.Wait(cts.Token));
        Assert.Equal(cts.Token, error.CancellationToken);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void AlreadyCancelledTokenThrowsWithoutWaiting()
    {
        using var signal = Signal.Create(Names.Unique("cancel"), initiallySet: true);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => signal.Wait(TimeSpan.FromSeconds(10), cts.Token));
        Assert.True(signal.Wait(TimeSpan.Zero)); // not consumed
    }

    [Fact]
    public void AnAvailableObjectWinsOverAnUncancelledToken()
    {
        using var signal = Signal.Create(Names.Unique("cancel"), initiallySet: true);
        using var cts = new CancellationTokenSource();
        Assert.True(signal.Wait(TimeSpan.FromSeconds(1), cts.Token));
        // The token's signal is reset between waits: a cancel after a wait does not leak.
        cts.Cancel();
        using var cts2 = new CancellationTokenSource();
        Assert.False(signal.Wait(TimeSpan.FromMilliseconds(20), cts2.Token));
    }

    [Fact]
    public void ManyCancellableWaitsAtOnce()
    {
        using var signal = Signal.Create(Names.Unique("cancel"), EventResetMode.ManualReset);
        using var cts = new CancellationTokenSource();
        var waits = new Task[8];
        for (int i = 0; i < waits.Length; i++)
            waits[i] = Task.Factory.StartNew(() => signal.Wait(cts.Token), TaskCreationOptions.LongRunning);
        Thread.Sleep(50);
        cts.Cancel();
        foreach (Task wait in waits)
        {
            var error = Assert.Throws<AggregateException>(() => wait.Wait(TimeSpan.FromSeconds(10)));
            Assert.IsAssignableFrom<OperationCanceledException>(error.InnerException);
        }
    }

    [Fact]
    public void MutexLockAndSemaphoreWaitAreCancellable()
    {
        using var mutex = SharedMutex.Create(Names.Unique("cancel"));
        using var semaphore = SharedSemaphore.Create(Names.Unique("cancel"), 0, 1);
        Assert.Equal(MutexLockResult.Acquired, mutex.Lock(TimeSpan.Zero)); // held here first
        Task other = Task.Factory.StartNew(() =>
        {
            using var cts = new CancellationTokenSource(50);
            Assert.ThrowsAny<OperationCanceledException>(() => mutex.Lock(cts.Token));
        }, TaskCreationOptions.LongRunning);
        using var cts2 = new CancellationTokenSource(50);
        Assert.ThrowsAny<OperationCanceledException>(() => semaphore.Wait(cts2.Token));
        Assert.True(other.Wait(TimeSpan.FromSeconds(10)));
        mutex.Unlock();
    }
}
