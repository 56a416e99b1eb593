using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Xunit;

namespace ShmLink.Tests;

public class ViewTests
{
    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    private struct Record
    {
        public int Id;
        public double Value;
        public byte Flag;
    }

    [Fact]
    public void SpanWritesAreSeenThroughAnotherView()
    {
        using var segment = Segment.Create(Names.Unique("view"), 4096);
        using var a = segment.Map();
        using var b = segment.Map();
        "hello"u8.CopyTo(a.Span);
        Assert.True(b.ReadOnlySpan[..5].SequenceEqual("hello"u8));
        Assert.Equal(4096, a.Span.Length);
    }

    [Fact]
    public void ReadAndWriteStructsAtUnalignedOffsets()
    {
        using var segment = Segment.Create(Names.Unique("view"), 4096);
        using var view = segment.Map();
        var record = new Record { Id = 7, Value = 2.5, Flag = 1 };
        view.Write(3, record);
        Record back = view.Read<Record>(3);
        Assert.Equal(7, back.Id);
        Assert.Equal(2.5, back.Value);
        Assert.Equal(1, back.Flag);
    }

    [Fact]
    public void ReadAndWriteAreBoundsChecked()
    {
        using var segment = Segment.Create(Names.Unique("view"), 4096);
        using var view = segment.Map(4000, 96);
        view.Write(92, 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => view.Write(93, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => view.Read<long>(90));
        Assert.Throws<ArgumentOutOfRangeException>(() => view.Read<byte>(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => view.GetSpan(90, 7));
        Assert.Throws<ArgumentOutOfRangeException>(() => view.GetReadOnlySpan(0, -1));
        Assert.Equal(6, view.GetSpan(90, 6).Length);
    }

    [Fact]
    public void ReadOnlyViewRefusesWritableAccess()
    {
        string name = Names.Unique("view");
        using var segment = Segment.Create(name, 4096);
        using var opened = Segment.Open(name, SegmentAccess.Read);
        using var view = opened.Map();
        Assert.False(view.IsWritable);
        Assert.Throws<InvalidOperationException>(() => view.Span.Length);
        Assert.Throws<InvalidOperationException>(() => view.Write(0, 1));
        Assert.Equal(0, view.ReadOnlySpan[0]);
    }

    [Fact]
    public void CopyOnWriteViewKeepsWritesPrivate()
    {
        using var segment = Segment.Create(Names.Unique("view"), 4096);
        using var shared = segment.Map();
        using var cow = segment.Map(access: SegmentAccess.CopyOnWrite);
        cow.Write(0, 99);
        Assert.Equal(99, cow.Read<int>(0));
        Assert.Equal(0, shared.Read<int>(0));
        cow.Flush(); // nothing to write back: succeeds
    }

    [Fact]
    public void ViewStaysValidAfterItsSegmentIsDisposed()
    {
        var segment = Segment.Create(Names.Unique("view"), 4096);
        using var view = segment.Map();
        segment.Dispose();
        view.Write(0, 5);
        Assert.Equal(5, view.Read<int>(0));
        Assert.Same(segment, view.Segment);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (View, WeakReference) MapAndDropSegment(string name)
    {
        var segment = Segment.Create(name, 4096);
        View view = segment.Map();
        view.Write(0, 1234);
        return (view, new WeakReference(segment));
    }

    [Fact]
    public void LiveViewKeepsItsSegmentAliveThroughGarbageCollection()
    {
        string name = Names.Unique("view");
        (View view, WeakReference segmentRef) = MapAndDropSegment(name);
        using (view)
        {
            for (int i = 0; i < 3; i++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
            Assert.True(segmentRef.IsAlive); // the view holds its Segment
            Assert.False(view.Segment.IsDisposed);
            Assert.Equal(1234, view.Read<int>(0));
            view.Span[4] = 9;
            using var other = Segment.Open(name);
            using var otherView = other.Map();
            Assert.Equal(9, otherView.ReadOnlySpan[4]);
        }
    }

    [Fact]
    public void AbandonedSegmentIsClosedByTheFinalizer()
    {
        string name = Names.Unique("view");
        CreateAndDrop(name);
        for (int i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        var error = ShmLinkAssert.Fails(() => Segment.Open(name));
        Assert.Equal(ShmLinkStatus.NotFound, error.Status);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void CreateAndDrop(string name) => Segment.Create(name, 4096);
}
