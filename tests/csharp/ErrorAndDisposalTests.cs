using System;
using System.IO;
using System.Threading;
using Xunit;

namespace ShmLink.Tests;

public class StatusTests
{
    private static IShmLinkError Fails(Action action) => ShmLinkAssert.Fails(action);

    [Fact]
    public void NotFoundCarriesTheLibrarysMessage()
    {
        string name = Names.Unique("missing");
        var error = Fails(() => Segment.Open(name));
        Assert.Equal(ShmLinkStatus.NotFound, error.Status);
        Assert.Contains(name, error.NativeMessage);
        ShmLinkAssert.NamesStatusOnce("SHMLINK_ERR_NOT_FOUND", error.Message);
        Assert.Equal(ShmLinkStatus.NotFound, Fails(() => Signal.Open(name)).Status);
        Assert.Equal(ShmLinkStatus.NotFound, Fails(() => SharedMutex.Open(name)).Status);
        Assert.Equal(ShmLinkStatus.NotFound, Fails(() => SharedSemaphore.Open(name)).Status);
    }

    [Fact]
    public void AlreadyExistsOnCreateNew()
    {
        string name = Names.Unique("exists");
        using var segment = Segment.Create(name, 4096);
        Assert.Equal(ShmLinkStatus.AlreadyExists, Fails(() => Segment.Create(name, 4096)).Status);
        string signalName = Names.Unique("exists");
        using var signal = Signal.Create(signalName);
        Assert.Equal(ShmLinkStatus.AlreadyExists, Fails(() => Signal.Create(signalName)).Status);
    }

    [Fact]
    public void WrongKindAcrossKinds()
    {
        string name = Names.Unique("kind");
        using var segment = Segment.Create(name, 4096);
        Assert.Equal(ShmLinkStatus.WrongKind, Fails(() => Signal.Create(name)).Status);
        Assert.Equal(ShmLinkStatus.WrongKind, Fails(() => Signal.Open(name)).Status);
        Assert.Equal(ShmLinkStatus.WrongKind, Fails(() => SharedMutex.Open(name)).Status);
        Assert.Equal(ShmLinkStatus.WrongKind, Fails(() => SharedSemaphore.OpenOrCreate(name, 0, 1, out _)).Status);
        string signalName = Names.Unique("kind");
        using var signal = Signal.Create(signalName);
        Assert.Equal(ShmLinkStatus.WrongKind, Fails(() => Segment.Open(signalName)).Status);
    }

    [Fact]
    public void InvalidNames()
    {
        Assert.Equal(ShmLinkStatus.InvalidName, Fails(() => Segment.Create("a/b", 4096)).Status);
        Assert.Equal(ShmLinkStatus.InvalidName, Fails(() => Signal.Create("")).Status);
        Assert.Equal(ShmLinkStatus.InvalidName, Fails(() => SharedMutex.Create(new string('x', 201))).Status);
        Assert.Equal(ShmLinkStatus.InvalidName, Fails(() => Segment.Open("Local\\")).Status);
    }

    [Fact]
    public void UnicodeNamesCrossAsUtf8()
    {
        string name = Names.Unique("ünïcødé-名前");
        using var segment = Segment.Create(name, 4096);
        using var opened = Segment.Open("Local\\" + name);
        Assert.Equal(4096, opened.Size);
    }

    [Fact]
    public void InvalidArgumentForSizeZero()
    {
        Assert.Equal(ShmLinkStatus.InvalidArgument, Fails(() => Segment.Create(Names.Unique("zero"), 0)).Status);
    }

    [Fact]
    public void OutOfRangeAndAccessDeniedOnMap()
    {
        string name = Names.Unique("map");
        using var segment = Segment.Create(name, 4096);
        Assert.Equal(ShmLinkStatus.OutOfRange, Fails(() => segment.Map(4097)).Status);
        Assert.Equal(ShmLinkStatus.OutOfRange, Fails(() => segment.Map(4000, 100)).Status);
        using var readOnly = Segment.Open(name, SegmentAccess.Read);
        Assert.Equal(ShmLinkStatus.AccessDenied, Fails(() => readOnly.Map(access: SegmentAccess.ReadWrite)).Status);
    }

    [Fact]
    public void FileStatuses()
    {
        string missing = Path.Combine(Path.GetTempPath(), Names.Unique("nofile"));
        Assert.Equal(ShmLinkStatus.NotFound, Fails(() => Segment.FromFile(missing, access: SegmentAccess.Read)).Status);
        Assert.Equal(ShmLinkStatus.InvalidArgument, Fails(() => Segment.FromFile(Path.GetTempPath())).Status);
    }

    [Fact]
    public void TimeoutIsAResultNotAnException()
    {
        using var signal = Signal.Create(Names.Unique("timeout"));
        using var mutex = SharedMutex.Create(Names.Unique("timeout"), initiallyOwned: true);
        Assert.False(signal.Wait(TimeSpan.Zero));
        MutexLockResult other = MutexLockResult.Acquired;
        var thread = new Thread(() => other = mutex.Lock(TimeSpan.FromMilliseconds(10)));
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromSeconds(10)));
        Assert.Equal(MutexLockResult.TimedOut, other);
        mutex.Unlock();
    }
}

public class DisposalTests
{
    // shmlink handles are 64 bits wide (a generation above bit 32, a slot number below it) in
    // every process; a 32-bit process must not cut them to its pointer width.
    [Fact]
    public void HandlesKeepAll64BitsInEveryProcess()
    {
        const ulong value = 0x8765_4321_0000_0005UL;
        var handle = new ShmLink.Internal.NativeHandle(value);
        try
        {
            Assert.False(handle.IsInvalid);
            Assert.Equal(value, handle.Value);
        }
        finally
        {
            handle.SetHandleAsInvalid(); // not a real handle: nothing to close
        }

        using var signal = Signal.Create(Names.Unique("wide-handle"));
        Assert.NotEqual(0UL, signal.NativeHandle.Value >> 32);
        signal.Set(); // a call after create, with the whole handle
        Assert.True(signal.Wait(TimeSpan.Zero));
    }

    [Fact]
    public void DisposeTwiceIsHarmlessAndUseAfterThrows()
    {
        var segment = Segment.Create(Names.Unique("dispose"), 4096);
        var view = segment.Map();
        view.Dispose();
        view.Dispose();
        Assert.True(view.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => view.Span.Length);
        Assert.Throws<ObjectDisposedException>(() => view.ReadOnlySpan.Length);
        Assert.Throws<ObjectDisposedException>(() => view.Read<int>(0));
        Assert.Throws<ObjectDisposedException>(() => view.Write(0, 1));
        Assert.Throws<ObjectDisposedException>(() => view.Flush());
        Assert.Throws<ObjectDisposedException>(() => view.Address);
        segment.Dispose();
        segment.Dispose();
        Assert.Throws<ObjectDisposedException>(() => segment.Size);
        Assert.Throws<ObjectDisposedException>(() => segment.Map());
    }

    [Fact]
    public void WaitablesThrowAfterDispose()
    {
        var signal = Signal.Create(Names.Unique("dispose"));
        var mutex = SharedMutex.Create(Names.Unique("dispose"));
        var semaphore = SharedSemaphore.Create(Names.Unique("dispose"), 0, 1);
        signal.Dispose();
        mutex.Dispose();
        semaphore.Dispose();
        signal.Dispose();
        Assert.Throws<ObjectDisposedException>(() => signal.Set());
        Assert.Throws<ObjectDisposedException>(() => signal.Reset());
        Assert.Throws<ObjectDisposedException>(() => signal.Wait(TimeSpan.Zero));
        void StartWaitAsync() => _ = signal.WaitAsync(TimeSpan.Zero);
        Assert.Throws<ObjectDisposedException>(StartWaitAsync); // at once, not in the task
        Assert.Throws<ObjectDisposedException>(() => mutex.Lock(TimeSpan.Zero));
        Assert.Throws<ObjectDisposedException>(() => mutex.Unlock());
        Assert.Throws<ObjectDisposedException>(() => semaphore.Release());
        Assert.Throws<ObjectDisposedException>(() => semaphore.Wait(TimeSpan.Zero));
        Assert.Throws<ObjectDisposedException>(() => WaitHandles.WaitAny(new SharedWaitable[] { signal }, TimeSpan.Zero));
    }

    [Fact]
    public void DisposingFreesTheName()
    {
        string name = Names.Unique("dispose");
        var signal = Signal.Create(name);
        signal.Dispose();
        Assert.Equal(ShmLinkStatus.NotFound, ShmLinkAssert.Fails(() => Signal.Open(name)).Status);
        Assert.Contains("disposed", signal.ToString());
    }
}
