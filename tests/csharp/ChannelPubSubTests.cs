using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Xunit;

namespace ShmLink.Tests;

/// <summary>Publish/subscribe channels: Channel.CreatePubSub, OpenOrCreatePubSub, Lost, and an overwritten peek.</summary>
public class ChannelPubSubTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(10);
    private const int MaxMessage = 64;

    private static byte[] Text(string text) => Encoding.UTF8.GetBytes(text);

    private static string Receive(Channel subscriber) =>
        subscriber.TryReceive(TimeSpan.Zero, out byte[]? message) ? Encoding.UTF8.GetString(message) : "(none)";

    [Fact]
    public void EverySubscriberReceivesEveryMessageInOrderAndALateOneOnlyWhatFollows()
    {
        string name = Names.Unique("pubsub");
        using var publisher = Channel.CreatePubSub(name, 64 * 1024, MaxMessage, ChannelRole.Sender);
        var subscribers = Enumerable.Range(0, 3).Select(_ => Channel.Open(name, ChannelRole.Receiver)).ToList();
        try
        {
            for (int i = 0; i < 50; i++) publisher.Send(Text($"message {i}"), Long);
            using var late = Channel.Open(name, ChannelRole.Receiver);
            publisher.Send(Text("after the late one"), Long);
            foreach (Channel subscriber in subscribers)
            {
                for (int i = 0; i < 50; i++) Assert.Equal($"message {i}", Receive(subscriber));
                Assert.Equal("after the late one", Receive(subscriber));
                Assert.Equal("(none)", Receive(subscriber));
                Assert.Equal(0, subscriber.Lost);
            }
            Assert.Equal("after the late one", Receive(late));
            Assert.Equal("(none)", Receive(late));
        }
        finally
        {
            foreach (Channel subscriber in subscribers) subscriber.Dispose();
        }
    }

    [Fact]
    public void UnderOverwriteAFallenBehindSubscriberCountsWhatItLost()
    {
        string name = Names.Unique("pubsub");
        using var publisher = Channel.CreatePubSub(name, 4096, MaxMessage, ChannelRole.Sender, PubSubPolicy.Overwrite);
        using var subscriber = Channel.Open(name, ChannelRole.Receiver);
        const int sent = 1000; // far more than a 4 KiB ring holds: publishers never wait
        for (int i = 0; i < sent; i++) Assert.True(publisher.TrySend(Text($"message {i}")), $"send {i} waited");
        var received = new List<int>();
        while (subscriber.TryReceive(TimeSpan.Zero, out byte[]? message))
            received.Add(int.Parse(Encoding.UTF8.GetString(message)["message ".Length..]));
        Assert.NotEmpty(received);
        Assert.Equal(sent - 1, received[^1]);
        Assert.Equal(received.OrderBy(i => i), received); // in order, whatever was skipped
        Assert.Equal(sent, received.Count + subscriber.Lost);
    }

    [Fact]
    public void APeekOverwrittenBeforeItsConsumeSaysOverwrittenAndIsConsumed()
    {
        string name = Names.Unique("pubsub");
        using var publisher = Channel.CreatePubSub(name, 4096, MaxMessage, ChannelRole.Sender, PubSubPolicy.Overwrite);
        using var subscriber = Channel.Open(name, ChannelRole.Receiver);
        publisher.Send(Text("first"), Long);
        ChannelMessage peeked = subscriber.Peek(Long);
        Assert.Equal("first", Encoding.UTF8.GetString(peeked.Span));
        for (int i = 0; i < 200; i++) Assert.True(publisher.TrySend(Text($"lap {i}")));
        ShmLinkStatus? status = null;
        try
        {
            peeked.Consume(); // a ref struct: no lambda can hold it, so no ShmLinkAssert.Fails here
        }
        catch (ShmLinkException e)
        {
            status = ((IShmLinkError)e).Status;
        }
        Assert.Equal(ShmLinkStatus.Overwritten, status);
        Assert.False(peeked.IsActive, "consumed all the same");
        Assert.True(subscriber.Lost >= 1);
        Assert.Equal("lap 199", LastOf(subscriber));
    }

    private static string LastOf(Channel subscriber)
    {
        string last = "(none)";
        while (subscriber.TryReceive(TimeSpan.Zero, out byte[]? message)) last = Encoding.UTF8.GetString(message);
        return last;
    }

    [Fact]
    public void TheBlockPolicyHoldsPublishersForTheSlowestSubscriber()
    {
        string name = Names.Unique("pubsub");
        using var publisher = Channel.CreatePubSub(name, 4096, MaxMessage, ChannelRole.Sender);
        using var slow = Channel.Open(name, ChannelRole.Receiver);
        int fitted = 0;
        while (publisher.TrySend(Text($"message {fitted}"))) fitted++;
        Assert.InRange(fitted, 1, 4096 / 32);
        Assert.False(publisher.TrySend(Text("no room"), TimeSpan.FromMilliseconds(20)));
        Assert.Equal("message 0", Receive(slow));
        Assert.True(publisher.TrySend(Text("room again"), Long));
        Assert.Equal(0, slow.Lost);
    }

    [Fact]
    public void ModesAndPoliciesMustMatchAndBadInputIsRefused()
    {
        string name = Names.Unique("pubsub");
        using var blocking = Channel.CreatePubSub(name, 4096, MaxMessage, ChannelRole.Sender);
        Assert.Equal(ShmLinkStatus.Incompatible, ShmLinkAssert.Fails(() =>
            Channel.OpenOrCreatePubSub(name, 4096, MaxMessage, ChannelRole.Sender, out _, PubSubPolicy.Overwrite)).Status);
        Assert.Equal(ShmLinkStatus.Incompatible, ShmLinkAssert.Fails(() =>
            Channel.OpenOrCreate(name, 4096, MaxMessage, ChannelRole.Sender, out _)).Status);
        using (var same = Channel.OpenOrCreatePubSub(name, 4096, MaxMessage, ChannelRole.Sender, out bool created))
            Assert.False(created);
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            Channel.CreatePubSub(Names.Unique("pubsub"), 4096, MaxMessage, ChannelRole.Sender, (PubSubPolicy)7));
        var subscribers = new List<Channel>();
        try
        {
            for (int i = 0; i < 32; i++) subscribers.Add(Channel.Open(name, ChannelRole.Receiver));
            Assert.Equal(ShmLinkStatus.NoResources,
                         ShmLinkAssert.Fails(() => Channel.Open(name, ChannelRole.Receiver)).Status);
        }
        finally
        {
            foreach (Channel subscriber in subscribers) subscriber.Dispose();
        }
        Assert.Equal(ShmLinkStatus.AccessDenied, ShmLinkAssert.Fails(() => _ = blocking.Lost).Status); // not a subscriber
    }
}
