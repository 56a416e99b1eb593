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
//
// The channel half calls the C ABI (shmlink_channel_*) through its own [DllImport] declarations
// below: ShmLink.Channel is being written on another branch. When it lands, switch ChannelAbi
// to it (Channel.Open(name, ChannelRole.Sender), Send, Reserve/Commit) and delete ChannelAbi.
using System;
using System.Buffers.Binary;
using System.IO;
using System.Runtime.InteropServices;
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

    ulong channel = ChannelAbi.Open(name + ".channel", ChannelAbi.Sender);
    try
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
                ChannelAbi.SendZeroCopy(channel, message);
            else
                ChannelAbi.Send(channel, message);
        }
    }
    finally
    {
        ChannelAbi.Close(channel);
    }
    Console.WriteLine($"csharp: sent {count}");
    return 0;
}
catch (ShmLinkException error)
{
    Console.Error.WriteLine($"csharp: {error.Message}");
    return 1;
}
catch (ChannelAbi.Failure error)
{
    Console.Error.WriteLine($"csharp: {error.Message}");
    return 1;
}

/// <summary>The few channel functions of the C ABI this test needs, called directly (see the
/// top of this file). "shmlink" resolves to the library ShmLink.csproj copies beside this
/// program.</summary>
static unsafe class ChannelAbi
{
    public const uint Sender = 0x1000;        // SHMLINK_CHANNEL_SENDER
    private const uint Infinite = 0xFFFFFFFF; // SHMLINK_INFINITE

    static ChannelAbi()
    {
        NativeLibrary.SetDllImportResolver(typeof(ChannelAbi).Assembly, (library, assembly, path) =>
            library == "shmlink"
                ? NativeLibrary.Load(Path.Combine(AppContext.BaseDirectory,
                      OperatingSystem.IsWindows() ? "shmlink.dll" : "libshmlink.so.1"))
                : IntPtr.Zero);
    }

    public sealed class Failure : Exception
    {
        public Failure(string message) : base(message) { }
    }

    public static ulong Open(string name, uint flags)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(name + "\0");
        ulong handle;
        fixed (byte* text = utf8) Check(shmlink_channel_open(text, flags, &handle), "shmlink_channel_open");
        return handle;
    }

    public static void Send(ulong channel, byte[] message)
    {
        fixed (byte* data = message)
            Check(shmlink_channel_send(channel, data, (uint)message.Length, Infinite), "shmlink_channel_send");
    }

    public static void SendZeroCopy(ulong channel, byte[] message)
    {
        void* room;
        Check(shmlink_channel_reserve(channel, (uint)message.Length, Infinite, &room), "shmlink_channel_reserve");
        message.CopyTo(new Span<byte>(room, message.Length));
        Check(shmlink_channel_commit(channel, (uint)message.Length), "shmlink_channel_commit");
    }

    public static void Close(ulong channel) => shmlink_close(channel);

    private static void Check(int status, string operation)
    {
        if (status < 0)
            throw new Failure($"{operation}: {Marshal.PtrToStringUTF8(shmlink_status_name(status))}: " +
                              Marshal.PtrToStringUTF8(shmlink_last_error_message()));
    }

    [DllImport("shmlink")] private static extern int shmlink_channel_open(byte* name, uint flags, ulong* outChannel);
    [DllImport("shmlink")] private static extern int shmlink_channel_send(ulong channel, byte* data, uint length, uint timeoutMs);
    [DllImport("shmlink")] private static extern int shmlink_channel_reserve(ulong channel, uint length, uint timeoutMs, void** outBuffer);
    [DllImport("shmlink")] private static extern int shmlink_channel_commit(ulong channel, uint length);
    [DllImport("shmlink")] private static extern int shmlink_close(ulong handle);
    [DllImport("shmlink")] private static extern IntPtr shmlink_status_name(int status);
    [DllImport("shmlink")] private static extern IntPtr shmlink_last_error_message();
}
