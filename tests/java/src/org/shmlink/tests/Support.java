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
