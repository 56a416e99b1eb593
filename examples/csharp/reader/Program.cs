// reader - opens the segment the writer example (examples/c/writer.c) created, read-only,
// checks the stored length against the segment's size and prints the message.
//
//   usage: reader [name]      default: "shmlink-demo"
//
// Layout (examples/c/demo_message.h): a uint32 length in the machine's byte order, then that
// many bytes of text. Another process wrote it: check it before trusting it.
using System;
using System.Text;
using ShmLink;

const int LengthSize = 4;
if (args.Length > 1)
{
    Console.Error.WriteLine("usage: reader [name]");
    return 2;
}
string name = args.Length > 0 ? args[0] : "shmlink-demo";
try
{
    using Segment segment = Segment.Open(name, SegmentAccess.Read);
    if (segment.Size < LengthSize)
    {
        Console.Error.WriteLine($"reader: segment \"{name}\" has {segment.Size} bytes: too small to hold a message");
        return 1;
    }
    using View view = segment.Map();
    uint length = view.Read<uint>(0);
    if (length > view.Length - LengthSize)
    {
        Console.Error.WriteLine($"reader: segment \"{name}\" claims a {length}-byte message but only {view.Length - LengthSize} bytes follow");
        return 1;
    }
    Console.WriteLine(Encoding.UTF8.GetString(view.GetReadOnlySpan(LengthSize, (int)length)));
    return 0;
}
catch (Exception error) when (error is IShmLinkError)
{
    Console.Error.WriteLine($"reader: {error.Message}");
    return 1;
}
