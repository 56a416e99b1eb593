// chat_client - prints the lines the chat server (examples/c/chat_server.c) hands over, until
// "quit" or until the server is gone (it ended or crashed without saying "quit"). Ctrl-C ends
// the wait at once (the cancellation wakes the blocked shmlink wait).
//
//   usage: chat_client [name]     default: "shmlink-chat"
//   exit codes: 0 after "quit", 3 if the server vanished, 1 on errors, 130 on Ctrl-C
//
// Protocol (examples/c/chat_protocol.h), objects named after the chat's name N:
//   segment N        one slot: a uint32 length, then that many bytes of text
//   signal  N.ready  auto-reset: the server put a message in the slot
//   signal  N.taken  auto-reset: the client has read the slot, it is free again
//   mutex   N.alive  owned by the server while it lives: acquiring it means the server is gone
using System;
using System.Text;
using System.Threading;
using ShmLink;

const int MaxText = 4096 - 4;
if (args.Length > 1)
{
    Console.Error.WriteLine("usage: chat_client [name]");
    return 2;
}
string name = args.Length > 0 ? args[0] : "shmlink-chat";
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

try
{
    using SharedMutex alive = SharedMutex.Open(name + ".alive");
    using Segment segment = Segment.Open(name, SegmentAccess.Read);
    using View slot = segment.Map();
    using Signal ready = Signal.Open(name + ".ready");
    using Signal taken = Signal.Open(name + ".taken");
    var waits = new SharedWaitable[] { ready, alive };

    while (true)
    {
        WaitAnyResult result = WaitHandles.WaitAny(waits, Timeout.InfiniteTimeSpan, stop.Token);
        if (result.Index == 1)
        {
            Console.WriteLine($"chat_client: the server is gone{(result.Abandoned ? " (it died)" : "")}");
            alive.Unlock();
            return 3;
        }
        uint length = slot.Read<uint>(0);
        if (length > MaxText || length > slot.Length - 4)
        {
            Console.Error.WriteLine($"chat_client: the server wrote a length of {length}; at most {MaxText} fit");
            return 1;
        }
        string text = Encoding.UTF8.GetString(slot.GetReadOnlySpan(4, (int)length));
        taken.Set();
        if (text == "quit") break;
        Console.WriteLine($"chat_client: {text}");
    }
    Console.WriteLine("chat_client: the server said quit");
    return 0;
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("chat_client: interrupted");
    return 130;
}
catch (Exception error) when (error is IShmLinkError)
{
    Console.Error.WriteLine($"chat_client: {error.Message}");
    return 1;
}
