package org.shmlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * Which of the jar's native folders a JVM loads from (in package org.shmlink: the loader is
 * package-private). Only the Linux x86_64 folder can be loaded here; this checks that a 32-bit
 * Windows JVM is sent to windows-x86 and that an unknown architecture is refused by name.
 */
class NativeLoaderPlatformTest {
  @Test
  void eachJvmGetsTheFolderOfItsOsAndArchitecture() {
    assertEquals("linux-x86_64", NativeLoader.platform(false, "amd64"));
    assertEquals("windows-x86_64", NativeLoader.platform(true, "amd64"));
    assertEquals("windows-x86_64", NativeLoader.platform(true, "x86_64"));
    assertEquals("windows-x86", NativeLoader.platform(true, "x86"));
    assertEquals("windows-x86", NativeLoader.platform(true, "i686"));
  }

  @Test
  void anArchitectureTheJarLacksIsRefusedWithItsName() {
    UnsatisfiedLinkError error = assertThrows(UnsatisfiedLinkError.class, () -> NativeLoader.platform(false, "aarch64"));
    assertEquals(true, error.getMessage().contains("aarch64"));
    assertThrows(UnsatisfiedLinkError.class, () -> NativeLoader.platform(false, "x86"));
  }
}
