/* bench_support_c.h - what the C benchmark programs share (bench/channel_stream.c,
 * bench/csharp/channel_echo.c): failing on a status, the ping/pong channel names, pinning to a
 * CPU, this program's own path and a monotonic clock. Header-only (static functions). */
#ifndef SHMLINK_BENCH_SUPPORT_C_H
#define SHMLINK_BENCH_SUPPORT_C_H

#include <shmlink/shmlink.h>

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* Ends the program (exit 1) with the library's message if `status` is a failure. */
static void check(shmlink_status status, const char* what) {
  if (SHMLINK_FAILED(status)) {
    fprintf(stderr, "%s: %s\n", what, shmlink_last_error_message());
    exit(1);
  }
}

/* NAME.ping and NAME.pong, in buffers of 256 bytes. */
static void names(const char* name, char* ping, char* pong) {
  snprintf(ping, 256, "%s.ping", name);
  snprintf(pong, 256, "%s.pong", name);
}

/* Pins this process (and the children it starts from now on) to `cpu`; no-op for cpu < 0. */
static void pin_to_cpu(int cpu) {
  cpu_set_t set;
  if (cpu < 0) return;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (sched_setaffinity(0, sizeof set, &set) != 0) perror("sched_setaffinity");
}

/* This program's own path, to start itself again; 0 if it cannot be read. */
static int own_path(char* path, size_t capacity) {
  const ssize_t length = readlink("/proc/self/exe", path, capacity - 1);
  if (length <= 0) return 0;
  path[length] = '\0';
  return 1;
}

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

#endif
