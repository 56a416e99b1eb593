package org.shmlink.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;

/** shmlink.jar as built names its automatic module, so `requires org.shmlink;` works on the
 * module path with the jar of a build as with the Maven one. */
class ManifestTest {
  @Test
  void theJarNamesItsAutomaticModule() throws IOException {
    String jar = System.getProperty("shmlink.jar");
    assertNotNull(jar, "the system property shmlink.jar is not set");
    try (JarFile file = new JarFile(jar)) {
      Manifest manifest = file.getManifest();
      assertNotNull(manifest, jar + " has no manifest");
      assertEquals("org.shmlink", manifest.getMainAttributes().getValue("Automatic-Module-Name"));
    }
  }
}
