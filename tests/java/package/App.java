// A program outside the source tree that uses shmlink.jar as a user would: only the jar on the
// class path, natives loaded from inside it.
import java.nio.ByteBuffer;
import java.time.Duration;
import org.shmlink.Segment;
import org.shmlink.ShmLink;
import org.shmlink.Signal;
import org.shmlink.View;

public class App {
  public static void main(String[] args) throws Exception {
    String name = "shmlink-java-test.package." + ProcessHandle.current().pid();
    try (Segment segment = Segment.create(name, 4096); View view = segment.map(); Signal signal = Signal.create(name + ".s")) {
      ByteBuffer bytes = view.buffer();
      bytes.putInt(0, 1234);
      signal.set();
      if (!signal.await(Duration.ofSeconds(1)) || bytes.getInt(0) != 1234) throw new AssertionError("round trip failed");
      System.out.println("shmlink " + ShmLink.version() + " from the jar: ok");
    }
  }
}
