using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace ShmLink.Tests;

/// <summary>
/// The C# code blocks of bindings/csharp/README.md, compiled and run. Each block is a region of this file
/// between a line "// README: name" and a line "// README END", verbatim (indentation aside); both files
/// are embedded in the test assembly, and <see cref="EveryReadmeBlockIsARegionHereAndEveryRegionIsInTheReadme"/>
/// checks that the two agree.
/// </summary>
/// <remarks>The snippets use the README's fixed names ("my-app..."): a machine-wide lock (a semaphore
/// whose name the leftover check covers) keeps two test runs from using them at once.</remarks>
[Collection(nameof(ReadmeTests))]
public class ReadmeTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    private static string Resource(string name)
    {
        using Stream stream = typeof(ReadmeTests).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"{name} is not embedded in the test assembly");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd().Replace("\r\n", "\n");
    }

    /// <summary>The ```csharp blocks of the README.</summary>
    private static List<string> ReadmeBlocks()
    {
        var blocks = new List<string>();
        List<string>? current = null;
        foreach (string line in Resource("README.md").Split('\n'))
        {
            if (current == null && line.Trim() == "```csharp") current = new List<string>();
            else if (current != null && line.Trim() == "```")
            {
                blocks.Add(string.Join("\n", current));
                current = null;
            }
            else current?.Add(line);
        }
        return blocks;
    }

    /// <summary>The regions of this file, by name, without their common indentation.</summary>
    private static Dictionary<string, string> Regions()
    {
        var regions = new Dictionary<string, string>();
        string? name = null;
        var lines = new List<string>();
        foreach (string line in Resource("ReadmeTests.cs").Split('\n'))
        {
            string trimmed = line.Trim();
            if (name == null && trimmed.StartsWith("// README: ", StringComparison.Ordinal))
            {
                name = trimmed["// README: ".Length..];
                lines.Clear();
            }
            else if (name != null && trimmed == "// README END")
            {
                int indent = lines.Where(l => l.Trim().Length > 0).Min(l => l.Length - l.TrimStart().Length);
                regions.Add(name, string.Join("\n", lines.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart())));
                name = null;
            }
            else if (name != null) lines.Add(line);
        }
        return regions;
    }

    [Fact]
    public void EveryReadmeBlockIsARegionHereAndEveryRegionIsInTheReadme()
    {
        List<string> blocks = ReadmeBlocks();
        Dictionary<string, string> regions = Regions();
        Assert.NotEmpty(blocks);
        foreach (string block in blocks)
            Assert.True(regions.ContainsValue(block), $"This README block is not a region of ReadmeTests.cs:\n{block}");
        foreach ((string name, string region) in regions)
            Assert.True(blocks.Contains(region), $"Region \"{name}\" of ReadmeTests.cs is not a README block:\n{region}");
    }

    /// <summary>Holds the README's names for this test alone, across processes.</summary>
    private static async Task<IDisposable> LockReadmeNames()
    {
        var gate = SharedSemaphore.OpenOrCreate("shmlink-cs-test.readme-names", 1, 1, out _);
        Assert.True(await gate.WaitAsync(TimeSpan.FromMinutes(2)), "another run held the README's names too long");
        return new Releaser(gate);
    }

    private sealed class Releaser : IDisposable
    {
        private readonly SharedSemaphore _gate;

        public Releaser(SharedSemaphore gate) => _gate = gate;

        public void Dispose()
        {
            _gate.Release();
            _gate.Dispose();
        }
    }

    [Fact]
    public async Task QuickStart()
    {
        using IDisposable names = await LockReadmeNames();
        // README: quick-start
        using var segment = Segment.Create("my-app", 4096);
        using var view = segment.Map();
        view.Write(0, 42);                       // or view.Span[..]
        using var ready = Signal.Create("my-app.ready");
        ready.Set();                             // another process: Signal.Open("my-app.ready").Wait(...)
        // README END
        using var other = Signal.Open("my-app.ready");
        Assert.True(other.Wait(TimeSpan.Zero));
        using var again = segment.Map();
        Assert.Equal(42, again.Read<int>(0));
    }

    [Fact]
    public async Task ChannelProcessesStartInEitherOrder()
    {
        using IDisposable names = await LockReadmeNames();
        foreach (bool receiverFirst in new[] { true, false })
        {
            Task<string> receiver = new(() =>
            {
                // README: channel-receiver
                using var inbox = Channel.OpenOrCreate("my-app.jobs", 64 * 1024, 4096, ChannelRole.Receiver, out _);
                var buffer = new byte[4096];
                int length = inbox.Receive(buffer, TimeSpan.FromSeconds(5));   // or: byte[] message = inbox.Receive();
                // README END
                return Encoding.UTF8.GetString(buffer, 0, length);
            }, TaskCreationOptions.LongRunning);
            Task sender = new(() =>
            {
                // README: channel-sender
                using var outbox = Channel.OpenOrCreate("my-app.jobs", 64 * 1024, 4096, ChannelRole.Sender, out _);
                outbox.Send("hello"u8);                                         // copies; waits while the channel is full
                // The channel (and what it holds) goes with its last handle: stay until a receiver came.
                outbox.WaitForAny(new[] { ChannelCondition.ReceiversPresent, ChannelCondition.ReceiversGone },
                                  TimeSpan.FromSeconds(5));
                // README END
            }, TaskCreationOptions.LongRunning);
            (receiverFirst ? receiver : sender).Start();
            await Task.Delay(50);
            (receiverFirst ? sender : receiver).Start();
            await sender.WaitAsync(Long);
            Assert.Equal("hello", await receiver.WaitAsync(Long));
        }
    }

    [Fact]
    public async Task AsyncConsumerAndProducer()
    {
        using IDisposable names = await LockReadmeNames();
        using var timeLimit = new CancellationTokenSource(Long);
        CancellationToken cancellationToken = timeLimit.Token;
        var output = new StringWriter();
        TextWriter console = Console.Out;
        Console.SetOut(output);
        try
        {
            Task consumer = Task.Run(async () =>
            {
                // README: async-consumer
                // A consumer: every message until every sender is gone, without a thread waiting for it.
                using var jobs = Channel.OpenOrCreate("my-app.async", 64 * 1024, 4096, ChannelRole.Receiver, out _);
                await foreach (byte[] job in jobs.ReadAllAsync(cancellationToken))
                    Console.WriteLine($"job of {job.Length} bytes");
                // README END
            });
            Task producer = Task.Run(async () =>
            {
                // README: async-producer
                // A producer: waits for room (and for a receiver before it leaves) asynchronously.
                using var producer = Channel.OpenOrCreate("my-app.async", 64 * 1024, 4096, ChannelRole.Sender, out _);
                for (int i = 0; i < 3; i++)
                    await producer.SendAsync(BitConverter.GetBytes(i), cancellationToken);
                await producer.WaitForAsync(ChannelCondition.ReceiversPresent, TimeSpan.FromSeconds(5), cancellationToken);
                // README END
            });
            await producer.WaitAsync(Long);
            await consumer.WaitAsync(Long);
        }
        finally
        {
            Console.SetOut(console);
        }
        Assert.Equal("job of 4 bytes\njob of 4 bytes\njob of 4 bytes\n", output.ToString().Replace("\r\n", "\n"));
    }

    [Fact]
    public async Task AsyncWaitAny()
    {
        using IDisposable names = await LockReadmeNames();
        CancellationToken cancellationToken = CancellationToken.None;
        // README: async-wait-any
        using var done = Signal.OpenOrCreate("my-app.done", EventResetMode.AutoReset, false, out _);
        using var slots = SharedSemaphore.OpenOrCreate("my-app.slots", 0, 10, out _);
        Task<WaitAnyResult> either = WaitHandles.WaitAnyAsync(new SharedWaitable[] { done, slots },
                                                              TimeSpan.FromSeconds(5), cancellationToken);
        slots.Release();
        WaitAnyResult result = await either;                             // Index 1: a slot was taken
        // README END
        Assert.Equal(1, result.Index);
        Assert.False(slots.Wait(TimeSpan.Zero));
    }
}

/// <summary>The README tests take a machine-wide lock: they run one at a time.</summary>
[CollectionDefinition(nameof(ReadmeTests), DisableParallelization = true)]
public sealed class ReadmeTestsCollection { }
