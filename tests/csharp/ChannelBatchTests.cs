using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace ShmLink.Tests;

/// <summary>Channel.SendBatch / ReceiveBatch: many messages per call, each still a message of its own.</summary>
public class ChannelBatchTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(10);

    /// <summary>The texts end to end, and their lengths.</summary>
    private static (byte[] Bytes, int[] Lengths) Packed(params string[] texts) =>
        (texts.SelectMany(Encoding.UTF8.GetBytes).ToArray(), texts.Select(t => Encoding.UTF8.GetByteCount(t)).ToArray());

    private static List<string> Unpacked(ReadOnlySpan<byte> buffer, ReadOnlySpan<int> lengths, int count)
    {
        var texts = new List<string>();
        int offset = 0;
        for (int i = 0; i < count; i++)
        {
            texts.Add(Encoding.UTF8.GetString(buffer.Slice(offset, lengths[i])));
            offset += lengths[i];
        }
        return texts;
    }

    [Fact]
    public void ABatchIsSentAndReceivedWholeAndInOrder()
    {
        using var pair = new ChannelPair();
        var (bytes, lengths) = Packed("first", "", "third", "x");
        Assert.Equal(4, pair.Sender.SendBatch(bytes, lengths, Long));
        var buffer = new byte[400];
        var received = new int[8];
        int count = pair.Receiver.ReceiveBatch(buffer, received, Long);
        Assert.Equal(4, count);
        Assert.Equal(new[] { "first", "", "third", "x" }, Unpacked(buffer, received, count));
        Assert.False(pair.Receiver.TryReceiveBatch(buffer, received, TimeSpan.Zero, out int none));
        Assert.Equal(0, none);
    }

    [Fact]
    public void SingleAndBatchCallsSeeTheSameMessages()
    {
        using var pair = new ChannelPair();
        var (bytes, lengths) = Packed("a", "bb", "ccc");
        pair.Sender.SendBatch(bytes, lengths);
        Assert.Equal("a", Encoding.UTF8.GetString(pair.Receiver.Receive(Long)));
        pair.Sender.Send(Encoding.UTF8.GetBytes("dddd"));
        var buffer = new byte[64];
        var received = new int[2];
        Assert.Equal(2, pair.Receiver.ReceiveBatch(buffer, received, Long));
        Assert.Equal(new[] { "bb", "ccc" }, Unpacked(buffer, received, 2));
        Assert.Equal("dddd", Encoding.UTF8.GetString(pair.Receiver.Receive(Long)));
    }

    [Fact]
    public void AMessageLongerThanItsShareEndsTheBatchAndThenComesAlone()
    {
        using var pair = new ChannelPair();
        var (bytes, lengths) = Packed("short", new string('L', 40), "after");
        Assert.Equal(3, pair.Sender.SendBatch(bytes, lengths, Long));
        var buffer = new byte[64]; // 4 lengths: a share is 16 bytes
        var received = new int[4];
        Assert.Equal(1, pair.Receiver.ReceiveBatch(buffer, received, Long));
        Assert.Equal("short", Encoding.UTF8.GetString(buffer, 0, received[0]));
        Assert.Equal(1, pair.Receiver.ReceiveBatch(buffer, received, Long));
        Assert.Equal(new string('L', 40), Encoding.UTF8.GetString(buffer, 0, received[0]));
        Assert.Equal(1, pair.Receiver.ReceiveBatch(buffer, received, Long));
        Assert.Equal("after", Encoding.UTF8.GetString(buffer, 0, received[0]));
    }

    [Fact]
    public void AMessageLongerThanTheWholeBufferIsRefusedAndStaysQueued()
    {
        using var pair = new ChannelPair();
        pair.Sender.Send(new byte[100]);
        var small = new byte[50];
        var error = ShmLinkAssert.Fails(() => pair.Receiver.ReceiveBatch(small, new int[3], Long));
        Assert.Equal(ShmLinkStatus.BufferTooSmall, error.Status);
        Assert.Equal(100, pair.Receiver.ReceiveBatch(new byte[100], new int[3], Long) * 100);
    }

    [Fact]
    public void ABatchLargerThanTheRingGoesThroughInSeveralCalls()
    {
        using var pair = new ChannelPair(capacity: 4096);
        const int total = 500; // 64-byte records (32 + 32): a 4 KiB ring holds 64
        var texts = Enumerable.Range(0, total).Select(i => $"message {i:D4}").ToArray();
        var (bytes, lengths) = Packed(texts);
        var got = new List<string>();
        var receiver = Task.Run(() =>
        {
            var buffer = new byte[32 * 64];
            var received = new int[64];
            while (got.Count < total)
            {
                int count = pair.Receiver.ReceiveBatch(buffer, received, Long);
                got.AddRange(Unpacked(buffer, received, count));
            }
        });
        int sent = 0, offset = 0;
        while (sent < total)
        {
            int now = pair.Sender.SendBatch(bytes.AsSpan(offset), lengths.AsSpan(sent), Long);
            Assert.InRange(now, 1, total - sent);
            offset += lengths.Skip(sent).Take(now).Sum();
            sent += now;
        }
        Assert.True(receiver.Wait(Long));
        Assert.Equal(texts, got);
    }

    [Fact]
    public void BadInputIsRefusedAndSendsNothing()
    {
        using var pair = new ChannelPair();
        byte[] bytes = new byte[10];
        Assert.Throws<ArgumentException>(() => pair.Sender.SendBatch(bytes, ReadOnlySpan<int>.Empty, Long));
        Assert.Throws<ArgumentException>(() => pair.Sender.SendBatch(bytes, new[] { 4, -1 }, Long));
        Assert.Throws<ArgumentException>(() => pair.Sender.SendBatch(bytes, new[] { 6, 6 }, Long));
        Assert.Throws<ArgumentException>(() => pair.Receiver.ReceiveBatch(bytes, Span<int>.Empty, Long));
        var tooLong = new byte[ChannelPair.MaxMessage + 2];
        var error = ShmLinkAssert.Fails(() => pair.Sender.SendBatch(tooLong, new[] { 1, ChannelPair.MaxMessage + 1 }, Long));
        Assert.Equal(ShmLinkStatus.TooLarge, error.Status);
        Assert.Equal(ShmLinkStatus.AccessDenied,
                     ShmLinkAssert.Fails(() => pair.Receiver.SendBatch(bytes, new[] { 1 }, Long)).Status);
        Assert.Equal(ShmLinkStatus.AccessDenied,
                     ShmLinkAssert.Fails(() => pair.Sender.ReceiveBatch(bytes, new int[1], Long)).Status);
        Assert.False(pair.Receiver.TryReceive(TimeSpan.Zero, out _), "nothing was sent");
        pair.Sender.Dispose();
        Assert.Throws<ObjectDisposedException>(() => pair.Sender.SendBatch(bytes, new[] { 1 }, Long));
    }

    [Fact]
    public void AFullRingTimesOutAndAWaitingBatchIsCancelled()
    {
        using var pair = new ChannelPair(capacity: 1024, maxMessage: 512);
        int fit = (int)(pair.Sender.CapacityBytes / (512 + 32));
        int[] moreThanFit = Enumerable.Repeat(512, fit + 1).ToArray();
        Assert.Equal(fit, pair.Sender.SendBatch(new byte[512 * (fit + 1)], moreThanFit, Long)); // as many as fit
        Assert.False(pair.Sender.TrySendBatch(new byte[512], new[] { 512 }, TimeSpan.FromMilliseconds(20), out int sent));
        Assert.Equal(0, sent);
        Assert.Throws<TimeoutException>(() => pair.Sender.SendBatch(new byte[512], new[] { 512 }, TimeSpan.FromMilliseconds(20)));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        Assert.ThrowsAny<OperationCanceledException>(() => pair.Sender.SendBatch(new byte[512], new[] { 512 }, cancel.Token));
        var buffer = new byte[512 * fit];
        var received = new int[fit];
        Assert.Equal(fit, pair.Receiver.ReceiveBatch(buffer, received, Long));
        using var cancelReceive = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        Assert.ThrowsAny<OperationCanceledException>(() => pair.Receiver.ReceiveBatch(buffer, received, cancelReceive.Token));
    }

    [Fact]
    public void AReceiverWaitingWithATokenGetsABatchSentLater()
    {
        using var pair = new ChannelPair();
        using var cancel = new CancellationTokenSource();
        var buffer = new byte[256];
        var received = new int[8];
        var receive = Task.Run(() => pair.Receiver.ReceiveBatch(buffer, received, Long, cancel.Token));
        Thread.Sleep(30);
        var (bytes, lengths) = Packed("late", "later");
        pair.Sender.SendBatch(bytes, lengths);
        Assert.True(receive.Wait(Long));
        Assert.InRange(receive.Result, 1, 2);
        Assert.Equal("late", Encoding.UTF8.GetString(buffer, 0, received[0]));
    }

    // Receive() holds a message longer than its first buffer between two library calls; a
    // Receive(Span) of another thread meanwhile must take the next message, not be refused.
    [Fact]
    public void CopyingReceivesOfSeveralThreadsOnOneChannelNeverRefuseEachOther()
    {
        const int count = 4000;
        using var pair = new ChannelPair(capacity: 4 << 20); // all queued first: both receivers stay busy
        var received = new System.Collections.Concurrent.ConcurrentBag<int>();
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        void Receiving(bool arrays)
        {
            var buffer = new byte[ChannelPair.MaxMessage];
            try
            {
                while (true)
                {
                    byte[]? message;
                    int length;
                    if (arrays)
                    {
                        if (!pair.Receiver.TryReceive(TimeSpan.FromMilliseconds(200), out message)) return;
                        length = message.Length;
                    }
                    else
                    {
                        if (!pair.Receiver.TryReceive(buffer, TimeSpan.FromMilliseconds(200), out length)) return;
                        message = buffer;
                    }
                    received.Add(BitConverter.ToInt32(message, 0) * 1000 + length);
                }
            }
            catch (Exception e)
            {
                failures.Enqueue(e);
            }
        }
        var message = new byte[ChannelPair.MaxMessage];
        for (int i = 0; i < count; i++)
        {
            BitConverter.TryWriteBytes(message, i);
            pair.Sender.Send(message.AsSpan(0, i % 2 == 0 ? 400 : 8), Long); // 400: longer than Receive()'s first try
        }
        var threads = new[] { new Thread(() => Receiving(true)), new Thread(() => Receiving(false)) };
        foreach (Thread thread in threads) thread.Start();
        foreach (Thread thread in threads) Assert.True(thread.Join(Long));
        Assert.Empty(failures);
        Assert.Equal(Enumerable.Range(0, count).Select(i => i * 1000 + (i % 2 == 0 ? 400 : 8)).OrderBy(x => x),
                     received.OrderBy(x => x));
    }
}
