using System;
using System.IO;
using Xunit;

namespace ShmLink.Tests;

public class SegmentTests
{
    [Fact]
    public void CreateGivesReadWriteSegmentOfTheAskedSize()
    {
        string name = Names.Unique("seg");
        using var segment = Segment.Create(name, 5000);
        Assert.Equal(5000, segment.Size);
        Assert.Equal(name, segment.Name);
        Assert.Equal(SegmentAccess.ReadWrite, segment.Access);
        Assert.True(segment.Created);
    }

    [Fact]
    public void OpenOrCreateReportsWhetherItCreated()
    {
        string name = Names.Unique("seg");
        using var first = Segment.OpenOrCreate(name, 4096, out bool created);
        Assert.True(created);
        using var second = Segment.OpenOrCreate(name, 100, out bool createdAgain);
        Assert.False(createdAgain);
        Assert.False(second.Created);
        Assert.Equal(4096, second.Size); // an existing segment keeps its own size
    }

    [Fact]
    public void OpenSeesWhatCreateWrote()
    {
        string name = Names.Unique("seg");
        using var segment = Segment.Create(name, 4096);
        using (var view = segment.Map()) view.Write(100, 0x12345678u);
        using var opened = Segment.Open(name, SegmentAccess.Read);
        using var readView = opened.Map();
        Assert.Equal(0x12345678u, readView.Read<uint>(100));
        Assert.False(opened.Created);
        Assert.Equal(SegmentAccess.Read, readView.Access);
    }

    [Fact]
    public void TheNameIsFreeAfterTheLastDispose()
    {
        string name = Names.Unique("seg");
        Segment.Create(name, 4096).Dispose();
        using var again = Segment.Create(name, 4096);
        Assert.True(again.Created);
    }

    [Fact]
    public void FromFileKeepsDataInTheFile()
    {
        string path = Path.Combine(Path.GetTempPath(), Names.Unique("file") + ".bin");
        try
        {
            using (var segment = Segment.FromFile(path, size: 8192))
            using (var view = segment.Map())
            {
                Assert.Null(segment.Name);
                view.Write(10, 42L);
                view.Flush();
            }
            Assert.Equal(8192, new FileInfo(path).Length);
            using (var segment = Segment.FromFile(path, access: SegmentAccess.Read))
            using (var view = segment.Map())
            {
                Assert.Equal(8192, segment.Size);
                Assert.Equal(42L, view.Read<long>(10));
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void NamedFileSegmentOpensByName()
    {
        string path = Path.Combine(Path.GetTempPath(), Names.Unique("file") + ".bin");
        string name = Names.Unique("fileseg");
        try
        {
            using var segment = Segment.FromFile(path, name, 4096);
            Assert.Equal(name, segment.Name);
            using var again = Segment.FromFile(path, name, 4096, openExisting: true);
            Assert.False(again.Created);
            using var opened = Segment.Open(name);
            Assert.Equal(4096, opened.Size);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void MapAtAnyOffsetGivesThatByte()
    {
        using var segment = Segment.Create(Names.Unique("seg"), 3 * 4096);
        using (var whole = segment.Map()) whole.Span[5000] = 77;
        using var part = segment.Map(5000, 10);
        Assert.Equal(10, part.Length);
        Assert.Equal(5000, part.Offset);
        Assert.Equal(77, part.ReadOnlySpan[0]);
    }

    [Fact]
    public void NegativeArgumentsAreRejectedBeforeTheLibrary()
    {
        using var segment = Segment.Create(Names.Unique("seg"), 4096);
        Assert.Throws<ArgumentOutOfRangeException>(() => segment.Map(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => segment.Map(0, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Segment.Create(Names.Unique("seg"), -5));
        Assert.Throws<ArgumentNullException>(() => Segment.Create(null!, 5));
    }

    [Fact]
    public void LibraryFactsAreAvailable()
    {
        Assert.Equal(ShmLinkLibrary.BindingVersion.Major, ShmLinkLibrary.Version.Major);
        Assert.Equal(ShmLinkLibrary.Version.ToString(3), ShmLinkLibrary.VersionString);
        Assert.True(ShmLinkLibrary.AllocationGranularity >= 4096);
        Assert.Equal("SHMLINK_ERR_NOT_FOUND", ShmLinkLibrary.GetStatusName(ShmLinkStatus.NotFound));
        Assert.Equal("SHMLINK_UNKNOWN_STATUS", ShmLinkLibrary.GetStatusName((ShmLinkStatus)12345));
    }
}
