using System;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace ShmLink.Tests;

public class MutexTests
{
    private static T OnOwnThread<T>(Func<T> body)
    {
        T result = default!;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try { result = body(); }
            catch (Exception e) { error = e; }
        });
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromSeconds(10)));
        if (error != null) throw new AggregateException(error);
        return result;
    }

    [Fact]
    public void LockIsExclusiveAndRecursive()
    {
        using var mutex = SharedMutex.Create(Names.Unique("mtx"));
        Assert.Equal(MutexLockResult.Acquired, mutex.Lock());
        Assert.Equal(MutexLockResult.Acquired, mutex.Lock(TimeSpan.Zero)); // recursive
        Assert.Equal(MutexLockResult.TimedOut, OnOwnThread(() => mutex.Lock(TimeSpan.FromMilliseconds(20))));
        mutex.Unlock();
        mutex.Unlock();
        Assert.Equal(MutexLockResult.Acquired, OnOwnThread(() =>
        {
            MutexLockResult r = mutex.Lock(TimeSpan.Zero);
            mutex.Unlock();
            return r;
        }));
    }

    [Fact]
    public void UnlockByANonOwnerIsNotOwner()
    {
        using var mutex = SharedMutex.Create(Names.Unique("mtx"));
        var error = ShmLinkAssert.Fails(() => mutex.Unlock());
        Assert.Equal(ShmLinkStatus.NotOwner, error.Status);
    }

    [Fact]
    public void InitiallyOwnedOnlyWhenCreated()
    {
        string name = Names.Unique("mtx");
        using var mutex = SharedMutex.OpenOrCreate(name, initiallyOwned: true, out bool created);
        Assert.True(created);
        Assert.Equal(MutexLockResult.TimedOut, OnOwnThread(() => mutex.Lock(TimeSpan.Zero)));
        bool createdThere = true;
        MutexLockResult there = OnOwnThread(() =>
        {
            using var again = SharedMutex.OpenOrCreate(name, initiallyOwned: true, out createdThere);
            return again.Lock(TimeSpan.Zero);
        });
        Assert.False(createdThere);
        Assert.Equal(MutexLockResult.TimedOut, there);
        mutex.Unlock();
    }

    [Fact]
    public void OwnerThreadEndingAbandonsTheMutex()
    {
        string name = Names.Unique("mtx");
        using var mutex = SharedMutex.Create(name);
        OnOwnThread(() => mutex.Lock()); // the thread ends holding it
        using var opened = SharedMutex.Open(name);
        Assert.Equal(MutexLockResult.Abandoned, opened.Lock(TimeSpan.FromSeconds(10)));
        opened.Unlock();
        Assert.Equal(MutexLockResult.Acquired, opened.Lock(TimeSpan.Zero));
        opened.Unlock();
    }
}

public class SemaphoreTests
{
    [Fact]
    public void WaitTakesAndReleaseGives()
    {
        string name = Names.Unique("sem");
        using var semaphore = SharedSemaphore.Create(name, 2, 3);
        Assert.True(semaphore.Wait(TimeSpan.Zero));
        Assert.True(semaphore.Wait(TimeSpan.Zero));
        Assert.False(semaphore.Wait(TimeSpan.Zero));
        using var opened = SharedSemaphore.Open(name);
        Assert.Equal(0, opened.Release(3));
        var error = ShmLinkAssert.Fails(() => opened.Release());
        Assert.Equal(ShmLinkStatus.LimitExceeded, error.Status);
    }

    [Fact]
    public void ReleaseOfZeroIsInvalid()
    {
        using var semaphore = SharedSemaphore.Create(Names.Unique("sem"), 0, 1);
        Assert.Equal(ShmLinkStatus.InvalidArgument, ShmLinkAssert.Fails(() => semaphore.Release(0)).Status);
        Assert.Throws<ArgumentOutOfRangeException>(() => semaphore.Release(-1));
    }

    [Fact]
    public void BadCountsAreInvalid()
    {
        Assert.Equal(ShmLinkStatus.InvalidArgument,
            ShmLinkAssert.Fails(() => SharedSemaphore.Create(Names.Unique("sem"), 2, 1)).Status);
        Assert.Equal(ShmLinkStatus.InvalidArgument,
            ShmLinkAssert.Fails(() => SharedSemaphore.Create(Names.Unique("sem"), 0, 0)).Status);
        Assert.Throws<ArgumentOutOfRangeException>(() => SharedSemaphore.Create(Names.Unique("sem"), -1, 1));
    }

    [Fact]
    public void OpenOrCreateKeepsTheExistingCounts()
    {
        string name = Names.Unique("sem");
        using var first = SharedSemaphore.OpenOrCreate(name, 1, 5, out bool created);
        Assert.True(created);
        using var second = SharedSemaphore.OpenOrCreate(name, 0, 1, out bool createdAgain);
        Assert.False(createdAgain);
        Assert.Equal(1, second.Release(4));
    }

    [Fact]
    public async Task WaitAsyncTakesOneWhenReleased()
    {
        using var semaphore = SharedSemaphore.Create(Names.Unique("sem"), 0, 1);
        Task<bool> wait = semaphore.WaitAsync(TimeSpan.FromSeconds(10));
        semaphore.Release();
        Assert.True(await wait.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.False(semaphore.Wait(TimeSpan.Zero));
    }
}
