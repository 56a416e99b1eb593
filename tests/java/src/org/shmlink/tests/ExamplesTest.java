package org.shmlink.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The Java examples (examples/java) against their C partners, each in its own JVM. */
class ExamplesTest {
  @Test
  void theJavaReaderReadsTheCWriter() throws Exception {
    String name = Support.unique("demo");
    try (Support.Program writer = Support.Program.of("shmlink_writer", name, "Hello from C, read in Java")) {
      writer.expectLineStartingWith("writer: ready");
      try (Support.Program reader = Support.Program.javaExample("org.shmlink.examples.Reader", name)) {
        reader.expectLine("Hello from C, read in Java");
        assertEquals(0, reader.waitForExit(), reader.stderr());
      }
      writer.closeInput();
      assertEquals(0, writer.waitForExit());
    }
  }

  @Test
  void theJavaReaderReportsAMissingSegment() throws Exception {
    try (Support.Program reader = Support.Program.javaExample("org.shmlink.examples.Reader", Support.unique("none"))) {
      assertEquals(1, reader.waitForExit());
    }
  }

  @Test
  void theJavaChatClientPrintsTheCServersLinesUntilQuit() throws Exception {
    String name = Support.unique("chat");
    try (Support.Program server = Support.Program.of("shmlink_chat_server", name)) {
      server.expectLineStartingWith("chat_server: ready");
      try (Support.Program client = Support.Program.javaExample("org.shmlink.examples.ChatClient", name)) {
        server.write("hello");
        server.write("second line");
        client.expectLine("chat_client: hello");
        client.expectLine("chat_client: second line");
        server.write("quit");
        client.expectLine("chat_client: the server said quit");
        assertEquals(0, client.waitForExit(), client.stderr());
      }
      server.expectLine("chat_server: done");
      assertEquals(0, server.waitForExit());
    }
  }

  @Test
  void theJavaChatClientNoticesTheServerDied() throws Exception {
    String name = Support.unique("chat");
    try (Support.Program server = Support.Program.of("shmlink_chat_server", name)) {
      server.expectLineStartingWith("chat_server: ready");
      try (Support.Program client = Support.Program.javaExample("org.shmlink.examples.ChatClient", name)) {
        server.write("one");
        client.expectLine("chat_client: one");
        server.kill();
        client.expectLine("chat_client: the server is gone (it died)");
        assertEquals(3, client.waitForExit(), client.stderr());
      }
    }
  }

  @Test
  void theJavaChannelConsumerPrintsTheCProducersMessagesUntilClosed() throws Exception {
    String name = Support.unique("channel");
    try (Support.Program producer = Support.Program.of("shmlink_channel_producer", name, "7")) {
      producer.expectLine("ready");
      try (Support.Program consumer = Support.Program.javaExample("org.shmlink.examples.ChannelConsumer", name)) {
        for (int i = 1; i <= 7; i++) consumer.expectLine("received message " + i);
        producer.expectLine("sent 7");
        assertEquals(0, producer.waitForExit());
        assertEquals(0, consumer.waitForExit(), consumer.stderr());
      }
    }
  }

  @Test
  void theJavaChannelConsumerStartedBeforeTheProducerGetsEveryMessage() throws Exception {
    // Either may start first (since 1.4): the consumer opens or creates the channel and waits.
    String name = Support.unique("channel");
    try (Support.Program consumer = Support.Program.javaExample("org.shmlink.examples.ChannelConsumer", name);
         Support.Program producer = Support.Program.of("shmlink_channel_producer", name, "7")) {
      producer.expectLine("ready");
      for (int i = 1; i <= 7; i++) consumer.expectLine("received message " + i);
      producer.expectLine("sent 7");
      assertEquals(0, producer.waitForExit());
      assertEquals(0, consumer.waitForExit(), consumer.stderr());
    }
  }
}
