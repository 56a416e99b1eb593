using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace ShmLink.Tests;

/// <summary>A receiving and a sending handle on one new channel.</summary>
internal sealed class ChannelPair : IDisposable
{
    public const int MaxMessage = 512;

    public ChannelPair(long capacity = 4096, int maxMessage = MaxMessage)
    {
        Name = Names.Unique("channel");
        Receiver = Channel.Create(Name, capacity, maxMessage, ChannelRole.Receiver);
        Sender = Channel.Open(Name, ChannelRole.Sender);
    }

    public string Name { get; }
    public Channel Receiver { get; }
    public Channel Sender { get; }

    public void Dispose()
    {
        Sender.Dispose();
        Receiver.Dispose();
    }
}

public class ChannelTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(10);

    private static IShmLinkError Fails(Action action) => ShmLinkAssert.Fails(action);

    private static byte[] Text(string text) => Encoding.UTF8.GetBytes(text);

    private static string ReceiveText(Channel channel) => Encoding.UTF8.GetString(channel.Receive(Long));

    // ---- Create, open, properties ----

    [Fact]
    public void CreateOpenAndTheirProperties()
    {
        string name = Names.Unique("channel");
        using var receiver = Channel.Create(name, 4096, 100, ChannelRole.Receiver);
        Assert.True(receiver.Created);
        Assert.Equal(name, receiver.Name);
        Assert.Equal(ChannelRole.Receiver, receiver.Role);
        Assert.True(receiver.CanReceive);
        Assert.False(receiver.CanSend);
        Assert.False(receiver.IsDisposed);
        using var sender = Channel.Open(name, ChannelRole.Sender);
        Assert.False(sender.Created);
        Assert.Equal(ChannelRole.Sender, sender.Role);
        Assert.True(sender.CanSend);
        Assert.False(sender.CanReceive);
        using var both = Channel.OpenOrCreate(name, 8192, 200, ChannelRole.Both, out bool created); // its sizes stay
        Assert.False(created);
        Assert.False(both.Created);
        Assert.True(both.CanSend && both.CanReceive);
        // The sizes are the creator's, whoever asks.
        foreach (Channel channel in new[] { receiver, sender, both })
        {
            Assert.Equal(100, channel.MaxMessageBytes);
            Assert.InRange(channel.CapacityBytes, 4096, 8192);
            Assert.Equal(0, channel.CapacityBytes % 32);
        }
        Assert.Equal($"Channel({name})", receiver.ToString());

        string other = Names.Unique("channel");
        using var fresh = Channel.OpenOrCreate(other, 8192, 1000, ChannelRole.Both, out created, ObjectSharing.Group);
        Assert.True(created);
        Assert.True(fresh.Created);
        Assert.Equal(1000, fresh.MaxMessageBytes);
        fresh.Dispose();
        Assert.Throws<ObjectDisposedException>(() => fresh.MaxMessageBytes);
        Assert.Throws<ObjectDisposedException>(() => fresh.CapacityBytes);
    }

    [Fact]
    public void CreateAndOpenRefuseBadInput()
    {
        string name = Names.Unique("channel");
        Assert.Throws<ArgumentNullException>(() => Channel.Create(null!, 4096, 100, ChannelRole.Both));
        Assert.Throws<ArgumentNullException>(() => Channel.Open(null!, ChannelRole.Both));
        Assert.Throws<ArgumentOutOfRangeException>(() => Channel.Create(name, -1, 100, ChannelRole.Both));
        Assert.Throws<ArgumentOutOfRangeException>(() => Channel.Create(name, 4096, -1, ChannelRole.Both));
        Assert.Throws<ArgumentOutOfRangeException>(() => Channel.Create(name, 4096, 100, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Channel.Create(name, 4096, 100, (ChannelRole)0x4000));
        Assert.Throws<ArgumentOutOfRangeException>(() => Channel.Open(name, 0));
        Assert.Equal(ShmLinkStatus.InvalidArgument, Fails(() => Channel.Create(name, 4096, 0, ChannelRole.Both)).Status);
        Assert.Equal(ShmLinkStatus.InvalidArgument, Fails(() => Channel.Create(name, 100, 200, ChannelRole.Both)).Status);
        Assert.Equal(ShmLinkStatus.InvalidArgument, Fails(() => Channel.Create(name, 100, 100, ChannelRole.Both)).Status);
        Assert.Equal(ShmLinkStatus.NotFound, Fails(() => Channel.Open(name, ChannelRole.Receiver)).Status);
        Assert.Equal(ShmLinkStatus.InvalidName, Fails(() => Channel.Create("a/b", 4096, 100, ChannelRole.Both)).Status);
    }

    [Fact]
    public void NamesFollowTheRulesOfEveryKind()
    {
        string name = Names.Unique("channel");
        using var channel = Channel.Create(name, 4096, 100, ChannelRole.Both);
        Assert.Equal(ShmLinkStatus.AlreadyExists, Fails(() => Channel.Create(name, 4096, 100, ChannelRole.Both)).Status);
        Assert.Equal(ShmLinkStatus.WrongKind, Fails(() => Signal.Open(name)).Status);
        Assert.Equal(ShmLinkStatus.WrongKind, Fails(() => Segment.Open(name)).Status);
        string signalName = Names.Unique("channel");
        using var signal = Signal.Create(signalName);
        Assert.Equal(ShmLinkStatus.WrongKind, Fails(() => Channel.Open(signalName, ChannelRole.Both)).Status);
        Assert.Equal(ShmLinkStatus.WrongKind,
                     Fails(() => Channel.OpenOrCreate(signalName, 4096, 100, ChannelRole.Both, out _)).Status);
    }

    // ---- Copying send and receive ----

    [Fact]
    public void MessagesArriveWholeAndInOrder()
    {
        using var pair = new ChannelPair();
        pair.Sender.Send(Text("one"));
        pair.Sender.Send(Text("two"), Long);
        Assert.True(pair.Sender.TrySend(Text("three")));
        Assert.True(pair.Sender.TrySend(ReadOnlySpan<byte>.Empty, Long));
        pair.Sender.Send(Text("five"), CancellationToken.None);

        var buffer = new byte[ChannelPair.MaxMessage];
        int length = pair.Receiver.Receive(buffer);
        Assert.Equal("one", Encoding.UTF8.GetString(buffer, 0, length));
        length = pair.Receiver.Receive(buffer, Long);
        Assert.Equal("two", Encoding.UTF8.GetString(buffer, 0, length));
        Assert.True(pair.Receiver.TryReceive(buffer, out length));
        Assert.Equal("three", Encoding.UTF8.GetString(buffer, 0, length));
        Assert.True(pair.Receiver.TryReceive(buffer, Long, out length));
        Assert.Equal(0, length);
        Assert.Equal("five", Encoding.UTF8.GetString(pair.Receiver.Receive()));
        Assert.False(pair.Receiver.TryReceive(buffer, out length));
        Assert.Equal(0, length);
    }

    [Fact]
    public void ReceiveAsAnArrayHasExactlyTheMessagesLength()
    {
        using var pair = new ChannelPair();
        var large = new byte[ChannelPair.MaxMessage];
        new Random(5).NextBytes(large);
        pair.Sender.Send(Text("short"));
        pair.Sender.Send(large);
        pair.Sender.Send(ReadOnlySpan<byte>.Empty);
        pair.Sender.Send(large.AsSpan(0, 257));
        Assert.Equal(Text("short"), pair.Receiver.Receive());
        Assert.Equal(large, pair.Receiver.Receive(Long));
        Assert.True(pair.Receiver.TryReceive(out byte[]? empty));
        Assert.Empty(empty);
        Assert.True(pair.Receiver.TryReceive(Long, out byte[]? part));
        Assert.Equal(large.AsSpan(0, 257).ToArray(), part);
        Assert.False(pair.Receiver.TryReceive(out byte[]? none));
        Assert.Null(none);
    }

    [Fact]
    public void TimeoutsThrowWithoutTryAndReturnFalseWithTry()
    {
        using var pair = new ChannelPair(capacity: 1024, maxMessage: 100);
        var buffer = new byte[100];
        var stopwatch = Stopwatch.StartNew();
        Assert.Throws<TimeoutException>(() => pair.Receiver.Receive(buffer, TimeSpan.FromMilliseconds(50)));
        Assert.True(stopwatch.ElapsedMilliseconds >= 45, $"returned after {stopwatch.ElapsedMilliseconds} ms");
        Assert.Throws<TimeoutException>(() => pair.Receiver.Receive(TimeSpan.FromMilliseconds(10)));
        Assert.Throws<TimeoutException>(() => pair.Receiver.Peek(TimeSpan.Zero));
        Assert.False(pair.Receiver.TryReceive(buffer, TimeSpan.FromMilliseconds(10), out _));
        Assert.False(pair.Receiver.TryReceive(TimeSpan.FromMilliseconds(10), out _));
        Assert.False(pair.Receiver.TryPeek(TimeSpan.FromMilliseconds(10), out ChannelMessage nothing));
        Assert.False(nothing.IsActive);

        int sent = 0;
        while (pair.Sender.TrySend(new byte[100])) sent++;
        Assert.True(sent >= 1024 / 160, $"{sent} messages fit"); // at least 1024 bytes of 160-byte records
        Assert.False(pair.Sender.TrySend(new byte[100], TimeSpan.FromMilliseconds(10)));
        Assert.Throws<TimeoutException>(() => pair.Sender.Send(new byte[100], TimeSpan.FromMilliseconds(10)));
        Assert.Throws<TimeoutException>(() => pair.Sender.Reserve(100, TimeSpan.FromMilliseconds(10)));
        Assert.False(pair.Sender.TryReserve(100, out ChannelReservation none));
        Assert.False(none.IsActive);
        Assert.False(pair.Sender.TryReserve(100, TimeSpan.FromMilliseconds(10), out _));
        Assert.Equal(100, pair.Receiver.Receive(buffer));
        Assert.True(pair.Sender.TrySend(new byte[100]));
        Assert.Throws<ArgumentOutOfRangeException>(() => pair.Receiver.Receive(buffer, TimeSpan.FromMilliseconds(-2)));
    }

    [Fact]
    public void CancellationInterruptsASendBlockedOnAChannelThatAlsoReceives()
    {
        using var both = Channel.Create(Names.Unique("channel"), 1024, 100, ChannelRole.Both);
        while (both.TrySend(new byte[100])) { }
        using var cancel = new CancellationTokenSource();
        Task send = Task.Run(() => both.Send(new byte[100], cancel.Token));
        Task reserve = Task.Run(() => both.Reserve(100, Long, cancel.Token).Commit());
        Thread.Sleep(50);
        Assert.False(send.IsCompleted);
        Assert.False(reserve.IsCompleted);
        var stopwatch = Stopwatch.StartNew();
        cancel.Cancel();
        Assert.IsAssignableFrom<OperationCanceledException>(Assert.Throws<AggregateException>(() => send.Wait(Long)).InnerException);
        Assert.IsAssignableFrom<OperationCanceledException>(Assert.Throws<AggregateException>(() => reserve.Wait(Long)).InnerException);
        Assert.True(stopwatch.ElapsedMilliseconds < 2000, $"took {stopwatch.ElapsedMilliseconds} ms");
        // Room made by a receive wakes a waiting send of the same object too.
        Task later = Task.Run(() => both.Send(new byte[100], Long, CancellationToken.None));
        Task withToken = Task.Run(() => both.Send(new byte[100], Long, new CancellationTokenSource().Token));
        Thread.Sleep(50);
        for (int i = 0; i < 3; i++) Assert.Equal(100, both.Receive(new byte[100]));
        Assert.True(Task.WaitAll(new[] { later, withToken }, Long));
    }

    [Fact]
    public void BlockedReceiveWakesForASendAndBlockedSendForRoom()
    {
        using var pair = new ChannelPair(capacity: 256, maxMessage: 100);
        Task<byte[]> receive = Task.Run(() => pair.Receiver.Receive(Long));
        Thread.Sleep(30);
        pair.Sender.Send(Text("wake"));
        Assert.True(receive.Wait(Long));
        Assert.Equal(Text("wake"), receive.Result);

        while (pair.Sender.TrySend(new byte[100])) { }
        Task send = Task.Run(() => pair.Sender.Send(new byte[100], Long));
        Thread.Sleep(30);
        Assert.False(send.IsCompleted);
        Assert.Equal(100, pair.Receiver.Receive(new byte[100]));
        Assert.True(send.Wait(Long));
    }

    // ---- Statuses ----

    [Fact]
    public void TooLargeMessagesAreRefused()
    {
        using var pair = new ChannelPair(maxMessage: 100);
        pair.Sender.Send(new byte[100]);
        var error = Fails(() => pair.Sender.Send(new byte[101]));
        Assert.Equal(ShmLinkStatus.TooLarge, error.Status);
        ShmLinkAssert.NamesStatusOnce("SHMLINK_ERR_TOO_LARGE", error.Message);
        Assert.Equal(ShmLinkStatus.TooLarge, Fails(() => pair.Sender.TrySend(new byte[101])).Status);
        Assert.Equal(ShmLinkStatus.TooLarge, Fails(() => pair.Sender.Reserve(101)).Status);
        Assert.Throws<ArgumentOutOfRangeException>(() => pair.Sender.Reserve(-1));
    }

    [Fact]
    public void BufferTooSmallSaysTheLengthAndKeepsTheMessage()
    {
        using var pair = new ChannelPair();
        pair.Sender.Send(Text("twelve bytes"));
        var error = Fails(() => pair.Receiver.Receive(new byte[5]));
        Assert.Equal(ShmLinkStatus.BufferTooSmall, error.Status);
        Assert.Contains("12 bytes", error.Message);
        Assert.Equal(ShmLinkStatus.BufferTooSmall, Fails(() => pair.Receiver.TryReceive(new byte[5], out _)).Status);
        Assert.Equal(ShmLinkStatus.BufferTooSmall, Fails(() => pair.Receiver.Receive(Span<byte>.Empty)).Status);
        var buffer = new byte[12];
        Assert.Equal(12, pair.Receiver.Receive(buffer));
        Assert.Equal("twelve bytes", Encoding.UTF8.GetString(buffer));
    }

    [Fact]
    public void RolesAreEnforced()
    {
        using var pair = new ChannelPair();
        var buffer = new byte[16];
        Assert.Equal(ShmLinkStatus.AccessDenied, Fails(() => pair.Receiver.Send(Text("no"))).Status);
        Assert.Equal(ShmLinkStatus.AccessDenied, Fails(() => pair.Receiver.TrySend(Text("no"))).Status);
        Assert.Equal(ShmLinkStatus.AccessDenied, Fails(() => pair.Receiver.Reserve(4)).Status);
        Assert.Equal(ShmLinkStatus.AccessDenied, Fails(() => pair.Sender.Receive(buffer)).Status);
        Assert.Equal(ShmLinkStatus.AccessDenied, Fails(() => pair.Sender.Receive()).Status);
        Assert.Equal(ShmLinkStatus.AccessDenied, Fails(() => pair.Sender.TryReceive(buffer, out _)).Status);
        Assert.Equal(ShmLinkStatus.AccessDenied, Fails(() => pair.Sender.Peek(TimeSpan.Zero)).Status);
        using var both = Channel.Open(pair.Name, ChannelRole.Both);
        both.Send(Text("self"));
        Assert.Equal("self", ReceiveText(both));
    }

    [Fact]
    public void ClosedWhenTheOtherSideIsGone()
    {
        string name = Names.Unique("channel");
        using (var receiver = Channel.Create(name, 4096, 100, ChannelRole.Receiver))
        {
            // No sender has attached yet: empty, not closed (before 1.4 this said Closed).
            Assert.False(receiver.TryReceive(TimeSpan.Zero, out _));
            Assert.False(receiver.WaitToReceive(TimeSpan.Zero));
            Channel.Open(name, ChannelRole.Sender).Dispose(); // a sender came and went
            var error = Fails(() => receiver.Receive(new byte[100], Long));
            Assert.Equal(ShmLinkStatus.Closed, error.Status);
            ShmLinkAssert.NamesStatusOnce("SHMLINK_ERR_CLOSED", error.Message);
            Assert.Equal(ShmLinkStatus.Closed, Fails(() => receiver.Receive()).Status);
            Assert.Equal(ShmLinkStatus.Closed, Fails(() => receiver.Peek()).Status);
            Assert.Equal(ShmLinkStatus.Closed, Fails(() => receiver.TryReceive(out _)).Status);
            Assert.True(receiver.WaitToReceive(Long)); // ready: receiving says Closed at once
        }
        string other = Names.Unique("channel");
        using (var sender = Channel.Create(other, 4096, 100, ChannelRole.Sender))
        {
            Assert.True(sender.TrySend(Text("queued"))); // no receiver has attached yet: queued for one
            Channel.Open(other, ChannelRole.Receiver).Dispose(); // a receiver came and went
            Assert.Equal(ShmLinkStatus.Closed, Fails(() => sender.Send(Text("nobody"))).Status);
            Assert.Equal(ShmLinkStatus.Closed, Fails(() => sender.TrySend(Text("nobody"))).Status);
            Assert.Equal(ShmLinkStatus.Closed, Fails(() => sender.Reserve(4)).Status);
        }
    }

    [Fact]
    public void ReceiversDrainWhatIsQueuedThenSeeClosed()
    {
        using var pair = new ChannelPair();
        pair.Sender.Send(Text("last words"));
        pair.Sender.Dispose();
        Assert.Equal("last words", ReceiveText(pair.Receiver));
        Assert.Equal(ShmLinkStatus.Closed, Fails(() => pair.Receiver.Receive(Long)).Status);
    }

    [Fact]
    public void BlockedCallsWakeWithClosedWhenTheLastPeerCloses()
    {
        using var pair = new ChannelPair(capacity: 256, maxMessage: 100);
        Task<byte[]> receive = Task.Run(() => pair.Receiver.Receive(Long));
        Thread.Sleep(30);
        pair.Sender.Dispose();
        var error = Assert.Throws<AggregateException>(() => receive.Wait(Long));
        Assert.Equal(ShmLinkStatus.Closed, ShmLinkAssert.IsFailure(error.InnerException).Status);

        using var other = new ChannelPair(capacity: 256, maxMessage: 100);
        while (other.Sender.TrySend(new byte[100])) { }
        Task send = Task.Run(() => other.Sender.Send(new byte[100], Long));
        Thread.Sleep(30);
        other.Receiver.Dispose();
        error = Assert.Throws<AggregateException>(() => send.Wait(Long));
        Assert.Equal(ShmLinkStatus.Closed, ShmLinkAssert.IsFailure(error.InnerException).Status);
    }

    // ---- Zero copy ----

    [Fact]
    public void ReserveThenCommitSendsWhatWasWritten()
    {
        using var pair = new ChannelPair();
        ChannelReservation reservation = pair.Sender.Reserve(100);
        Assert.True(reservation.IsActive);
        Assert.Equal(100, reservation.Length);
        Assert.Equal(100, reservation.Span.Length);
        "hello"u8.CopyTo(reservation.Span);
        reservation.Commit(5);
        Assert.False(reservation.IsActive);
        Assert.Equal("hello", ReceiveText(pair.Receiver));

        reservation = pair.Sender.Reserve(3, Long);
        "abc"u8.CopyTo(reservation.Span);
        reservation.Commit();
        Assert.True(pair.Sender.TryReserve(0, out ChannelReservation empty));
        empty.Commit(0);
        Assert.True(pair.Sender.TryReserve(2, Long, out reservation));
        reservation.Commit(0);
        Assert.Equal("abc", ReceiveText(pair.Receiver));
        Assert.Empty(pair.Receiver.Receive(Long));
        Assert.Empty(pair.Receiver.Receive(Long));
    }

    [Fact]
    public void CancelGivesTheReservationUpAndTheChannelGoesOn()
    {
        using var pair = new ChannelPair(1024, 100);
        ChannelReservation reservation = pair.Sender.Reserve(50);
        "never sent"u8.CopyTo(reservation.Span);
        reservation.Cancel();
        Assert.False(reservation.IsActive);
        try
        {
            _ = reservation.Span;
            Assert.Fail("the span of a cancelled reservation is refused");
        }
        catch (InvalidOperationException)
        {
        }
        foreach (bool commit in new[] { false, true })
        {
            try
            {
                if (commit) reservation.Commit();
                else reservation.Cancel();
                Assert.Fail("a cancelled reservation can be neither cancelled nor committed again");
            }
            catch (InvalidOperationException)
            {
            }
        }
        Assert.False(pair.Receiver.TryReceive(new byte[100], out _), "nothing was sent");
        // Cancelled room is reused lap after lap once the receiver passes it (the ring holds about nine
        // of these: without the reuse, a reserve would fail within ten rounds).
        for (int round = 0; round < 200; round++)
        {
            Assert.True(pair.Sender.TryReserve(100, out ChannelReservation again), $"round {round}");
            again.Cancel();
            if (round % 5 == 0) Assert.False(pair.Receiver.TryReceive(new byte[100], out _), "nothing was sent");
        }
        pair.Sender.Send("still flowing"u8);
        Assert.Equal("still flowing", ReceiveText(pair.Receiver));
    }

    [Fact]
    public void AReservationCannotBeUsedAfterItsCommit()
    {
        using var pair = new ChannelPair();
        ChannelReservation reservation = pair.Sender.Reserve(10);
        ChannelReservation copy = reservation;

        bool threw = false;
        try { reservation.Commit(11); } catch (ArgumentOutOfRangeException) { threw = true; }
        Assert.True(threw);
        Assert.True(reservation.IsActive); // a refused commit leaves it open

        threw = false;
        try { pair.Sender.Reserve(1); } catch (InvalidOperationException) { threw = true; }
        Assert.True(threw);
        Assert.Throws<InvalidOperationException>(() => pair.Sender.Send(Text("x")));
        Assert.Throws<InvalidOperationException>(() => pair.Sender.TrySend(Text("x")));

        reservation.Commit(1);
        threw = false;
        try { _ = copy.Span; } catch (InvalidOperationException) { threw = true; }
        Assert.True(threw);
        threw = false;
        try { copy.Commit(); } catch (InvalidOperationException) { threw = true; }
        Assert.True(threw);

        ChannelReservation nothing = default;
        Assert.False(nothing.IsActive);
        threw = false;
        try { _ = nothing.Span; } catch (InvalidOperationException) { threw = true; }
        Assert.True(threw);
        threw = false;
        try { nothing.Commit(); } catch (InvalidOperationException) { threw = true; }
        Assert.True(threw);

        pair.Sender.Send(Text("after"));
        Assert.Single(pair.Receiver.Receive(Long));
        Assert.Equal("after", ReceiveText(pair.Receiver));
    }

    [Fact]
    public void PeekThenConsumeReadsInPlace()
    {
        using var pair = new ChannelPair();
        pair.Sender.Send(Text("first"));
        pair.Sender.Send(Text("second"));
        pair.Sender.Send(Text("third"));

        ChannelMessage message = pair.Receiver.Peek();
        Assert.True(message.IsActive);
        Assert.Equal(5, message.Length);
        Assert.Equal("first", Encoding.UTF8.GetString(message.Span));
        ChannelMessage again = pair.Receiver.Peek(TimeSpan.Zero); // the same message until consumed
        Assert.Equal("first", Encoding.UTF8.GetString(again.Span));
        Assert.Throws<InvalidOperationException>(() => pair.Receiver.Receive(new byte[16]));
        Assert.Throws<InvalidOperationException>(() => pair.Receiver.Receive());
        Assert.Equal(Text("first"), message.ToArray());
        message.Consume();
        Assert.False(message.IsActive);
        Assert.False(again.IsActive);

        bool threw = false;
        try { _ = again.Span; } catch (InvalidOperationException) { threw = true; }
        Assert.True(threw);
        threw = false;
        try { message.Consume(); } catch (InvalidOperationException) { threw = true; }
        Assert.True(threw);
        message.Dispose(); // consumed already: nothing

        using (ChannelMessage second = pair.Receiver.Peek(Long))
        {
            Assert.Equal("second", Encoding.UTF8.GetString(second.Span));
        }
        Assert.True(pair.Receiver.TryPeek(out ChannelMessage third));
        Assert.Equal("third", Encoding.UTF8.GetString(third.Span));
        third.Dispose();
        Assert.False(pair.Receiver.TryPeek(TimeSpan.FromMilliseconds(10), out _));

        ChannelMessage nothing = default;
        Assert.False(nothing.IsActive);
        nothing.Dispose();
        threw = false;
        try { _ = nothing.Span; } catch (InvalidOperationException) { threw = true; }
        Assert.True(threw);
    }

    [Fact]
    public void DisposingTheChannelEndsItsReservationAndPeek()
    {
        using var pair = new ChannelPair();
        pair.Sender.Send(Text("peeked"));
        var receiver = Channel.Open(pair.Name, ChannelRole.Receiver);
        ChannelMessage message = receiver.Peek(Long);
        var sender = Channel.Open(pair.Name, ChannelRole.Sender);
        ChannelReservation reservation = sender.Reserve(10, Long);
        receiver.Dispose();
        sender.Dispose();
        Assert.False(message.IsActive);
        Assert.False(reservation.IsActive);
        bool threw = false;
        try { _ = message.Span; } catch (ObjectDisposedException) { threw = true; }
        Assert.True(threw);
        threw = false;
        try { _ = reservation.Span; } catch (ObjectDisposedException) { threw = true; }
        Assert.True(threw);
        threw = false;
        try { reservation.Commit(); } catch (ObjectDisposedException) { threw = true; }
        Assert.True(threw);
        message.Dispose(); // harmless
        // The peeked message counts as received; the dropped reservation holds nothing back.
        pair.Sender.Send(Text("next"));
        Assert.Equal("next", ReceiveText(pair.Receiver));
    }

    // ---- Dispose ----

    [Fact]
    public void EveryMemberThrowsObjectDisposedAfterDispose()
    {
        string name = Names.Unique("channel");
        var channel = Channel.Create(name, 4096, 100, ChannelRole.Both);
        channel.Dispose();
        channel.Dispose(); // twice: harmless
        Assert.True(channel.IsDisposed);
        Assert.Equal($"Channel({name}, disposed)", channel.ToString());
        var buffer = new byte[100];
        Assert.Throws<ObjectDisposedException>(() => channel.Send(Text("x")));
        Assert.Throws<ObjectDisposedException>(() => channel.Send(Text("x"), Long));
        Assert.Throws<ObjectDisposedException>(() => channel.TrySend(Text("x")));
        Assert.Throws<ObjectDisposedException>(() => channel.TrySend(Text("x"), Long));
        Assert.Throws<ObjectDisposedException>(() => channel.Receive(buffer));
        Assert.Throws<ObjectDisposedException>(() => channel.Receive(buffer, Long));
        Assert.Throws<ObjectDisposedException>(() => channel.TryReceive(buffer, out _));
        Assert.Throws<ObjectDisposedException>(() => channel.TryReceive(buffer, Long, out _));
        Assert.Throws<ObjectDisposedException>(() => channel.Receive());
        Assert.Throws<ObjectDisposedException>(() => channel.Receive(Long));
        Assert.Throws<ObjectDisposedException>(() => channel.TryReceive(out _));
        Assert.Throws<ObjectDisposedException>(() => channel.TryReceive(Long, out _));
        Assert.Throws<ObjectDisposedException>(() => channel.Reserve(1));
        Assert.Throws<ObjectDisposedException>(() => channel.Reserve(1, Long));
        Assert.Throws<ObjectDisposedException>(() => channel.TryReserve(1, out _));
        Assert.Throws<ObjectDisposedException>(() => channel.TryReserve(1, Long, out _));
        Assert.Throws<ObjectDisposedException>(() => channel.Peek());
        Assert.Throws<ObjectDisposedException>(() => channel.Peek(Long));
        Assert.Throws<ObjectDisposedException>(() => channel.TryPeek(out _));
        Assert.Throws<ObjectDisposedException>(() => channel.TryPeek(Long, out _));
        Assert.Throws<ObjectDisposedException>(() => channel.WaitToReceive(Long));
        Assert.Throws<ObjectDisposedException>(() => { _ = channel.WaitToReceiveAsync(Long); });
        Assert.Throws<ObjectDisposedException>(() => WaitHandles.WaitAny(channel));
        // Its name is free again: the last handle is closed.
        Assert.Equal(ShmLinkStatus.NotFound, Fails(() => Channel.Open(name, ChannelRole.Both)).Status);
    }

    // ---- Waiting and cancellation ----

    [Fact]
    public async Task WaitToReceiveTakesNothing()
    {
        using var pair = new ChannelPair();
        Assert.False(pair.Receiver.WaitToReceive(TimeSpan.Zero));
        Assert.False(pair.Receiver.WaitToReceive(TimeSpan.FromMilliseconds(20)));
        Assert.False(await pair.Receiver.WaitToReceiveAsync(TimeSpan.FromMilliseconds(20)));
        Task<bool> wait = pair.Receiver.WaitToReceiveAsync(Long);
        pair.Sender.Send(Text("ready"));
        Assert.True(await wait);
        Assert.True(pair.Receiver.WaitToReceive(TimeSpan.Zero));
        Assert.True(pair.Receiver.WaitToReceive(Long));
        Assert.Equal("ready", ReceiveText(pair.Receiver));
    }

    [Fact]
    public void WaitAnyMixesChannelsAndSignals()
    {
        using var first = new ChannelPair();
        using var second = new ChannelPair();
        using var signal = Signal.Create(Names.Unique("channel"));
        var waits = new SharedWaitable[] { signal, first.Receiver, second.Receiver };
        Assert.True(WaitHandles.WaitAny(waits, TimeSpan.FromMilliseconds(20)).TimedOut);
        Task sender = Task.Run(() =>
        {
            Thread.Sleep(30);
            second.Sender.Send(Text("second"));
        });
        Assert.Equal(2, WaitHandles.WaitAny(waits, Long).Index);
        Assert.True(sender.Wait(Long));
        Assert.Equal(2, WaitHandles.WaitAny(waits, TimeSpan.Zero).Index); // nothing was taken
        Assert.Equal("second", ReceiveText(second.Receiver));
    }

    [Fact]
    public void CancellationInterruptsBlockedCalls()
    {
        using var pair = new ChannelPair(capacity: 256, maxMessage: 100);
        using (var cancel = new CancellationTokenSource())
        {
            Task receive = Task.Run(() => pair.Receiver.Receive(new byte[100], cancel.Token));
            Task receiveArray = Task.Run(() => pair.Receiver.Receive(Long, cancel.Token));
            Thread.Sleep(50);
            Assert.False(receive.IsCompleted);
            var stopwatch = Stopwatch.StartNew();
            cancel.Cancel();
            Assert.IsAssignableFrom<OperationCanceledException>(
                Assert.Throws<AggregateException>(() => receive.Wait(Long)).InnerException);
            Assert.IsAssignableFrom<OperationCanceledException>(
                Assert.Throws<AggregateException>(() => receiveArray.Wait(Long)).InnerException);
            Assert.True(stopwatch.ElapsedMilliseconds < 2000, $"took {stopwatch.ElapsedMilliseconds} ms");
            // A cancelled token throws before anything is tried.
            Assert.Throws<OperationCanceledException>(() => pair.Receiver.TryPeek(Long, out _, cancel.Token));
            Assert.Throws<OperationCanceledException>(() => pair.Sender.Send(Text("no"), cancel.Token));
        }

        while (pair.Sender.TrySend(new byte[100])) { }
        using (var cancel = new CancellationTokenSource())
        {
            Task send = Task.Run(() => pair.Sender.Send(new byte[100], cancel.Token));
            Task reserve = Task.Run(() => pair.Sender.TryReserve(100, Long, out _, cancel.Token));
            Thread.Sleep(50);
            Assert.False(send.IsCompleted);
            cancel.Cancel();
            Assert.IsAssignableFrom<OperationCanceledException>(
                Assert.Throws<AggregateException>(() => send.Wait(Long)).InnerException);
            Assert.IsAssignableFrom<OperationCanceledException>(
                Assert.Throws<AggregateException>(() => reserve.Wait(Long)).InnerException);
        }
    }

    [Fact]
    public void CancellableCallsStillSendAndReceive()
    {
        using var pair = new ChannelPair(capacity: 256, maxMessage: 100);
        using var cancel = new CancellationTokenSource();
        Task<byte[]> receive = Task.Run(() => pair.Receiver.Receive(Long, cancel.Token));
        Thread.Sleep(30);
        pair.Sender.Send(Text("through"), cancel.Token);
        Assert.True(receive.Wait(Long));
        Assert.Equal("through", Encoding.UTF8.GetString(receive.Result));

        int queued = 0;
        while (pair.Sender.TrySend(new byte[100])) queued++;
        var room = new byte[100];
        room[0] = 42;
        Task send = Task.Run(() => pair.Sender.Send(room, Long, cancel.Token));
        Thread.Sleep(30);
        Assert.False(send.IsCompleted);
        var buffer = new byte[100];
        Assert.Equal(100, pair.Receiver.Receive(buffer, cancel.Token));
        Assert.True(send.Wait(Long));
        for (int i = 1; i < queued; i++)
        {
            ChannelMessage peeked = pair.Receiver.Peek(Long, cancel.Token);
            Assert.Equal(0, peeked.Span[0]);
            peeked.Consume();
        }
        Assert.Equal(room, pair.Receiver.Receive(Long, cancel.Token));
        Assert.False(pair.Receiver.TryReceive(buffer, TimeSpan.FromMilliseconds(20), out _, cancel.Token));
        Assert.False(pair.Receiver.TryReceive(TimeSpan.Zero, out _, cancel.Token));
    }

    // ---- Threads ----

    [Fact]
    public void ThreadsSendingAndReceivingAtOnceLoseNothing()
    {
        const int Senders = 2, PerSender = 2000;
        using var pair = new ChannelPair(capacity: 2048, maxMessage: 64);
        var senders = new Task[Senders];
        for (int s = 0; s < Senders; s++)
        {
            int sender = s;
            senders[s] = Task.Run(() =>
            {
                // A handle per thread: one reservation per channel object at a time, and a copying
                // send is refused while that object's reservation is open.
                using var handle = Channel.Open(pair.Name, ChannelRole.Sender);
                Span<byte> message = stackalloc byte[8];
                for (int i = 0; i < PerSender; i++)
                {
                    BitConverter.TryWriteBytes(message, sender);
                    BitConverter.TryWriteBytes(message[4..], i);
                    if (i % 2 == 0)
                    {
                        handle.Send(message, Long);
                    }
                    else
                    {
                        ChannelReservation reservation = handle.Reserve(8, Long);
                        message.CopyTo(reservation.Span);
                        reservation.Commit();
                    }
                }
            });
        }
        var next = new int[Senders];
        var buffer = new byte[64];
        for (int received = 0; received < Senders * PerSender; received++)
        {
            Assert.Equal(8, pair.Receiver.Receive(buffer, Long));
            int sender = BitConverter.ToInt32(buffer, 0);
            Assert.Equal(next[sender]++, BitConverter.ToInt32(buffer, 4));
        }
        Assert.True(Task.WaitAll(senders, Long));
        Assert.All(next, count => Assert.Equal(PerSender, count));
    }
}

/// <summary>Channels between C# and the C++ peer helper (tests/peer/channel_peer.cpp).</summary>
public class ChannelCrossProcessTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(20);

    // The stress messages of tests/peer/channel_messages.h: sender, sequence, length, checksum,
    // then a payload that follows from them.
    private const int StressHeadBytes = 16;

    private static uint Mix(uint value)
    {
        value ^= value >> 16;
        value *= 0x7FEB352Du;
        value ^= value >> 15;
        value *= 0x846CA68Bu;
        value ^= value >> 16;
        return value;
    }

    private static int StressLength(uint sender, uint sequence, int maxLength) =>
        StressHeadBytes + (int)(Mix(unchecked(sender * 0x9E3779B9u + sequence)) % (uint)(maxLength - StressHeadBytes + 1));

    private static uint Checksum(ReadOnlySpan<byte> payload)
    {
        uint hash = 2166136261u;
        foreach (byte b in payload) hash = unchecked((hash ^ b) * 16777619u);
        return hash;
    }

    private static void FillStressMessage(Span<byte> message, uint sender, uint sequence)
    {
        uint state = Mix(sender ^ Mix(sequence)) | 1u;
        Span<byte> payload = message[StressHeadBytes..];
        for (int i = 0; i < payload.Length; i++)
        {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            payload[i] = (byte)state;
        }
        BitConverter.TryWriteBytes(message, sender);
        BitConverter.TryWriteBytes(message[4..], sequence);
        BitConverter.TryWriteBytes(message[8..], (uint)message.Length);
        BitConverter.TryWriteBytes(message[12..], Checksum(payload));
    }

    private static void CheckStressMessage(ReadOnlySpan<byte> message, int maxLength, uint sender, uint sequence)
    {
        Assert.True(message.Length >= StressHeadBytes);
        Assert.Equal(sender, BitConverter.ToUInt32(message));
        Assert.Equal(sequence, BitConverter.ToUInt32(message[4..]));
        Assert.Equal((uint)message.Length, BitConverter.ToUInt32(message[8..]));
        Assert.Equal(StressLength(sender, sequence, maxLength), message.Length);
        Assert.Equal(Checksum(message[StressHeadBytes..]), BitConverter.ToUInt32(message[12..]));
    }

    [Fact]
    public void TheCppPeerReceivesWhatCSharpSends()
    {
        string name = Names.Unique("xchannel");
        using var channel = Channel.Create(name, 64 * 1024, 4096, ChannelRole.Sender);
        using var peer = new Program("shmlink_peer", "channel-receive-once", name, "20000");
        peer.ExpectLine("ready");
        channel.Send(Encoding.UTF8.GetBytes("hello from C#"), Long);
        peer.ExpectLine("receive SHMLINK_OK hello from C#");
        Assert.Equal(0, peer.WaitForExit());
        // The receiver is gone: one clean message, which names the status once.
        var closed = ShmLinkAssert.Fails(() => channel.Send("late"u8, Long));
        Assert.Equal(ShmLinkStatus.Closed, closed.Status);
        ShmLinkAssert.NamesStatusOnce("SHMLINK_ERR_CLOSED", closed.Message);
    }

    [Fact]
    public void CSharpReceivesWhatTheCppPeerSends()
    {
        string name = Names.Unique("xchannel");
        using var channel = Channel.Create(name, 64 * 1024, 4096, ChannelRole.Receiver);
        using var peer = new Program("shmlink_peer", "channel-send-once", name, "hello from C++", "20000");
        peer.ExpectLine("ready");
        peer.ExpectLine("send SHMLINK_OK");
        Assert.Equal(0, peer.WaitForExit());
        Assert.Equal("hello from C++", Encoding.UTF8.GetString(channel.Receive(Long)));
        Assert.Equal(ShmLinkStatus.Closed, ShmLinkAssert.Fails(() => channel.Receive(Long)).Status);
    }

    [Fact]
    public void TheCppPeerTimesOutAndSeesClosedLikeCSharp()
    {
        string name = Names.Unique("xchannel");
        using (var sender = Channel.Create(name, 4096, 100, ChannelRole.Sender))
        using (var peer = new Program("shmlink_peer", "channel-receive-once", name, "50"))
        {
            peer.ExpectLine("ready");
            peer.ExpectLine("receive SHMLINK_ERR_TIMEOUT");
            Assert.Equal(0, peer.WaitForExit());
        }
        string other = Names.Unique("xchannel");
        using var receiver = Channel.Create(other, 4096, 100, ChannelRole.Receiver);
        receiver.Dispose(); // the name is gone with it
        using var missing = new Program("shmlink_peer", "channel-send-once", other, "x", "10");
        Assert.StartsWith("error SHMLINK_ERR_NOT_FOUND", missing.ReadLine());
        Assert.Equal(100 - (int)ShmLinkStatus.NotFound, missing.WaitForExit());
    }

    [Fact]
    public void APeerThatDiesCountsAsGone()
    {
        string name = Names.Unique("xchannel");
        using var channel = Channel.Create(name, 4096, 100, ChannelRole.Receiver);
        using var peer = new Program("shmlink_peer", "channel-hold", name, "sender");
        peer.ExpectLine("ready");
        Assert.False(channel.TryReceive(TimeSpan.FromMilliseconds(20), out _)); // a sender is attached: just empty
        Task<byte[]> receive = Task.Run(() => channel.Receive(Long));
        Thread.Sleep(50);
        Assert.False(receive.IsCompleted);
        peer.Kill();
        var error = Assert.Throws<AggregateException>(() => receive.Wait(Long));
        Assert.Equal(ShmLinkStatus.Closed, ShmLinkAssert.IsFailure(error.InnerException).Status);
    }

    [Fact]
    public void AHoldingPeerKeepsTheChannelOpenUntilItCloses()
    {
        string name = Names.Unique("xchannel");
        using var channel = Channel.Create(name, 4096, 100, ChannelRole.Sender);
        using var peer = new Program("shmlink_peer", "channel-hold", name, "receiver");
        peer.ExpectLine("ready");
        Assert.True(channel.TrySend("queued"u8));
        peer.CloseInput();
        peer.ExpectLine("closed");
        Assert.Equal(0, peer.WaitForExit());
        Assert.Equal(ShmLinkStatus.Closed, ShmLinkAssert.Fails(() => channel.Send("x"u8, Long)).Status);
    }

    [Fact]
    public void StressMessagesFromTheCppPeerArriveIntact()
    {
        const int Count = 500, MaxLength = 300;
        string name = Names.Unique("xchannel");
        using var channel = Channel.Create(name, 4096, MaxLength, ChannelRole.Receiver);
        using var peer = new Program("shmlink_peer", "channel-send", name, "7", Count.ToString(),
                                     MaxLength.ToString(), "mixed");
        peer.ExpectLine("ready");
        var buffer = new byte[MaxLength];
        uint sequence = 0;
        while (true)
        {
            try
            {
                switch (sequence % 3)
                {
                    case 0:
                        CheckStressMessage(buffer.AsSpan(0, channel.Receive(buffer, Long)), MaxLength, 7, sequence);
                        break;
                    case 1:
                        CheckStressMessage(channel.Receive(Long), MaxLength, 7, sequence);
                        break;
                    default:
                        using (ChannelMessage message = channel.Peek(Long))
                            CheckStressMessage(message.Span, MaxLength, 7, sequence);
                        break;
                }
            }
            catch (ShmLinkException error) when (error.Status == ShmLinkStatus.Closed)
            {
                break;
            }
            sequence++;
        }
        Assert.Equal((uint)Count, sequence);
        peer.ExpectLine($"sent {Count}");
        Assert.Equal(0, peer.WaitForExit());
    }

    [Fact]
    public void StressMessagesFromCSharpPassTheCppPeersChecks()
    {
        const int Count = 500, MaxLength = 300;
        string name = Names.Unique("xchannel");
        string marks = Names.Unique("xmarks");
        using var markSegment = Segment.Create(marks, 4096);
        using var channel = Channel.Create(name, 4096, MaxLength, ChannelRole.Sender);
        // Sender 3's sequence numbers mark bytes 3 * Count ... in the marks segment: keep it small.
        using var peer = new Program("shmlink_peer", "channel-receive", name, marks, Count.ToString(),
                                     MaxLength.ToString(), "mixed");
        peer.ExpectLine("ready");
        const uint Sender = 3;
        var buffer = new byte[MaxLength];
        for (uint sequence = 0; sequence < Count; sequence++)
        {
            int length = StressLength(Sender, sequence, MaxLength);
            if (sequence % 2 == 0)
            {
                FillStressMessage(buffer.AsSpan(0, length), Sender, sequence);
                channel.Send(buffer.AsSpan(0, length), Long);
            }
            else
            {
                ChannelReservation reservation = channel.Reserve(MaxLength, Long);
                FillStressMessage(reservation.Span[..length], Sender, sequence);
                reservation.Commit(length);
            }
        }
        channel.Dispose();
        peer.ExpectLine($"received {Count}");
        Assert.Equal(0, peer.WaitForExit());
        using var view = markSegment.Map();
        for (int i = 0; i < Count; i++) Assert.Equal(1, view.Read<byte>(Sender * Count + i));
    }
}
