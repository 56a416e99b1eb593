// channel_consumer - receives the channel producer's messages (examples/c/channel_producer.c)
// and prints one per line ("received message 1"), until the producer is gone and the channel is
// empty. Ctrl-C ends the wait at once (the cancellation wakes the blocked receive).
//
//   usage: channel_consumer [name]      default: "shmlink-channel-demo"
//   exit codes: 0 after the channel closed (everything received), 1 on a failure, 3 if no
//   message came for 30 s, 130 on Ctrl-C
//
// Protocol (see channel_producer.c): producer and consumer each open-or-create channel N
// (64 KiB, messages up to 4096 bytes), so either may start first; no ready signal, no retry.
// Each message is UTF-8 text. When the producer closes, the consumer receives what is queued,
// then the channel reports Closed: the end of the stream.
using System;
using System.Text;
using System.Threading;
using ShmLink;

const int MaxMessage = 4096;
if (args.Length > 1)
{
    Console.Error.WriteLine("usage: channel_consumer [name]");
    return 2;
}
string name = args.Length > 0 ? args[0] : "shmlink-channel-demo";
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

try
{
    using Channel channel = Channel.OpenOrCreate(name, 64 * 1024, MaxMessage, ChannelRole.Receiver, out _);
    var buffer = new byte[MaxMessage];
    while (true)
    {
        int length = channel.Receive(buffer, TimeSpan.FromSeconds(30), stop.Token);
        Console.WriteLine($"received {Encoding.UTF8.GetString(buffer, 0, length)}");
    }
}
catch (ShmLinkException error) when (error.Status == ShmLinkStatus.Closed)
{
    return 0; // the producer is gone and everything it sent was received
}
catch (TimeoutException)
{
    Console.Error.WriteLine("channel_consumer: no message for 30 s");
    return 3;
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("channel_consumer: interrupted");
    return 130;
}
catch (Exception error) when (error is IShmLinkError)
{
    Console.Error.WriteLine($"channel_consumer: {error.Message}");
    return 1;
}
