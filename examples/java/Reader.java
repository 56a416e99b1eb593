// Reader - opens the segment the writer example (examples/c/writer.c) created, read-only,
// checks the stored length against the segment's size and prints the message.
//
//   usage: java -cp shmlink.jar:shmlink-examples.jar org.shmlink.examples.Reader [name]
//          default name: "shmlink-demo"
//
// Layout (examples/c/demo_message.h): a uint32 length in the machine's byte order, then that
// many bytes of text. Another process wrote it: check it before trusting it.
package org.shmlink.examples;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.shmlink.Access;
import org.shmlink.Segment;
import org.shmlink.ShmLinkException;
import org.shmlink.View;

/** The Java reader for the C writer example. */
public final class Reader {
  private static final int LENGTH_SIZE = 4;

  private Reader() {}

  /** Prints the writer's message.
   * @param args the segment's name, optionally */
  public static void main(String[] args) {
    System.exit(run(args));
  }

  static int run(String[] args) {
    if (args.length > 1) {
      System.err.println("usage: Reader [name]");
      return 2;
    }
    String name = args.length > 0 ? args[0] : "shmlink-demo";
    try (Segment segment = Segment.open(name, Access.READ)) {
      if (segment.size() < LENGTH_SIZE) {
        System.err.printf("reader: segment \"%s\" has %d bytes: too small to hold a message%n", name, segment.size());
        return 1;
      }
      try (View view = segment.map()) {
        ByteBuffer bytes = view.buffer(0, (int) Math.min(view.length(), Integer.MAX_VALUE));
        long length = Integer.toUnsignedLong(bytes.getInt(0)); // the buffer is in native order
        if (length > bytes.capacity() - LENGTH_SIZE) {
          System.err.printf("reader: segment \"%s\" claims a %d-byte message but only %d bytes follow%n", name, length,
              bytes.capacity() - LENGTH_SIZE);
          return 1;
        }
        byte[] text = new byte[(int) length];
        bytes.get(LENGTH_SIZE, text);
        System.out.println(new String(text, StandardCharsets.UTF_8));
        return 0;
      }
    } catch (ShmLinkException error) {
      System.err.println("reader: " + error.getMessage());
      return 1;
    }
  }
}
