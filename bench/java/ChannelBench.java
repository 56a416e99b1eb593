// ChannelBench - the Java binding's channel against a Unix domain socket (Java 16+
// UnixDomainSocketAddress), and against the same channel driven from C, in one run: two-process
// ping-pong round trips of 64-byte messages and one-way-pipelined throughput, every mechanism
// talking to the same C echo process (bench/java/channel_echo.c), mechanisms interleaved in
// blocks so they all see the same machine.
//
//   taskset -c 0 java -cp shmlink.jar:shmlink-bench.jar org.shmlink.bench.ChannelBench \
//       ECHO_PROGRAM [ROUND_TRIPS [ECHO_CPU]]
//   (defaults: 50000 round trips per mechanism, echo pinned to CPU 1: a cross-core wake-up)
//
// Round trip: Java sends 64 bytes on channel NAME.ping (a direct ByteBuffer, the copying send),
// the C echo receives them and sends them back on NAME.pong, Java receives them (a direct
// ByteBuffer). The "C channel" row is the echo program's own client mode doing the same with the
// C calls (send, then receive), started once per block from here: the Java row over the C row is
// the binding's overhead on top of the library. The socket row writes 64 bytes on a blocking
// SocketChannel and reads 64 back from the echo's socket thread.
// Throughput: one Java thread sends MESSAGES 64-byte messages while another receives the echoes
// (both directions loaded), and the same over the socket (64-byte writes; the reader reads what
// is there, which lets the socket coalesce).
// Streams: Java sends MESSAGES 64-byte messages one way to a C sink, one per send and 64 per
// sendBatch, against C sending the same to the same sink (bench/channel_stream.c, beside the echo).
package org.shmlink.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.shmlink.Channel;
import org.shmlink.ChannelRole;

/** The Java channel benchmark (see the top of this file). */
public final class ChannelBench {
  private static final int SIZE = 64;
  private static final int BLOCK = 2000;
  private static final int THROUGHPUT_MESSAGES = 200_000;
  private static final int BATCH = 64;
  private static final String STREAM_PROGRAM = "shmlink_bench_channel_stream"; // beside the echo program

  private ChannelBench() {}

  /** Runs the benchmark and prints the table.
   * @param args the echo program, optionally the round trips per mechanism and the echo's CPU
   * @throws Exception on any failure */
  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: ChannelBench ECHO_PROGRAM [ROUND_TRIPS [ECHO_CPU]]");
      System.exit(2);
    }
    String echo = args[0];
    int roundTrips = args.length > 1 ? Integer.parseInt(args[1]) : 50_000;
    String echoCpu = args.length > 2 ? args[2] : "1";
    int blocks = Math.max(1, roundTrips / BLOCK);
    roundTrips = blocks * BLOCK;
    String name = "shmlink-java-bench." + ProcessHandle.current().pid();
    Path socketPath = Path.of(System.getProperty("java.io.tmpdir"), name + ".sock");

    Channel ping = Channel.create(name + ".ping", 256 * 1024, 4096, ChannelRole.SENDER);
    try (Channel pong = Channel.create(name + ".pong", 256 * 1024, 4096, ChannelRole.RECEIVER)) {
      Process server = new ProcessBuilder(echo, "serve", name, socketPath.toString(), echoCpu)
          .redirectError(ProcessBuilder.Redirect.INHERIT).start();
      try (BufferedReader serverOut = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
        if (!"ready".equals(serverOut.readLine())) throw new IllegalStateException("the echo did not start");
        try (SocketChannel socket = SocketChannel.open(StandardProtocolFamily.UNIX)) {
          socket.connect(UnixDomainSocketAddress.of(socketPath));
          socket.write(ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, SIZE));
          run(echo, name, ping, pong, socket, roundTrips, blocks, echoCpu);
        }
      } finally {
        ping.close(); // the echo's receive gives CLOSED: it ends
        server.waitFor();
        Files.deleteIfExists(socketPath);
      }
    } finally {
      ping.close();
    }
  }

  private static void run(String echo, String name, Channel ping, Channel pong, SocketChannel socket, int roundTrips,
                          int blocks, String echoCpu) throws Exception {
    ByteBuffer out = ByteBuffer.allocateDirect(SIZE).order(ByteOrder.nativeOrder());
    ByteBuffer in = ByteBuffer.allocateDirect(4096).order(ByteOrder.nativeOrder());
    ByteBuffer socketOut = ByteBuffer.allocateDirect(SIZE).order(ByteOrder.nativeOrder());
    ByteBuffer socketIn = ByteBuffer.allocateDirect(SIZE).order(ByteOrder.nativeOrder());
    long[] warm = new long[20_000];
    channelRoundTrips(ping, pong, out, in, warm, 0, warm.length); // JIT and page warm-up
    socketRoundTrips(socket, socketOut, socketIn, warm, 0, warm.length);

    long[] javaChannel = new long[roundTrips];
    long[] cChannel = new long[roundTrips];
    long[] unixSocket = new long[roundTrips];
    for (int block = 0; block < blocks; block++) {
      int from = block * BLOCK;
      channelRoundTrips(ping, pong, out, in, javaChannel, from, BLOCK);
      socketRoundTrips(socket, socketOut, socketIn, unixSocket, from, BLOCK);
      cRoundTrips(echo, name, cChannel, from, BLOCK);
    }

    System.out.printf(Locale.ROOT, "Two-process ping-pong round trip, %d-byte messages, against one C echo process"
        + " (echo on CPU %s)%n", SIZE, echoCpu);
    System.out.printf(Locale.ROOT, "%d round trips each, mechanisms interleaved in blocks of %d (microseconds)%n",
        roundTrips, BLOCK);
    System.out.printf(Locale.ROOT, "%-34s %9s %9s %9s%n", "mechanism", "p50", "p99", "p99.9");
    row("Java Channel (direct ByteBuffer)", javaChannel);
    row("C channel (same echo, C client)", cChannel);
    row("Java Unix domain SocketChannel", unixSocket);
    double javaP50 = percentile(javaChannel, 0.5);
    System.out.printf(Locale.ROOT, "Java channel / C channel (p50):   %.2fx (target <= 1.30x)%n", javaP50 / percentile(cChannel, 0.5));
    System.out.printf(Locale.ROOT, "Java channel / C channel (p99):   %.2fx%n", percentile(javaChannel, 0.99) / percentile(cChannel, 0.99));
    System.out.printf(Locale.ROOT, "socket / Java channel (p50):      %.2fx (target >= 2.00x)%n", percentile(unixSocket, 0.5) / javaP50);
    System.out.printf(Locale.ROOT, "socket / Java channel (p99):      %.2fx%n", percentile(unixSocket, 0.99) / percentile(javaChannel, 0.99));

    double[] channelRates = new double[3];
    double[] socketRates = new double[3];
    for (int round = 0; round < channelRates.length; round++) {
      channelRates[round] = channelThroughput(ping, pong, THROUGHPUT_MESSAGES);
      socketRates[round] = socketThroughput(socket, THROUGHPUT_MESSAGES);
    }
    Arrays.sort(channelRates);
    Arrays.sort(socketRates);
    System.out.printf(Locale.ROOT, "%nThroughput, %d-byte messages through the echo and back, sender and receiver threads,"
        + " %d messages, median of %d interleaved rounds%n", SIZE, THROUGHPUT_MESSAGES, channelRates.length);
    System.out.printf(Locale.ROOT, "%-34s %12.0f messages/s (%.1f MB/s each way)%n", "Java Channel",
        channelRates[1], channelRates[1] * SIZE / 1e6);
    System.out.printf(Locale.ROOT, "%-34s %12.0f messages/s (%.1f MB/s each way)%n", "Java Unix domain SocketChannel",
        socketRates[1], socketRates[1] * SIZE / 1e6);
    System.out.printf(Locale.ROOT, "channel / socket throughput:      %.2fx%n", channelRates[1] / socketRates[1]);

    streams(Path.of(echo).resolveSibling(STREAM_PROGRAM).toString(), name, echoCpu);
  }

  /** One-way streams to a C sink, one and BATCH messages per call, against C sending the same
   * (bench/channel_stream.c), median of three interleaved rounds each. */
  private static void streams(String program, String name, String sinkCpu) throws Exception {
    String[] rows = {"Java -> C, send", "Java -> C, sendBatch of " + BATCH, "C -> C, send",
                     "C -> C, send_batch of " + BATCH};
    double[][] rates = new double[rows.length][3];
    for (int round = 0; round < 3; round++) {
      rates[0][round] = javaStream(program, name + ".s1." + round, 1, sinkCpu);
      rates[1][round] = javaStream(program, name + ".sb." + round, BATCH, sinkCpu);
      rates[2][round] = nativeStream(program, name + ".c1." + round, 1, sinkCpu);
      rates[3][round] = nativeStream(program, name + ".cb." + round, BATCH, sinkCpu);
    }
    System.out.printf(Locale.ROOT, "%nOne-way stream, %d messages of %d bytes to a C sink (on CPU %s), median of 3"
        + " interleaved rounds%n", THROUGHPUT_MESSAGES, SIZE, sinkCpu);
    double[] median = new double[rows.length];
    for (int row = 0; row < rows.length; row++) {
      Arrays.sort(rates[row]);
      median[row] = rates[row][1];
      System.out.printf(Locale.ROOT, "%-34s %12.0f messages/s%n", rows[row], median[row]);
    }
    System.out.printf(Locale.ROOT, "C / Java, one per call:           %.2fx (target <= 1.30x)%n", median[2] / median[0]);
    System.out.printf(Locale.ROOT, "C / Java, batches:                %.2fx (target <= 1.30x)%n", median[3] / median[1]);
  }

  private static double javaStream(String program, String name, int batch, String sinkCpu) throws Exception {
    try (Channel ping = Channel.create(name + ".ping", 64 * 1024, SIZE, ChannelRole.SENDER);
         Channel pong = Channel.create(name + ".pong", 64 * 1024, SIZE, ChannelRole.RECEIVER)) {
      Process sink = new ProcessBuilder(program, "sink", name, Integer.toString(THROUGHPUT_MESSAGES),
          Integer.toString(batch), sinkCpu).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      ByteBuffer out = ByteBuffer.allocateDirect(SIZE * batch);
      int[] lengths = new int[batch];
      Arrays.fill(lengths, SIZE);
      long start = System.nanoTime();
      for (int sent = 0; sent < THROUGHPUT_MESSAGES; ) {
        out.clear();
        if (batch == 1) {
          ping.send(out);
          sent++;
        } else {
          int want = Math.min(batch, THROUGHPUT_MESSAGES - sent);
          out.limit(want * SIZE);
          while (out.hasRemaining()) {
            int left = out.remaining() / SIZE;
            sent += ping.sendBatch(out, left == batch ? lengths : Arrays.copyOf(lengths, left));
          }
        }
      }
      pong.receive(ByteBuffer.allocateDirect(SIZE));
      long elapsed = System.nanoTime() - start;
      if (sink.waitFor() != 0) throw new IllegalStateException("the C sink failed");
      return THROUGHPUT_MESSAGES / (elapsed / 1e9);
    }
  }

  private static double nativeStream(String program, String name, int batch, String sinkCpu) throws Exception {
    Process stream = new ProcessBuilder(program, "stream", name, Integer.toString(THROUGHPUT_MESSAGES),
        Integer.toString(batch), "0", sinkCpu).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String output = new String(stream.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
    if (stream.waitFor() != 0) throw new IllegalStateException("the C stream failed: " + output);
    return Double.parseDouble(output);
  }

  private static void channelRoundTrips(Channel ping, Channel pong, ByteBuffer out, ByteBuffer in, long[] samples,
                                        int from, int count) throws InterruptedException {
    for (int i = 0; i < count; i++) {
      long start = System.nanoTime();
      out.clear();
      out.putLong(0, from + i);
      ping.send(out);
      in.clear();
      int length = pong.receive(in);
      samples[from + i] = System.nanoTime() - start;
      if (length != SIZE || in.getLong(0) != from + i) throw new IllegalStateException("a wrong reply");
    }
  }

  private static void socketRoundTrips(SocketChannel socket, ByteBuffer out, ByteBuffer in, long[] samples, int from,
                                       int count) throws IOException {
    for (int i = 0; i < count; i++) {
      long start = System.nanoTime();
      out.clear();
      out.putLong(0, from + i);
      while (out.hasRemaining()) socket.write(out);
      in.clear();
      while (in.hasRemaining()) {
        if (socket.read(in) < 0) throw new IOException("the echo closed the socket");
      }
      samples[from + i] = System.nanoTime() - start;
      if (in.getLong(0) != from + i) throw new IllegalStateException("a wrong reply");
    }
  }

  /** The echo program's C client: BLOCK round trips, every sample printed. */
  private static void cRoundTrips(String echo, String name, long[] samples, int from, int count)
      throws IOException, InterruptedException {
    Process client = new ProcessBuilder(echo, "client", name, Integer.toString(count), Integer.toString(SIZE), "all")
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String output = new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    if (client.waitFor() != 0) throw new IllegalStateException("the C client failed: " + output);
    for (String line : output.split("\n")) {
      if (!line.startsWith("samples ")) continue;
      String[] values = line.substring("samples ".length()).trim().split(" ");
      if (values.length != count) throw new IllegalStateException("the C client gave " + values.length + " samples");
      for (int i = 0; i < count; i++) samples[from + i] = Long.parseLong(values[i]);
      return;
    }
    throw new IllegalStateException("no samples from the C client: " + output);
  }

  private static double channelThroughput(Channel ping, Channel pong, int messages) throws Exception {
    Throwable[] failure = new Throwable[1];
    Thread sender = new Thread(() -> {
      try {
        ByteBuffer out = ByteBuffer.allocateDirect(SIZE);
        for (int i = 0; i < messages; i++) {
          out.clear();
          ping.send(out);
        }
      } catch (Throwable e) {
        failure[0] = e;
      }
    });
    ByteBuffer in = ByteBuffer.allocateDirect(4096);
    long start = System.nanoTime();
    sender.start();
    for (int i = 0; i < messages; i++) {
      in.clear();
      pong.receive(in);
    }
    long elapsed = System.nanoTime() - start;
    sender.join();
    if (failure[0] != null) throw new IllegalStateException(failure[0]);
    return messages / (elapsed / 1e9);
  }

  private static double socketThroughput(SocketChannel socket, int messages) throws Exception {
    Throwable[] failure = new Throwable[1];
    Thread writer = new Thread(() -> {
      try {
        ByteBuffer out = ByteBuffer.allocateDirect(SIZE);
        for (int i = 0; i < messages; i++) {
          out.clear();
          while (out.hasRemaining()) socket.write(out);
        }
      } catch (Throwable e) {
        failure[0] = e;
      }
    });
    ByteBuffer in = ByteBuffer.allocateDirect(64 * 1024);
    long total = (long) messages * SIZE;
    long start = System.nanoTime();
    writer.start();
    for (long got = 0; got < total; ) {
      in.clear();
      if (total - got < in.capacity()) in.limit((int) (total - got));
      int read = socket.read(in);
      if (read < 0) throw new IOException("the echo closed the socket");
      got += read;
    }
    long elapsed = System.nanoTime() - start;
    writer.join();
    if (failure[0] != null) throw new IllegalStateException(failure[0]);
    return messages / (elapsed / 1e9);
  }

  private static void row(String mechanism, long[] samples) {
    System.out.printf(Locale.ROOT, "%-34s %9.2f %9.2f %9.2f%n", mechanism, percentile(samples, 0.5) / 1000,
        percentile(samples, 0.99) / 1000, percentile(samples, 0.999) / 1000);
  }

  private static double percentile(long[] samples, double fraction) {
    long[] sorted = samples.clone();
    Arrays.sort(sorted);
    return sorted[(int) Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))];
  }
}
