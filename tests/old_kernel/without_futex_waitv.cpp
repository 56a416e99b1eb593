// Runs a program as on a kernel without futex_waitv (Linux before 5.16, or a container whose
// seccomp profile refuses it): installs a seccomp filter that fails that one system call with
// ENOSYS, checks that it does, and executes the program. The filter is inherited by every
// process the program starts, so peers run on the same "old kernel".
//
//   without_futex_waitv PROGRAM [ARGUMENTS...]
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <ctime>

#ifndef SYS_futex_waitv
#define SYS_futex_waitv 449
#endif

#if defined(__x86_64__)
#define SHMLINK_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__i386__)
#define SHMLINK_AUDIT_ARCH AUDIT_ARCH_I386
#elif defined(__aarch64__)
#define SHMLINK_AUDIT_ARCH AUDIT_ARCH_AARCH64
#else
#error "add this architecture's AUDIT_ARCH_* value"
#endif

namespace {

bool refuse_futex_waitv() {
  sock_filter program[] = {
      // Another architecture's calls (x32, or i386 on x86_64) pass untouched: their numbers differ.
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SHMLINK_AUDIT_ARCH, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_futex_waitv, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA)),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  sock_fprog filter{static_cast<unsigned short>(sizeof program / sizeof program[0]), program};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    std::perror("without_futex_waitv: prctl(PR_SET_NO_NEW_PRIVS)");
    return false;
  }
  if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &filter) != 0) {
    std::perror("without_futex_waitv: prctl(PR_SET_SECCOMP)");
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: without_futex_waitv PROGRAM [ARGUMENTS...]\n");
    return 2;
  }
  if (!refuse_futex_waitv()) return 1;
  // The filter must really be in force, or the tests would prove nothing about old kernels.
  const long result = syscall(SYS_futex_waitv, nullptr, 0, 0, nullptr, static_cast<long>(CLOCK_MONOTONIC));
  if (result != -1 || errno != ENOSYS) {
    std::fprintf(stderr, "without_futex_waitv: futex_waitv still answers (result %ld, %s)\n", result,
                 std::strerror(errno));
    return 1;
  }
  execv(argv[1], argv + 1);
  std::perror("without_futex_waitv: execv");
  return 127;
}
