#!/bin/bash
# Runs a program of the 32-bit Linux (linux-i686) build: the CMAKE_CROSSCOMPILING_EMULATOR of
# cmake/toolchains/linux-i686.cmake, so ctest and gtest_discover_tests need nothing set.
#
# Where the machine runs i386 programs (a kernel with IA32 emulation), the program runs as is.
# Some virtual machines cannot run 32-bit code at all (the build machines' PVM hypervisor has
# no compatibility mode: every i386 program fails with "Exec format error"). There the program
# runs in a private user and mount namespace whose own binfmt_misc (Linux 6.7+) hands i386
# programs to qemu-i386-static (Debian's qemu-user-static): the program, and every 32-bit
# program it starts (the peer helper), run under user-mode emulation; 64-bit programs it
# starts run natively beside them, sharing memory and futexes for real. Nothing outside the
# namespace changes.
#
# Known limits of the emulator (qemu 7.2): no futex_waitv (the library then waits on several
# objects in slices, as on kernels before 5.16), no robust-list calls (the library's mutex needs
# none) and no ptrace; a guest thread's end is reported to its joiner a moment before its host
# thread is gone.
set -euo pipefail

# The i386 dynamic loader (libc6-i386, with gcc-multilib) is itself a program: if it runs, the
# machine runs 32-bit code.
can_run_i386() {
  /lib/ld-linux.so.2 --version >/dev/null 2>&1
}

if [ "${SHMLINK_I386_NAMESPACE:-}" = 1 ] || can_run_i386; then
  exec "$@"
fi
qemu=$(command -v qemu-i386-static || true)
if [ -z "$qemu" ]; then
  echo "i386-run.sh: this machine cannot run 32-bit programs and qemu-i386-static is missing" \
    "(apt-get install qemu-user-static; scripts/install-deps.sh test does)" >&2
  exit 126
fi
# The magic and mask of an i386 ELF executable, as Debian's qemu-user-binfmt registers it; F:
# the interpreter is opened now, so it is found from any mount namespace.
register=":shmlink-i386:M::\\x7fELF\\x01\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\x03\\x00:\\xff\\xff\\xff\\xff\\xff\\xfe\\xfe\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff:$qemu:F"
export SHMLINK_I386_NAMESPACE=1
# Root inside (mapped from the caller): mounting needs it. Every process of the test runs in
# this one namespace, so all of them see the same user id.
exec unshare --map-root-user --mount --propagation private bash -c '
  mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc &&
  printf "%s" "$0" >/proc/sys/fs/binfmt_misc/register || {
    echo "i386-run.sh: no private binfmt_misc here (needs Linux 6.7+ and user namespaces)" >&2
    exit 126
  }
  exec "$@"' "$register" "$@"
