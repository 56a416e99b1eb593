// A new user's first program: references only the ShmLink package from a local feed.
//   consumer                   a segment, a signal and a channel within this process
//   consumer receive NAME N    N messages from the C producer (examples/c/channel_producer.c),
//                              "message 1" .. "message N" in order, then the end of the stream
using System;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using ShmLink;

string where = $"{RuntimeInformation.ProcessArchitecture}, {(OperatingSystem.IsWindows() ? "Windows" : "Linux")}";
if (args.Length == 3 && args[0] == "receive")
    return Receive(args[1], int.Parse(args[2]));
if (args.Length != 0)
{
    Console.Error.WriteLine("usage: consumer [receive NAME COUNT]");
    return 2;
}

string name = $"shmlink-cs-test.package.{Environment.ProcessId}";
using (var segment = Segment.Create(name, 4096))
using (var view = segment.Map())
using (var signal = Signal.Create(name + ".signal"))
{
    view.Write(0, 42);
    signal.Set();
    using var opened = Segment.Open(name, SegmentAccess.Read);
    using var readView = opened.Map();
    if (readView.Read<int>(0) != 42 || !signal.Wait(TimeSpan.FromSeconds(5))) return 1;
}
using (var receiver = Channel.Create(name + ".channel", 4096, 64, ChannelRole.Receiver))
using (var sender = Channel.Open(name + ".channel", ChannelRole.Sender))
{
    sender.Send("ping"u8);
    if (Encoding.UTF8.GetString(receiver.Receive(TimeSpan.FromSeconds(5))) != "ping") return 1;
}
Console.WriteLine($"package ok: shmlink {ShmLinkLibrary.VersionString} ({where})");
return 0;

int Receive(string channelName, int count)
{
    // Either side may start first: both open-or-create the channel with the producer's sizes
    // (64 KiB, messages up to 4096 bytes), and what was sent before we attached waits for us.
    using (Channel channel = Channel.OpenOrCreate(channelName, 64 * 1024, 4096, ChannelRole.Receiver, out _))
    {
        var buffer = new byte[4096];
        for (int i = 1; i <= count; ++i)
        {
            int length = channel.Receive(buffer, TimeSpan.FromSeconds(30));
            string text = Encoding.UTF8.GetString(buffer, 0, length);
            if (text != $"message {i}")
            {
                Console.Error.WriteLine($"consumer: message {i} was \"{text}\"");
                return 1;
            }
        }
        try
        {
            channel.Receive(buffer, TimeSpan.FromSeconds(30));
            Console.Error.WriteLine("consumer: a message after the last one");
            return 1;
        }
        catch (ShmLinkException error) when (error.Status == ShmLinkStatus.Closed)
        {
        }
    }
    Console.WriteLine($"received {count} messages in order ({where})");
    return 0;
}
