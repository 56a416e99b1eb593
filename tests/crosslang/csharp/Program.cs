// The C# half of the cross-language test (tests/crosslang/CMakeLists.txt): the Java half
// (tests/crosslang/java) creates segment NAME.segment, channel NAME.channel (its receiver) and
// signal NAME.attached, then starts this program with NAME and COUNT.
//
//   usage: ShmLink.CrossLang NAME COUNT
//
// This program opens the segment (ShmLink.Segment), reads the question Java left at offset 0
// (an int32), writes the answer (question * 2 + 1) at offset 4 and the text "answered from C#"
// (an int32 length at 8, the UTF-8 bytes at 12), then opens the channel as its sender and sends
// COUNT messages: an int32 sequence number, an int32 question, then "message SEQ from C#" in
// UTF-8, after setting NAME.attached once it is attached (as the channel examples' NAME-ready).
// Odd sequence numbers go through reserve/commit (zero copy), even ones through send.
// It prints "csharp: sent COUNT" and exits 0; on a failure it prints the library's message and
// exits 1 (2 for bad usage).
using System;
using System.Buffers.Binary;
using System.Text;
using ShmLink;

if (args.Length != 2 || !int.TryParse(args[1], out int count) || count < 0)
{
    Console.Error.WriteLine("usage: ShmLink.CrossLang NAME COUNT");
    return 2;
}
string name = args[0];
try
{
    int question;
    using (Segment segment = Segment.Open(name + ".segment"))
    using (View view = segment.Map())
    {
        question = view.Read<int>(0);
        view.Write(4, question * 2 + 1);
        byte[] text = Encoding.UTF8.GetBytes("answered from C#");
        view.Write(8, text.Length);
        text.CopyTo(view.GetSpan(12, text.Length));
    }

    using (Channel channel = Channel.Open(name + ".channel", ChannelRole.Sender))
    {
        // Attached as a sender: until now the Java receiver would see CLOSED (no sender).
        using (Signal attached = Signal.Open(name + ".attached"))
            attached.Set();
        for (int sequence = 0; sequence < count; sequence++)
        {
            byte[] text = Encoding.UTF8.GetBytes($"message {sequence} from C#");
            byte[] message = new byte[8 + text.Length];
            BinaryPrimitives.WriteInt32LittleEndian(message.AsSpan(0), sequence);
            BinaryPrimitives.WriteInt32LittleEndian(message.AsSpan(4), question);
            text.CopyTo(message, 8);
            if (sequence % 2 == 1)
            {
                ChannelReservation reservation = channel.Reserve(message.Length);
                message.CopyTo(reservation.Span);
                reservation.Commit();
            }
            else
            {
                channel.Send(message);
            }
        }
    }
    Console.WriteLine($"csharp: sent {count}");
    return 0;
}
catch (Exception error) when (error is IShmLinkError)
{
    Console.Error.WriteLine($"csharp: {error.Message}");
    return 1;
}
