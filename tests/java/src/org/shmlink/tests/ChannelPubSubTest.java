package org.shmlink.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.shmlink.Channel;
import org.shmlink.ChannelRole;
import org.shmlink.PubSubPolicy;
import org.shmlink.Status;

/** Publish/subscribe channels: createPubSub, openOrCreatePubSub, lost(), and an overwritten peek. */
class ChannelPubSubTest {
  private static final Duration LONG = Duration.ofSeconds(10);
  private static final int MAX = 64;

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  private static String receive(Channel subscriber) throws InterruptedException {
    byte[] message = subscriber.receive(Duration.ZERO);
    return message == null ? "(none)" : new String(message, StandardCharsets.US_ASCII);
  }

  @Test
  void everySubscriberReceivesEveryMessageInOrderAndALateOneOnlyWhatFollows() throws Exception {
    String name = Support.unique("pubsub");
    List<Channel> subscribers = new ArrayList<>();
    try (Channel publisher = Channel.createPubSub(name, 64 * 1024, MAX, ChannelRole.SENDER, PubSubPolicy.BLOCK)) {
      for (int i = 0; i < 3; i++) subscribers.add(Channel.open(name, ChannelRole.RECEIVER));
      for (int i = 0; i < 50; i++) assertTrue(publisher.send(ascii("message " + i), LONG));
      try (Channel late = Channel.open(name, ChannelRole.RECEIVER)) {
        assertTrue(publisher.send(ascii("after the late one"), LONG));
        for (Channel subscriber : subscribers) {
          for (int i = 0; i < 50; i++) assertEquals("message " + i, receive(subscriber));
          assertEquals("after the late one", receive(subscriber));
          assertEquals("(none)", receive(subscriber));
          assertEquals(0, subscriber.lost());
        }
        assertEquals("after the late one", receive(late));
        assertEquals("(none)", receive(late));
      }
    } finally {
      for (Channel subscriber : subscribers) subscriber.close();
    }
  }

  @Test
  void underOverwriteAFallenBehindSubscriberCountsWhatItLost() throws Exception {
    String name = Support.unique("pubsub");
    try (Channel publisher = Channel.createPubSub(name, 4096, MAX, ChannelRole.SENDER, PubSubPolicy.OVERWRITE);
         Channel subscriber = Channel.open(name, ChannelRole.RECEIVER)) {
      final int sent = 1000; // far more than a 4 KiB ring holds: publishers never wait
      for (int i = 0; i < sent; i++) assertTrue(publisher.send(ascii("message " + i), Duration.ZERO), "send " + i);
      List<Integer> received = new ArrayList<>();
      for (byte[] message; (message = subscriber.receive(Duration.ZERO)) != null; ) {
        received.add(Integer.parseInt(new String(message, StandardCharsets.US_ASCII).substring("message ".length())));
      }
      assertFalse(received.isEmpty());
      assertEquals(sent - 1, received.get(received.size() - 1));
      for (int i = 1; i < received.size(); i++) assertTrue(received.get(i) > received.get(i - 1), "in order");
      assertEquals(sent, received.size() + subscriber.lost());
    }
  }

  @Test
  void aPeekOverwrittenBeforeItsConsumeSaysOverwrittenAndIsConsumed() throws Exception {
    String name = Support.unique("pubsub");
    try (Channel publisher = Channel.createPubSub(name, 4096, MAX, ChannelRole.SENDER, PubSubPolicy.OVERWRITE);
         Channel subscriber = Channel.open(name, ChannelRole.RECEIVER)) {
      assertTrue(publisher.send(ascii("first"), LONG));
      ByteBuffer peeked = subscriber.peek(LONG);
      assertEquals(5, peeked.remaining());
      for (int i = 0; i < 200; i++) assertTrue(publisher.send(ascii("lap " + i), Duration.ZERO));
      assertEquals(Status.OVERWRITTEN, Support.fails(subscriber::consume).status());
      assertThrows(IllegalStateException.class, subscriber::consume, "consumed all the same");
      assertTrue(subscriber.lost() >= 1);
      String last = "(none)";
      for (String next; !(next = receive(subscriber)).equals("(none)"); ) last = next;
      assertEquals("lap 199", last);
    }
  }

  @Test
  void modesAndPoliciesMustMatchAndTheSubscribersAreBounded() throws Exception {
    String name = Support.unique("pubsub");
    List<Channel> subscribers = new ArrayList<>();
    try (Channel blocking = Channel.createPubSub(name, 4096, MAX, ChannelRole.SENDER, PubSubPolicy.BLOCK)) {
      assertEquals(Status.INCOMPATIBLE, Support.fails(
          () -> Channel.openOrCreatePubSub(name, 4096, MAX, ChannelRole.SENDER, PubSubPolicy.OVERWRITE)).status());
      assertEquals(Status.INCOMPATIBLE,
          Support.fails(() -> Channel.openOrCreate(name, 4096, MAX, ChannelRole.SENDER)).status());
      try (Channel same = Channel.openOrCreatePubSub(name, 4096, MAX, ChannelRole.SENDER, PubSubPolicy.BLOCK)) {
        assertFalse(same.wasCreated());
      }
      assertThrows(NullPointerException.class,
          () -> Channel.createPubSub(Support.unique("pubsub"), 4096, MAX, ChannelRole.SENDER, null));
      for (int i = 0; i < 32; i++) subscribers.add(Channel.open(name, ChannelRole.RECEIVER));
      assertEquals(Status.NO_RESOURCES, Support.fails(() -> Channel.open(name, ChannelRole.RECEIVER)).status());
      assertEquals(Status.ACCESS_DENIED, Support.fails(blocking::lost).status());
      // The block policy: a full ring holds the publisher until the slowest subscriber reads.
      int fitted = 0;
      while (blocking.send(ascii("message " + fitted), Duration.ZERO)) fitted++;
      assertTrue(fitted >= 1);
      for (Channel subscriber : subscribers.subList(0, 31)) assertEquals("message 0", receive(subscriber));
      assertFalse(blocking.send(ascii("no room"), Duration.ofMillis(20)), "the 32nd subscriber has read nothing");
      assertEquals("message 0", receive(subscribers.get(31)));
      assertTrue(blocking.send(ascii("room again"), LONG));
    } finally {
      for (Channel subscriber : subscribers) subscriber.close();
    }
  }
}
