package org.shmlink.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Names no other test or run uses, and programs of the build tree (the peer helper, the C
 * examples, the Java examples) with their output read line by line under a time limit. */
final class Support {
  /** The exception type each failure status must become (written out here again, so that a
   * change to the mapping shows). */
  static Class<? extends RuntimeException> expectedType(org.shmlink.Status status) {
    switch (status) {
      case INVALID_ARGUMENT:
      case INVALID_NAME:
      case TOO_LARGE:
      case BUFFER_TOO_SMALL:
        return org.shmlink.ShmLinkIllegalArgumentException.class;
      case OUT_OF_RANGE:
        return org.shmlink.ShmLinkIndexOutOfBoundsException.class;
      case BAD_HANDLE:
        return org.shmlink.ShmLinkIllegalStateException.class;
      case NOT_OWNER:
        return org.shmlink.ShmLinkIllegalMonitorStateException.class;
      case NOT_SUPPORTED:
        return org.shmlink.ShmLinkUnsupportedOperationException.class;
      default:
        return org.shmlink.ShmLinkException.class;
    }
  }

  /** Checks that `error` is a library failure of the right type for its status; returns it. */
  static org.shmlink.ShmLinkError isFailure(Throwable error) {
    assertTrue(error instanceof org.shmlink.ShmLinkError, () -> "not a shmlink failure: " + error);
    org.shmlink.ShmLinkError failure = (org.shmlink.ShmLinkError) error;
    assertEquals(expectedType(failure.status()), error.getClass(), () -> "for " + failure.status());
    return failure;
  }

  /** The message names the status exactly once (the library's message already does; nothing
   * adds it again). */
  static void namesStatusOnce(String statusName, String message) {
    int first = message.indexOf(statusName);
    assertTrue(first >= 0, () -> "\"" + message + "\" does not name " + statusName);
    assertTrue(message.indexOf(statusName, first + statusName.length()) < 0,
        () -> "\"" + message + "\" names " + statusName + " twice");
  }

  /** Runs `action`, which must fail with a library failure; returns it. */
  static org.shmlink.ShmLinkError fails(org.junit.jupiter.api.function.Executable action) {
    try {
      action.execute();
    } catch (Throwable error) {
      return isFailure(error);
    }
    throw new AssertionError("expected a shmlink failure, nothing was thrown");
  }

  private static final String PREFIX = "shmlink-java-test." + ProcessHandle.current().pid() + ".";
  private static final AtomicInteger NEXT = new AtomicInteger();
  static final long TIMEOUT_SECONDS = 20;

  private Support() {}

  static String unique(String what) {
    return PREFIX + what + "." + NEXT.incrementAndGet();
  }

  static Path binDir() {
    String dir = System.getProperty("shmlink.bin.dir");
    assertNotNull(dir, "the system property shmlink.bin.dir is not set");
    return Path.of(dir);
  }

  static String javaCommand() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** A started program; killed on close if it still runs. */
  static final class Program implements AutoCloseable {
    private final Process process;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final StringBuffer stderr = new StringBuffer();

    Program(List<String> command) throws IOException {
      process = new ProcessBuilder(command).start();
      Thread out = new Thread(() -> pump(new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)), true));
      Thread err = new Thread(() -> pump(new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8)), false));
      out.setDaemon(true);
      err.setDaemon(true);
      out.start();
      err.start();
    }

    /** A program of the build tree's bin/ folder. */
    static Program of(String name, String... arguments) throws IOException {
      List<String> command = new ArrayList<>();
      command.add(binDir().resolve(name).toString());
      command.addAll(List.of(arguments));
      return new Program(command);
    }

    /** A Java example, with the jar on the class path and nothing else. */
    static Program javaExample(String mainClass, String... arguments) throws IOException {
      List<String> command = new ArrayList<>();
      command.add(javaCommand());
      command.add("-cp");
      command.add(System.getProperty("shmlink.jar") + java.io.File.pathSeparator + System.getProperty("shmlink.examples.jar"));
      command.add(mainClass);
      command.addAll(List.of(arguments));
      return new Program(command);
    }

    private void pump(BufferedReader reader, boolean toLines) {
      try {
        for (String line; (line = reader.readLine()) != null; ) {
          if (toLines) lines.add(line);
          else stderr.append(line).append('\n');
        }
      } catch (IOException ignored) {
        // the process ended
      }
    }

    String readLine() throws InterruptedException {
      String line = lines.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      assertNotNull(line, "no output line in time; stderr: " + stderr);
      return line;
    }

    void expectLine(String expected) throws InterruptedException {
      assertEquals(expected, readLine(), "stderr: " + stderr);
    }

    void expectLineStartingWith(String prefix) throws InterruptedException {
      String line = readLine();
      assertTrue(line.startsWith(prefix), "expected \"" + prefix + "...\", got \"" + line + "\"; stderr: " + stderr);
    }

    void write(String line) throws IOException {
      OutputStream in = process.getOutputStream();
      in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      in.flush();
    }

    void closeInput() throws IOException {
      process.getOutputStream().close();
    }

    int waitForExit() throws InterruptedException {
      assertTrue(process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS), "the program did not end in time; stderr: " + stderr);
      return process.exitValue();
    }

    void kill() throws InterruptedException {
      process.destroyForcibly();
      process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    String stderr() {
      return stderr.toString();
    }

    @Override
    public void close() {
      if (process.isAlive()) {
        process.destroyForcibly();
        try {
          process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}
