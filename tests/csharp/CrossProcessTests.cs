using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using Xunit;

namespace ShmLink.Tests;

/// <summary>The C# side against other processes: the C++ peer helper (tests/peer) and the C
/// examples.</summary>
public class CrossProcessTests
{
    [Fact]
    public void ReadsWhatTheCppPeerCreated()
    {
        string name = Names.Unique("xproc");
        using var peer = new Program("shmlink_peer", "create", name, "4096", "from the peer");
        peer.ExpectLine("ready");
        using (var segment = Segment.Open(name, SegmentAccess.Read))
        using (var view = segment.Map())
        {
            Assert.Equal(4096, segment.Size);
            Assert.Equal("from the peer", Encoding.ASCII.GetString(view.GetReadOnlySpan(0, 13)));
        }
        peer.CloseInput();
        peer.ExpectLine("closed");
        Assert.Equal(0, peer.WaitForExit());
        Assert.Equal(ShmLinkStatus.NotFound, ShmLinkAssert.Fails(() => Segment.Open(name)).Status);
    }

    [Fact]
    public void ThePeerReadsAndWritesOurSegment()
    {
        string name = Names.Unique("xproc");
        using var segment = Segment.Create(name, 4096);
        using var view = segment.Map();
        "hello"u8.CopyTo(view.GetSpan(100, 5));
        using (var reader = new Program("shmlink_peer", "read", name, "100", "5"))
        {
            reader.ExpectLine("data hello");
            Assert.Equal(0, reader.WaitForExit());
        }
        using (var writer = new Program("shmlink_peer", "write", name, "200", "peer-text"))
        {
            writer.ExpectLine("done");
            Assert.Equal(0, writer.WaitForExit());
        }
        Assert.Equal("peer-text", Encoding.ASCII.GetString(view.GetReadOnlySpan(200, 9)));
    }

    [Fact]
    public void APeerViewKeepsTheSegmentAliveAfterWeLetGo()
    {
        string name = Names.Unique("xproc");
        var segment = Segment.Create(name, 4096);
        using (var view = segment.Map()) view.Write(0, 0xCAFEu);
        using var holder = new Program("shmlink_peer", "hold-view", name);
        holder.ExpectLine("ready");
        segment.Dispose();
        using (var reader = new Program("shmlink_peer", "read", name, "0", "1"))
        {
            Assert.StartsWith("data ", reader.ReadLine());
            Assert.Equal(0, reader.WaitForExit());
        }
        holder.CloseInput();
        holder.ExpectLine("closed");
        Assert.Equal(0, holder.WaitForExit());
    }

    [Fact]
    public void PeerFailuresUseTheSameStatuses()
    {
        string name = Names.Unique("xproc");
        using var signal = Signal.Create(name);
        using var peer = new Program("shmlink_peer", "open", name);
        Assert.StartsWith("error SHMLINK_ERR_WRONG_KIND", peer.ReadLine());
        Assert.Equal(100 - (int)ShmLinkStatus.WrongKind, peer.WaitForExit());
    }

    [Fact]
    public void CSharpPlaysTheChatClientForTheCServer()
    {
        string name = Names.Unique("chat");
        using var server = new Program("shmlink_chat_server", name);
        Assert.StartsWith("chat_server: ready", server.ReadLine());
        using var alive = SharedMutex.Open(name + ".alive");
        using var segment = Segment.Open(name, SegmentAccess.Read);
        using var slot = segment.Map();
        using var ready = Signal.Open(name + ".ready");
        using var taken = Signal.Open(name + ".taken");
        var waits = new SharedWaitable[] { ready, alive };
        TimeSpan timeout = TimeSpan.FromSeconds(10);

        server.Input.WriteLine("hello from C");
        server.Input.Flush();
        WaitAnyResult result = WaitHandles.WaitAny(waits, timeout);
        Assert.Equal(0, result.Index);
        Assert.Equal("hello from C", Encoding.UTF8.GetString(slot.GetReadOnlySpan(4, (int)slot.Read<uint>(0))));
        taken.Set();

        server.Kill(); // dies holding the alive mutex
        result = WaitHandles.WaitAny(waits, timeout);
        Assert.Equal(new WaitAnyResult(1, abandoned: true), result);
        alive.Unlock();
    }
}

/// <summary>The C# examples against their C partners, end to end.</summary>
public class ExampleTests
{
    private static string ExampleDll(string project)
    {
        string dll = Path.GetFullPath(Path.Combine(Program.BinDir, "..", "dotnet", "bin", project, "Release", "net8.0",
                                                   project + ".dll"));
        Assert.True(File.Exists(dll), $"{dll} is not built");
        return dll;
    }

    private static Program RunExample(string project, params string[] arguments)
    {
        var all = new string[arguments.Length + 1];
        all[0] = ExampleDll(project);
        arguments.CopyTo(all, 1);
        return new Program("/usr/bin/env", new[] { "dotnet" }.Concat(all).ToArray());
    }

    [Fact]
    public void ReaderPrintsTheCWritersMessage()
    {
        string name = Names.Unique("demo");
        using var writer = new Program("shmlink_writer", name, "Hello from C, read in C#");
        Assert.StartsWith("writer: ready", writer.ReadLine());
        using (var reader = RunExample("ShmLink.Examples.Reader", name))
        {
            Assert.Equal("Hello from C, read in C#", reader.ReadLine(TimeSpan.FromSeconds(60)));
            Assert.Equal(0, reader.WaitForExit(TimeSpan.FromSeconds(60)));
        }
        writer.CloseInput();
        Assert.Equal(0, writer.WaitForExit());
    }

    [Fact]
    public void ReaderReportsAMissingSegment()
    {
        using var reader = RunExample("ShmLink.Examples.Reader", Names.Unique("nothing"));
        Assert.Equal(1, reader.WaitForExit(TimeSpan.FromSeconds(60)));
        Assert.Contains("SHMLINK_ERR_NOT_FOUND", reader.Stderr);
    }

    [Fact]
    public void ChatClientPrintsTheCServersLinesUntilQuit()
    {
        string name = Names.Unique("chat");
        using var server = new Program("shmlink_chat_server", name);
        Assert.StartsWith("chat_server: ready", server.ReadLine());
        using var client = RunExample("ShmLink.Examples.ChatClient", name);
        server.Input.WriteLine("first line");
        server.Input.WriteLine("second line");
        server.Input.WriteLine("quit");
        server.Input.Flush();
        Assert.Equal("chat_client: first line", client.ReadLine(TimeSpan.FromSeconds(60)));
        Assert.Equal("chat_client: second line", client.ReadLine());
        Assert.Equal("chat_client: the server said quit", client.ReadLine());
        Assert.Equal(0, client.WaitForExit());
        Assert.Equal(0, server.WaitForExit());
    }

    [Fact]
    public void ChannelConsumerPrintsTheCProducersMessagesUntilClosed()
    {
        string name = Names.Unique("channel-demo");
        using var producer = new Program("shmlink_channel_producer", name, "4");
        Assert.Equal("ready", producer.ReadLine());
        using var consumer = RunExample("ShmLink.Examples.ChannelConsumer", name);
        Assert.Equal("received message 1", consumer.ReadLine(TimeSpan.FromSeconds(60)));
        Assert.Equal("received message 2", consumer.ReadLine());
        Assert.Equal("received message 3", consumer.ReadLine());
        Assert.Equal("received message 4", consumer.ReadLine());
        Assert.Equal("", consumer.ReadToEnd());
        Assert.Equal(0, consumer.WaitForExit());
        Assert.Equal("sent 4", producer.ReadLine());
        Assert.Equal(0, producer.WaitForExit());
    }

    [Fact]
    public void ChannelConsumerStartedBeforeTheProducerGetsEveryMessage()
    {
        // Either may start first (since 1.4): the consumer opens or creates the channel and waits.
        string name = Names.Unique("channel-demo");
        using var consumer = RunExample("ShmLink.Examples.ChannelConsumer", name);
        using var producer = new Program("shmlink_channel_producer", name, "4");
        Assert.Equal("ready", producer.ReadLine());
        Assert.Equal("received message 1", consumer.ReadLine(TimeSpan.FromSeconds(60)));
        Assert.Equal("received message 2", consumer.ReadLine());
        Assert.Equal("received message 3", consumer.ReadLine());
        Assert.Equal("received message 4", consumer.ReadLine());
        Assert.Equal("", consumer.ReadToEnd());
        Assert.Equal(0, consumer.WaitForExit());
        Assert.Equal("sent 4", producer.ReadLine());
        Assert.Equal(0, producer.WaitForExit());
    }

    [Fact]
    public void ChatClientNoticesTheServerDying()
    {
        string name = Names.Unique("chat");
        using var server = new Program("shmlink_chat_server", name);
        Assert.StartsWith("chat_server: ready", server.ReadLine());
        using var client = RunExample("ShmLink.Examples.ChatClient", name);
        server.Input.WriteLine("only line");
        server.Input.Flush();
        Assert.Equal("chat_client: only line", client.ReadLine(TimeSpan.FromSeconds(60)));
        server.Kill();
        Assert.Equal("chat_client: the server is gone (it died)", client.ReadLine());
        Assert.Equal(3, client.WaitForExit());
    }
}
