// The C# channel benchmark: two-process 64-byte ping-pong round trips and one-way throughput
// over a shmlink Channel, against what a .NET programmer would otherwise pick - an anonymous
// pipe pair (System.IO.Pipes) and a Unix domain socket (System.Net.Sockets) - and against the
// all-native baseline (C to C over the same kind of channels, bench/csharp/channel_echo.c), to
// pipes used directly from C, and to the floor of any two-process round trip (two C processes
// taking turns on a shared word, yielding the CPU while they wait), measured in one run, the mechanisms taking turns in blocks of 1,000 round trips.
// The one-way stream is also sent in batches of 64 (Channel.SendBatch / ReceiveBatch) and
// measured against C sending the same stream to C, one message and 64 messages per call
// (bench/channel_stream.c).
//
//   dotnet ShmLink.Bench.dll [round_trips] [stream_messages]     defaults: 20000, 200000
//
// Placement is pinned as in bench/signal_pingpong.cpp: the measuring thread on CPU 0 and the
// peers on CPU 1 (cross-core), then everything on CPU 0. Linux only.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.IO.Pipes;
using System.Linq;
using System.Net.Sockets;
using System.Reflection;
using System.Runtime.InteropServices;
using ShmLink;

namespace ShmLink.Bench;

internal static class Program
{
    private const int MessageBytes = 64;
    private const int Warmup = 2000;
    private const int Block = 1000;
    private const int NativeWarmup = 200;
    private const long ChannelCapacity = 64 * 1024;
    private const int StreamBatch = 64;
    private const string EchoProgram = "shmlink_csharp_bench_echo";     // bench/csharp/channel_echo.c
    private const string StreamProgram = "shmlink_bench_channel_stream"; // bench/channel_stream.c
    internal const int StreamBatchBytes = StreamBatch * MessageBytes;

    private static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "--peer") return Peer.Run(args);
        int trips = args.Length > 0 ? int.Parse(args[0]) : 20000;
        int stream = args.Length > 1 ? int.Parse(args[1]) : 200000;
        Console.WriteLine($"shmlink {ShmLinkLibrary.VersionString}, .NET {Environment.Version}, " +
                          $"{Environment.ProcessorCount} CPUs, {MessageBytes}-byte messages");
        Console.WriteLine();
        Run("peers on CPU 1, measuring thread on CPU 0 (cross-core)", trips, stream, selfCpu: 0, peerCpu: 1);
        Run("everything on CPU 0 (same core)", trips, stream, selfCpu: 0, peerCpu: 0);
        return 0;
    }

    private sealed record Row(string Mechanism, double P50, double P99, double P999);

    private static void Run(string title, int trips, int stream, int selfCpu, int peerCpu)
    {
        string name = $"bench-cs-{Environment.ProcessId}-{selfCpu}{peerCpu}";
        int total = Warmup + trips;

        // Channels: C# to C# (peer "channel") and C# to the C echo.
        using var ping = Channel.Create(name + ".ping", ChannelCapacity, MessageBytes, ChannelRole.Sender);
        using var pong = Channel.Create(name + ".pong", ChannelCapacity, MessageBytes, ChannelRole.Receiver);
        using var cping = Channel.Create(name + "-c.ping", ChannelCapacity, MessageBytes, ChannelRole.Sender);
        using var cpong = Channel.Create(name + "-c.pong", ChannelCapacity, MessageBytes, ChannelRole.Receiver);
        // Anonymous pipes, one per direction.
        using var toPeer = new AnonymousPipeServerStream(PipeDirection.Out, HandleInheritability.Inheritable);
        using var fromPeer = new AnonymousPipeServerStream(PipeDirection.In, HandleInheritability.Inheritable);
        // A Unix domain socket.
        string socketPath = Path.Combine(Path.GetTempPath(), name + ".sock");
        File.Delete(socketPath);
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        listener.Listen(1);

        Affinity.Pin(peerCpu); // children inherit the starting thread's CPUs
        var peers = new List<Process>
        {
            StartSelf("channel", name, total, stream),
            StartSelf("pipe", $"{toPeer.GetClientHandleAsString()},{fromPeer.GetClientHandleAsString()}", total, stream),
            StartSelf("socket", socketPath, total, stream),
            StartNative("echo", name + "-c", total.ToString()),
        };
        Affinity.Pin(selfCpu);
        toPeer.DisposeLocalCopyOfClientHandle();
        fromPeer.DisposeLocalCopyOfClientHandle();
        using Socket socket = listener.Accept();
        File.Delete(socketPath);

        byte[] message = new byte[MessageBytes];
        byte[] reply = new byte[MessageBytes];
        message.AsSpan().Fill((byte)'x');

        // The peers attach asynchronously: until the receiver is there, a send says Closed.
        void FirstSend(Channel channel)
        {
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    channel.Send(message);
                    return;
                }
                catch (ShmLinkException error) when (error.Status == ShmLinkStatus.Closed &&
                                                      deadline.Elapsed < TimeSpan.FromSeconds(30))
                {
                    System.Threading.Thread.Sleep(1);
                }
            }
        }
        FirstSend(ping);
        pong.Receive(reply);
        FirstSend(cping);
        cpong.Receive(reply);

        var trip = new (string Name, Action Action)[]
        {
            ("shmlink channel, C# <-> C#", () =>
            {
                ping.Send(message);
                pong.Receive(reply);
            }),
            ("shmlink channel, C# <-> C echo", () =>
            {
                cping.Send(message);
                cpong.Receive(reply);
            }),
            ("anonymous pipes (System.IO.Pipes)", () =>
            {
                toPeer.Write(message);
                fromPeer.ReadExactly(reply);
            }),
            ("Unix domain socket (Sockets)", () =>
            {
                socket.Send(message);
                ReceiveExactly(socket, reply);
            }),
        };
        var samples = trip.Select(_ => new List<double>(trips)).ToArray();
        var discard = new List<double>(Warmup);
        for (int m = 0; m < trip.Length; m++)
        {
            discard.Clear();
            Measure(trip[m].Action, m < 2 ? Warmup - 1 : Warmup, discard);
        }
        // The native baselines take their turn in every block too, each round trip timed in C
        // (bench/csharp/channel_echo.c): a C pinger and C echo pair over channels; the floor of any
        // two-process exchange (two processes taking turns on a shared word, yielding the CPU while
        // they wait); and pipes read and written directly in C.
        var nativeSamples = new List<double>(trips);
        var floorSamples = new List<double>(trips);
        var cPipeSamples = new List<double>(trips);
        for (int done = 0, block = 0; done < trips; done += Block, block++)
        {
            int count = Math.Min(Block, trips - done);
            for (int m = 0; m < trip.Length; m++) Measure(trip[m].Action, count, samples[m]);
            string cpus = $"{selfCpu} {peerCpu}";
            nativeSamples.AddRange(RunNative($"pingpong {name}-n{block} {count} {NativeWarmup} {MessageBytes} {cpus} raw"));
            floorSamples.AddRange(RunNative($"turns {count} {NativeWarmup} {cpus}"));
            cPipeSamples.AddRange(RunNative($"pipes {count} {NativeWarmup} {cpus}"));
        }

        // One-way throughput: the peers receive `stream` messages, then answer with one.
        var throughput = new List<(string Name, double MessagesPerSecond)>
        {
            ("shmlink channel, C# -> C#", StreamRate(stream, () => ping.Send(message), () => pong.Receive(reply))),
            ("anonymous pipes (System.IO.Pipes)", StreamRate(stream, () => toPeer.Write(message), () => fromPeer.ReadExactly(reply))),
            ("Unix domain socket (Sockets)", StreamRate(stream, () => socket.Send(message), () => ReceiveExactly(socket, reply))),
        };
        // Batches: the same stream, 64 messages per call (Channel.SendBatch; the peer's ReceiveBatch).
        var batch = new byte[StreamBatch * MessageBytes];
        var batchLengths = Enumerable.Repeat(MessageBytes, StreamBatch).ToArray();
        double csharpBatches = StreamRate(stream / StreamBatch, () =>
        {
            for (int sent = 0; sent < StreamBatch;)
                sent += ping.SendBatch(batch.AsSpan(sent * MessageBytes), batchLengths.AsSpan(sent));
        }, () => pong.Receive(reply)) * StreamBatch;
        // The all-native rows: C to C over the same channels, timed the same way, in the same placement.
        double nativeSingle = NativeStreamRate($"{name}-s1", stream, 1, selfCpu, peerCpu);
        double nativeBatches = NativeStreamRate($"{name}-s{StreamBatch}", stream / StreamBatch * StreamBatch, StreamBatch,
                                                selfCpu, peerCpu);
        ping.Dispose();
        cping.Dispose();
        toPeer.Dispose();
        socket.Shutdown(SocketShutdown.Both);
        foreach (Process peer in peers)
        {
            if (!peer.WaitForExit(60000) || peer.ExitCode != 0)
                throw new InvalidOperationException($"a peer failed: {peer.StartInfo.FileName} {string.Join(' ', peer.StartInfo.ArgumentList)}");
            peer.Dispose();
        }

        var rows = new List<Row>();
        for (int m = 0; m < trip.Length; m++) rows.Add(Summarize(trip[m].Name, samples[m]));
        Row baseline = Summarize("shmlink channel, C <-> C (native)", nativeSamples);
        Row cPipes = Summarize("pipes in C (read/write, no .NET)", cPipeSamples);
        Row floor = Summarize("floor: C processes taking turns", floorSamples);

        Console.WriteLine($"Two-process ping-pong round trip, {title}");
        Console.WriteLine($"{trips} round trips each, interleaved in blocks of {Block} (microseconds)");
        Console.WriteLine($"{"mechanism",-36} {"p50",9} {"p99",9} {"p99.9",9}");
        foreach (Row row in rows.Append(baseline).Append(cPipes).Append(floor))
            Console.WriteLine($"{row.Mechanism,-36} {row.P50,9:F2} {row.P99,9:F2} {row.P999,9:F2}");
        Row channel = rows[0];
        Console.WriteLine($"C# channel / native C channel (p50):  {channel.P50 / baseline.P50,6:F2}x (target <= 1.30x)");
        Console.WriteLine($"C# channel / native (p99):            {channel.P99 / baseline.P99,6:F2}x");
        Console.WriteLine($"pipes / C# channel (p50):             {rows[2].P50 / channel.P50,6:F2}x (target >= 2x)");
        Console.WriteLine($"Unix socket / C# channel (p50):       {rows[3].P50 / channel.P50,6:F2}x (target >= 2x)");
        Console.WriteLine($"pipes / floor (p50):                  {rows[2].P50 / floor.P50,6:F2}x (the most any mechanism can lead pipes by here)");
        Console.WriteLine();
        Console.WriteLine($"One-way throughput, {stream} messages of {MessageBytes} bytes, {title}");
        throughput.Add(($"shmlink channel, batches of {StreamBatch}, C# -> C#", csharpBatches));
        throughput.Add(("shmlink channel, C -> C (native)", nativeSingle));
        throughput.Add(($"shmlink channel, batches of {StreamBatch}, C -> C", nativeBatches));
        foreach (var (mechanism, rate) in throughput)
            Console.WriteLine($"{mechanism,-42} {rate / 1e6,9:F2} M msg/s {rate * MessageBytes / 1e6,9:F1} MB/s");
        Console.WriteLine($"native C / C# channel (messages/s):   {nativeSingle / throughput[0].MessagesPerSecond,6:F2}x (target <= 1.30x)");
        Console.WriteLine($"native C / C# batches (messages/s):   {nativeBatches / csharpBatches,6:F2}x (target <= 1.30x)");
        Console.WriteLine($"C# channel / pipes:                   {throughput[0].MessagesPerSecond / throughput[1].MessagesPerSecond,6:F2}x");
        Console.WriteLine($"C# channel / Unix socket:             {throughput[0].MessagesPerSecond / throughput[2].MessagesPerSecond,6:F2}x");
        Console.WriteLine();
    }

    private static void Measure(Action roundTrip, int count, List<double> samples)
    {
        double toMicroseconds = 1e6 / Stopwatch.Frequency;
        for (int i = 0; i < count; i++)
        {
            long start = Stopwatch.GetTimestamp();
            roundTrip();
            samples.Add((Stopwatch.GetTimestamp() - start) * toMicroseconds);
        }
    }

    private static double StreamRate(int count, Action send, Action receiveAck)
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < count; i++) send();
        receiveAck();
        return count / Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    // Runs the native stream ("stream" in channel_echo.c); returns the messages per second it prints.
    private static double NativeStreamRate(string name, int count, int batch, int selfCpu, int peerCpu)
    {
        List<double> printed = RunNative($"stream {name} {count} {batch} {selfCpu} {peerCpu}", StreamProgram).ToList();
        if (printed.Count != 1) throw new InvalidOperationException($"the native stream printed {printed.Count} lines");
        return printed[0];
    }

    private static Row Summarize(string mechanism, List<double> samples)
    {
        samples.Sort();
        double At(double q) => samples[(int)(q * (samples.Count - 1))];
        return new Row(mechanism, At(0.50), At(0.99), At(0.999));
    }

    internal static void ReceiveExactly(Socket socket, Span<byte> buffer)
    {
        while (buffer.Length > 0)
        {
            int got = socket.Receive(buffer);
            if (got == 0) throw new EndOfStreamException("the socket closed");
            buffer = buffer[got..];
        }
    }

    private static Process StartSelf(string mechanism, string address, int trips, int stream)
    {
        // Run as "dotnet ShmLink.Bench.dll" or as the apphost: start the peer the same way.
        string host = Environment.ProcessPath ?? "dotnet";
        var info = new ProcessStartInfo(host) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") info.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        foreach (string argument in new[] { "--peer", mechanism, address, trips.ToString(), stream.ToString() })
            info.ArgumentList.Add(argument);
        return Process.Start(info) ?? throw new InvalidOperationException("cannot start the peer");
    }

    // Runs the native helper with space-separated arguments; returns the microseconds it prints, one a line.
    private static IEnumerable<double> RunNative(string arguments, string program = EchoProgram)
    {
        using Process native = StartNativeProgram(program, arguments.Split(' '));
        string output = native.StandardOutput.ReadToEnd();
        native.WaitForExit();
        if (native.ExitCode != 0) throw new InvalidOperationException($"the native baseline failed: {arguments}");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(text => double.Parse(text, CultureInfo.InvariantCulture)).ToList();
    }

    private static Process StartNative(params string[] arguments) => StartNativeProgram(EchoProgram, arguments);

    private static Process StartNativeProgram(string program, string[] arguments)
    {
        string? dir = Environment.GetEnvironmentVariable("SHMLINK_BIN_DIR");
        if (string.IsNullOrEmpty(dir))
            dir = typeof(Program).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .FirstOrDefault(a => a.Key == "ShmLinkProgramDir")?.Value;
        string path = Path.Combine(dir ?? ".", program);
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path} is not built (configure with -DSHMLINK_BUILD_BENCH=ON)", path);
        var info = new ProcessStartInfo(path) { UseShellExecute = false, RedirectStandardOutput = true };
        foreach (string argument in arguments) info.ArgumentList.Add(argument);
        return Process.Start(info) ?? throw new InvalidOperationException("cannot start the native echo");
    }
}

/// <summary>The echo side: answers every ping-pong message, then takes the stream and acknowledges it.</summary>
internal static class Peer
{
    public static int Run(string[] args)
    {
        string mechanism = args[1], address = args[2];
        int trips = int.Parse(args[3]), stream = int.Parse(args[4]);
        var buffer = new byte[64];
        switch (mechanism)
        {
            case "channel":
            {
                // The reply channel first: the pinger's first send goes through once this receiver
                // is attached, and its receive right after would say Closed with no sender yet.
                using var pong = Channel.Open(address + ".pong", ChannelRole.Sender);
                using var ping = Channel.Open(address + ".ping", ChannelRole.Receiver);
                for (int i = 0; i < trips; i++)
                {
                    int length = ping.Receive(buffer);
                    pong.Send(buffer.AsSpan(0, length));
                }
                for (int i = 0; i < stream; i++) ping.Receive(buffer);
                pong.Send(buffer);
                // The same stream again, sent in batches: taken in batches.
                var batch = new byte[Program.StreamBatchBytes];
                var lengths = new int[Program.StreamBatchBytes / buffer.Length];
                for (int received = 0; received < stream / lengths.Length * lengths.Length;)
                    received += ping.ReceiveBatch(batch, lengths);
                pong.Send(buffer);
                break;
            }
            case "pipe":
            {
                string[] handles = address.Split(',');
                using var input = new AnonymousPipeClientStream(PipeDirection.In, handles[0]);
                using var output = new AnonymousPipeClientStream(PipeDirection.Out, handles[1]);
                for (int i = 0; i < trips; i++)
                {
                    input.ReadExactly(buffer);
                    output.Write(buffer);
                }
                for (int i = 0; i < stream; i++) input.ReadExactly(buffer);
                output.Write(buffer);
                break;
            }
            case "socket":
            {
                using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                socket.Connect(new UnixDomainSocketEndPoint(address));
                for (int i = 0; i < trips; i++)
                {
                    Program.ReceiveExactly(socket, buffer);
                    socket.Send(buffer);
                }
                for (int i = 0; i < stream; i++) Program.ReceiveExactly(socket, buffer);
                socket.Send(buffer);
                break;
            }
            default:
                Console.Error.WriteLine($"unknown mechanism {mechanism}");
                return 2;
        }
        return 0;
    }
}

/// <summary>Pins the calling thread (sched_setaffinity with pid 0); processes it starts inherit that.</summary>
internal static class Affinity
{
    [DllImport("libc", SetLastError = true)]
    private static extern int sched_setaffinity(int pid, IntPtr size, ref ulong mask);

    public static void Pin(int cpu)
    {
        if (cpu >= Environment.ProcessorCount) return;
        ulong mask = 1UL << cpu;
        if (sched_setaffinity(0, (IntPtr)sizeof(ulong), ref mask) != 0)
            Console.Error.WriteLine($"sched_setaffinity: errno {Marshal.GetLastPInvokeError()}");
    }
}
