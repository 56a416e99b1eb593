package org.shmlink;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;

/**
 * Loads the native libraries the jar carries: the shmlink library and the binding's JNI wrapper
 * (shmlink_java, SWIG's C side), from {@code /native/<os>-<arch>/} in the jar, extracted to a
 * new temporary folder (a library cannot be loaded from inside a jar). On Linux the files are
 * deleted as soon as they are loaded (the mappings stay); on Windows, where a loaded DLL cannot
 * be deleted, at exit if possible.
 *
 * <p>The system property {@code shmlink.native.dir} names a folder to load them from instead (a
 * build tree, or an installation that must not write to the temporary folder).
 */
final class NativeLoader {
  private static boolean loaded;

  private NativeLoader() {}

  static synchronized void load() {
    if (loaded) return;
    boolean windows = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    String platform = platform(windows, arch);
    // The library first, then the wrapper that links it: the loader finds it already loaded.
    List<String> files = windows ? List.of("shmlink.dll", "shmlink_java.dll")
                                 : List.of("libshmlink.so.1", "libshmlink_java.so");
    String folder = System.getProperty("shmlink.native.dir");
    try {
      if (folder != null) {
        for (String file : files) System.load(Path.of(folder, file).toAbsolutePath().toString());
      } else {
        Path dir = Files.createTempDirectory("shmlink-java-");
        for (String file : files) {
          Path target = dir.resolve(file);
          String resource = "/native/" + platform + "/" + file;
          try (InputStream in = NativeLoader.class.getResourceAsStream(resource)) {
            if (in == null) {
              throw new UnsatisfiedLinkError("shmlink: " + resource + " is missing from the jar: this jar"
                  + " was built without the " + platform + " native libraries");
            }
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
          }
        }
        try {
          for (String file : files) System.load(dir.resolve(file).toString());
        } finally {
          for (String file : files) deleteOrLater(dir.resolve(file), windows);
          deleteOrLater(dir, windows);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("shmlink: cannot extract the native libraries", e);
    }
    loaded = true;
  }

  /** The jar's folder for this JVM: linux-x86_64, windows-x86_64 or windows-x86 (32-bit JVMs). */
  static String platform(boolean windows, String arch) {
    if (arch.equals("amd64") || arch.equals("x86_64")) return windows ? "windows-x86_64" : "linux-x86_64";
    boolean x86 = arch.equals("x86") || arch.equals("i386") || arch.equals("i486") || arch.equals("i586")
        || arch.equals("i686");
    if (x86 && windows) return "windows-x86";
    throw new UnsatisfiedLinkError("shmlink: no native library for " + (windows ? "Windows" : "this OS")
        + " on the architecture " + arch + " in this jar (it carries linux-x86_64, windows-x86_64 and"
        + " windows-x86)");
  }

  private static void deleteOrLater(Path path, boolean windows) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      path.toFile().deleteOnExit();
    }
  }
}
