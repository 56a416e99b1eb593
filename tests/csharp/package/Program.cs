// A new user's first program: references only the ShmLink package from a local feed.
using System;
using ShmLink;

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
    if (System.Text.Encoding.UTF8.GetString(receiver.Receive(TimeSpan.FromSeconds(5))) != "ping") return 1;
}
Console.WriteLine($"package ok: shmlink {ShmLinkLibrary.VersionString}");
return 0;
