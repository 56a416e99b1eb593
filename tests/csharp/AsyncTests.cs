using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using ShmLink.Internal;
using Xunit;

namespace ShmLink.Tests;

/// <summary>These tests count the process's threads: nothing else runs beside them.</summary>
[CollectionDefinition(nameof(AsyncTests), DisableParallelization = true)]
public sealed class AsyncTestsCollection { }

/// <summary>Asynchronous waits and channel calls: registrations with a few wait threads, never a thread each.</summary>
[Collection(nameof(AsyncTests))]
public class AsyncTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    private static int ProcessThreads()
    {
        using Process process = Process.GetCurrentProcess();
        return process.Threads.Count;
    }

    /// <summary>Sends messages of <paramref name="length"/> bytes until the channel is full (its ring holds at
    /// least the capacity asked for); returns how many.</summary>
    private static int Fill(Channel sender, int length)
    {
        int sent = 0;
        while (sender.TrySend(new byte[length])) sent++;
        return sent;
    }

    private static void DisposeAll(IEnumerable<IDisposable> items)
    {
        foreach (IDisposable item in items) item.Dispose();
    }

    [Fact]
    public async Task ThousandPendingWaitsAddOnlyAFewThreads()
    {
        // 50 objects (auto-reset and manual-reset signals, semaphores), 20 pending waits on each.
        var autoSignals = Enumerable.Range(0, 20).Select(_ => Signal.Create(Names.Unique("async"))).ToList();
        var manualSignals = Enumerable.Range(0, 10)
            .Select(_ => Signal.Create(Names.Unique("async"), EventResetMode.ManualReset)).ToList();
        var semaphores = Enumerable.Range(0, 20).Select(_ => SharedSemaphore.Create(Names.Unique("async"), 0, 100)).ToList();
        try
        {
            int before = ProcessThreads();
            int waitThreadsBefore = AsyncWaits.ThreadCount;
            var waits = new List<Task<bool>>();
            for (int round = 0; round < 20; round++)
            {
                waits.AddRange(autoSignals.Select(s => s.WaitAsync(Long)));
                waits.AddRange(manualSignals.Select(s => s.WaitAsync(Long)));
                waits.AddRange(semaphores.Select(s => s.WaitAsync(Long)));
            }
            Assert.Equal(1000, waits.Count);
            await Task.Delay(200);
            Assert.All(waits, wait => Assert.False(wait.IsCompleted));
            int during = ProcessThreads();
            Assert.True(during - before <= 3, $"{before} threads before 1,000 pending waits, {during} with them");
            Assert.True(AsyncWaits.ThreadCount <= Math.Max(waitThreadsBefore, 1),
                        $"{AsyncWaits.ThreadCount} wait threads for 50 objects");

            foreach (Signal signal in manualSignals) signal.Set();
            foreach (SharedSemaphore semaphore in semaphores) semaphore.Release(20);
            // An auto-reset signal releases one wait per set: set each again once a wait took it.
            List<Task<bool>>[] autoWaits = autoSignals
                .Select((_, k) => waits.Where((_, i) => i % 50 == k).ToList()).ToArray();
            var clock = Stopwatch.StartNew();
            for (int released = 1; released <= 20; released++)
            {
                foreach (Signal signal in autoSignals) signal.Set();
                while (autoWaits.Any(list => list.Count(w => w.IsCompleted) < released))
                {
                    Assert.True(clock.Elapsed < Long, "auto-reset signals were set and their waits did not complete");
                    await Task.Delay(1);
                }
                Assert.All(autoWaits, list => Assert.Equal(released, list.Count(w => w.IsCompleted)));
            }
            Assert.True(Task.WhenAll(waits).Wait(Long), "not every wait completed");
            Assert.All(waits, wait => Assert.True(wait.Result));
            foreach (SharedSemaphore semaphore in semaphores) Assert.False(semaphore.Wait(TimeSpan.Zero));
        }
        finally
        {
            DisposeAll(autoSignals);
            DisposeAll(manualSignals);
            DisposeAll(semaphores);
        }
    }

    [Fact]
    public async Task WaitsOnManyObjectsShareAFewThreads()
    {
        // 200 objects need ceil(200 / 63) = 4 wait threads.
        var semaphores = Enumerable.Range(0, 200).Select(_ => SharedSemaphore.Create(Names.Unique("many"), 0, 1)).ToList();
        try
        {
            int before = ProcessThreads();
            Task<bool>[] waits = semaphores.Select(s => s.WaitAsync(Long)).ToArray();
            await Task.Delay(200);
            int during = ProcessThreads();
            // The 4 wait threads, and at most a few the runtime adds on its own (the thread pool).
            Assert.True(during - before <= 4 + 3, $"{before} threads before 200 pending waits on 200 objects, {during} with them");
            Assert.InRange(AsyncWaits.ThreadCount, 4, 6);
            foreach (SharedSemaphore semaphore in semaphores) semaphore.Release();
            Assert.True(Task.WhenAll(waits).Wait(Long));
            Assert.All(waits, wait => Assert.True(wait.Result));
        }
        finally
        {
            DisposeAll(semaphores);
        }
    }

    [Fact]
    public async Task TimeoutEndsTheWaitWithFalseAndTakesNothing()
    {
        using var signal = Signal.Create(Names.Unique("timeout"));
        var clock = Stopwatch.StartNew();
        Assert.False(await signal.WaitAsync(TimeSpan.FromMilliseconds(100)));
        Assert.True(clock.ElapsedMilliseconds >= 95, $"timed out after {clock.ElapsedMilliseconds} ms");
        // Timeouts of different lengths on one object end in their own time.
        Task<bool> longer = signal.WaitAsync(TimeSpan.FromSeconds(20));
        Task<bool> shorter = signal.WaitAsync(TimeSpan.FromMilliseconds(50));
        Assert.False(await shorter.WaitAsync(Long));
        Assert.False(longer.IsCompleted);
        signal.Set();
        Assert.True(await longer.WaitAsync(Long));
        Assert.False(signal.Wait(TimeSpan.Zero)); // the longer wait took it, once
    }

    [Fact]
    public async Task CancellationEndsTheWaitAndTakesNothing()
    {
        using var semaphore = SharedSemaphore.Create(Names.Unique("cancel"), 0, 1);
        using var cts = new CancellationTokenSource();
        Task<bool> wait = semaphore.WaitAsync(Timeout.InfiniteTimeSpan, cts.Token);
        await Task.Delay(20);
        Assert.False(wait.IsCompleted);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.WaitAsync(Long));
        semaphore.Release();
        Assert.True(semaphore.Wait(TimeSpan.Zero)); // the cancelled wait did not take it
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.True(semaphore.WaitAsync(Long, cancelled.Token).IsCanceled);
    }

    [Fact]
    public async Task DisposingAnObjectEndsItsPendingWaitsWithObjectDisposed()
    {
        var signal = Signal.Create(Names.Unique("dispose"));
        var semaphore = SharedSemaphore.Create(Names.Unique("dispose"), 0, 1);
        var pair = new ChannelPair();
        try
        {
            Task<bool> signalWait = signal.WaitAsync(Long);
            Task<bool> semaphoreWait = semaphore.WaitAsync(Long);
            Task<byte[]> receive = pair.Receiver.ReceiveAsync().AsTask();
            Task<bool> present = pair.Receiver.WaitForAsync(ChannelCondition.SendersGone, Long);
            Task<WaitAnyResult> any = WaitHandles.WaitAnyAsync(new SharedWaitable[] { semaphore, signal }, Long);
            await Task.Delay(20);
            signal.Dispose();
            semaphore.Dispose();
            pair.Receiver.Dispose();
            await Assert.ThrowsAsync<ObjectDisposedException>(() => signalWait.WaitAsync(Long));
            await Assert.ThrowsAsync<ObjectDisposedException>(() => semaphoreWait.WaitAsync(Long));
            await Assert.ThrowsAsync<ObjectDisposedException>(() => receive.WaitAsync(Long));
            await Assert.ThrowsAsync<ObjectDisposedException>(() => present.WaitAsync(Long));
            await Assert.ThrowsAsync<ObjectDisposedException>(() => any.WaitAsync(Long));
            Assert.Throws<ObjectDisposedException>(() => { _ = signal.WaitAsync(Long); });
            // The wait threads let go of the disposed receiver's handles (its own and its condition handle,
            // each a peer): the sender sees the receivers gone.
            Assert.True(pair.Sender.WaitFor(ChannelCondition.ReceiversGone, Long));
            ShmLinkAssert.Fails(() => pair.Sender.Send("x"u8));
        }
        finally
        {
            signal.Dispose();
            semaphore.Dispose();
            pair.Dispose();
        }
    }

    [Fact]
    public async Task NoUnitIsLostUnderConcurrentReleaseAndCancel()
    {
        // Bounded: 30 rounds of 40 waits, released and cancelled at the same time. Every count released
        // is either taken by a wait that then succeeds, or still in the semaphore.
        using var semaphore = SharedSemaphore.Create(Names.Unique("stress"), 0, 1000);
        using var signal = Signal.Create(Names.Unique("stress"));
        const int Waits = 40;
        const int Released = 20;
        for (int round = 0; round < 30; round++)
        {
            var sources = Enumerable.Range(0, Waits).Select(_ => new CancellationTokenSource()).ToArray();
            Task<bool>[] waits = sources.Select(s => semaphore.WaitAsync(Long, s.Token)).ToArray();
            Task<bool>[] signalWaits = sources.Take(4).Select(s => signal.WaitAsync(Long, s.Token)).ToArray();
            using var start = new Barrier(2);
            Task releasing = Task.Run(() =>
            {
                start.SignalAndWait();
                for (int i = 0; i < Released; i++) semaphore.Release();
                signal.Set();
            });
            Task cancelling = Task.Run(() =>
            {
                start.SignalAndWait();
                foreach (CancellationTokenSource source in sources) source.Cancel();
            });
            Assert.True(Task.WhenAll(releasing, cancelling).Wait(Long));
            int succeeded = 0;
            foreach (Task<bool> wait in waits)
            {
                try
                {
                    if (await wait.WaitAsync(Long)) succeeded++;
                }
                catch (OperationCanceledException)
                {
                }
            }
            int left = 0;
            while (semaphore.Wait(TimeSpan.Zero)) left++;
            Assert.Equal(Released, succeeded + left);

            int signalled = 0;
            foreach (Task<bool> wait in signalWaits)
            {
                try
                {
                    if (await wait.WaitAsync(Long)) signalled++;
                }
                catch (OperationCanceledException)
                {
                }
            }
            Assert.Equal(1, signalled + (signal.Wait(TimeSpan.Zero) ? 1 : 0));
            foreach (CancellationTokenSource source in sources) source.Dispose();
        }
    }

    [Fact]
    public async Task WaitAnyAsyncTakesOneOfSeveralAndRefusesAMutex()
    {
        using var a = Signal.Create(Names.Unique("anyasync"));
        using var b = SharedSemaphore.Create(Names.Unique("anyasync"), 0, 1);
        using var mutex = SharedMutex.Create(Names.Unique("anyasync"));
        Assert.Throws<NotSupportedException>(
            () => { _ = WaitHandles.WaitAnyAsync(new SharedWaitable[] { a, mutex }, Long); });
        Task<WaitAnyResult> wait = WaitHandles.WaitAnyAsync(new SharedWaitable[] { a, b }, Long);
        await Task.Delay(20);
        b.Release();
        Assert.Equal(new WaitAnyResult(1, false), await wait.WaitAsync(Long));
        a.Set();
        Assert.True(a.Wait(TimeSpan.Zero)); // a was not taken by that wait
        Assert.True((await WaitHandles.WaitAnyAsync(new SharedWaitable[] { a, b }, TimeSpan.FromMilliseconds(30))).TimedOut);
    }

    // ---- Channels ----

    [Fact]
    public async Task SendAsyncWaitsForRoomAndReceiveAsyncForAMessage()
    {
        // A full channel: the next send waits until a receive makes room.
        using var pair = new ChannelPair(capacity: 2 * (256 + 32), maxMessage: 256);
        await pair.Sender.SendAsync(new byte[256]);
        int full = 1 + Fill(pair.Sender, 256);
        ValueTask last = pair.Sender.SendAsync(Encoding.UTF8.GetBytes("last"));
        await Task.Delay(50);
        Assert.False(last.IsCompleted);
        Assert.Equal(256, (await pair.Receiver.ReceiveAsync()).Length);
        await last.AsTask().WaitAsync(Long);
        for (int i = 1; i < full; i++) Assert.Equal(256, await pair.Receiver.ReceiveAsync(new byte[256]));
        Assert.Equal("last", Encoding.UTF8.GetString(await pair.Receiver.ReceiveAsync()));

        Task<byte[]> pending = pair.Receiver.ReceiveAsync().AsTask();
        await Task.Delay(50);
        Assert.False(pending.IsCompleted);
        pair.Sender.Send("later"u8);
        Assert.Equal("later", Encoding.UTF8.GetString(await pending.WaitAsync(Long)));
    }

    [Fact]
    public async Task ChannelAsyncCallsAreCancelled()
    {
        using var pair = new ChannelPair(capacity: 256 + 32, maxMessage: 256);
        using var cts = new CancellationTokenSource(50);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => pair.Receiver.ReceiveAsync(cts.Token).AsTask().WaitAsync(Long));
        int full = Fill(pair.Sender, 256);
        using var cts2 = new CancellationTokenSource(50);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => pair.Sender.SendAsync(new byte[1], cts2.Token).AsTask().WaitAsync(Long));
        for (int i = 0; i < full; i++) Assert.Equal(256, pair.Receiver.Receive(Long).Length);
        Assert.False(pair.Receiver.TryReceive(out _)); // the cancelled send sent nothing
    }

    [Fact]
    public async Task ReadAllAsyncEndsWhenTheSendersAreGone()
    {
        using var pair = new ChannelPair();
        Task<List<string>> reading = Task.Run(async () =>
        {
            var received = new List<string>();
            await foreach (byte[] message in pair.Receiver.ReadAllAsync()) received.Add(Encoding.UTF8.GetString(message));
            return received;
        });
        for (int i = 0; i < 50; i++) await pair.Sender.SendAsync(Encoding.UTF8.GetBytes($"m{i}"));
        // A long one goes through shmlink_channel_receive_whole's second call.
        await pair.Sender.SendAsync(new byte[ChannelPair.MaxMessage]);
        pair.Sender.Dispose();
        List<string> all = await reading.WaitAsync(Long);
        Assert.Equal(51, all.Count);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"m{i}"), all.Take(50));
        Assert.Equal(ChannelPair.MaxMessage, all[50].Length);
    }

    [Fact]
    public async Task PresenceWaitsSeeTheOtherSideComeAndGo()
    {
        string name = Names.Unique("presence");
        using var receiver = Channel.Create(name, 4096, 64, ChannelRole.Receiver);
        Assert.False(receiver.WaitFor(ChannelCondition.SendersPresent, TimeSpan.FromMilliseconds(20)));
        Assert.False(receiver.WaitFor(ChannelCondition.SendersGone, TimeSpan.Zero)); // none ever came
        Task<bool> present = receiver.WaitForAsync(ChannelCondition.SendersPresent, Long);
        Task<bool> gone = receiver.WaitForAsync(ChannelCondition.SendersGone, Long);
        await Task.Delay(20);
        Assert.False(present.IsCompleted);
        var sender = Channel.Open(name, ChannelRole.Sender);
        Assert.True(await present.WaitAsync(Long));
        Assert.True(sender.WaitFor(ChannelCondition.ReceiversPresent, Long));
        Assert.False(gone.IsCompleted);
        sender.Dispose();
        Assert.True(await gone.WaitAsync(Long));
        Assert.True(receiver.WaitFor(ChannelCondition.SendersGone, TimeSpan.Zero));
        // Came and went: present no more, gone.
        Assert.Equal(1, receiver.WaitForAny(new[] { ChannelCondition.SendersPresent, ChannelCondition.SendersGone },
                                            TimeSpan.FromSeconds(5)));
        Assert.Equal(-1, receiver.WaitForAny(new[] { ChannelCondition.SendersPresent }, TimeSpan.FromMilliseconds(20)));
        Assert.Throws<ArgumentException>(
            () => receiver.WaitForAny(new[] { ChannelCondition.SendersGone, ChannelCondition.SendersGone }, TimeSpan.Zero));
        Assert.Throws<ShmLinkAccessDeniedException>(() => receiver.WaitFor(ChannelCondition.CanSend, TimeSpan.Zero));
    }

    [Fact]
    public void BlockingCancellableSendOnABothChannelWakesForRoom()
    {
        // A handle that sends and receives waits for room through its CanSend condition handle, not polling.
        string name = Names.Unique("both");
        using var both = Channel.Create(name, 256 + 32, 256, ChannelRole.Both);
        int full = Fill(both, 256);
        int small = Fill(both, 8); // what room is left for small ones
        using var cts = new CancellationTokenSource();
        Task send = Task.Factory.StartNew(() => both.Send(new byte[8], Long, cts.Token), TaskCreationOptions.LongRunning);
        Thread.Sleep(50);
        Assert.False(send.IsCompleted);
        Assert.Equal(256, both.Receive(Long).Length);
        Assert.True(send.Wait(Long));
        for (int i = 1; i < full; i++) Assert.Equal(256, both.Receive(Long).Length);
        for (int i = 0; i <= small; i++) Assert.Equal(8, both.Receive(Long).Length);
        Assert.False(both.TryReceive(out _));
        Fill(both, 256);
        Fill(both, 8);
        Task cancelled = Task.Factory.StartNew(() => both.Send(new byte[8], Long, cts.Token), TaskCreationOptions.LongRunning);
        Thread.Sleep(50);
        cts.Cancel();
        var error = Assert.Throws<AggregateException>(() => cancelled.Wait(Long));
        Assert.IsAssignableFrom<OperationCanceledException>(error.InnerException);
    }
}
