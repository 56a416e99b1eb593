/* channel_echo.c - the native side of the C# channel benchmark (bench/csharp/Program.cs).
 *
 *   shmlink_csharp_bench_echo echo NAME TRIPS
 *       opens channel NAME.ping as its receiver and NAME.pong as its sender, and sends back
 *       each of TRIPS messages as it came (the C echo the C# pinger is measured against)
 *   shmlink_csharp_bench_echo pingpong NAME TRIPS WARMUP SIZE [SELF_CPU ECHO_CPU [raw]]
 *       the all-native baseline: creates NAME.ping / NAME.pong, starts itself as the echo
 *       (on ECHO_CPU if given), times TRIPS round trips of SIZE bytes after WARMUP unmeasured
 *       ones (on SELF_CPU if given), and prints "p50 p99 p99.9" in microseconds on one line,
 *       or with "raw" every round trip's microseconds, one a line (the C# benchmark runs it
 *       once per block, so the native baseline takes its turns with the other mechanisms)
 *   shmlink_csharp_bench_echo turns TRIPS WARMUP SELF_CPU ECHO_CPU
 *       the floor of any two-process round trip: a forked child and this process take turns on
 *       one shared word, each yielding the CPU (sched_yield) while it waits for its turn. No
 *       message, no library, no sleeping: on one CPU this is two context switches and nothing
 *       else, which no channel, pipe or socket can beat. Prints every round trip as "raw" does.
 *   shmlink_csharp_bench_echo pipes TRIPS WARMUP SELF_CPU ECHO_CPU
 *       the same exchange over a pair of pipes written and read directly in C (what
 *       System.IO.Pipes costs without .NET), one byte each way; prints as "turns" does
 *
 * Both channels: 64 KiB, messages up to 64 bytes; blocking calls without a time limit. The
 * process inherits the CPU affinity it was started with. */
#define _GNU_SOURCE
#include <shmlink/shmlink.h>

#include "../bench_support_c.h"

#include <sched.h>
#include <stdatomic.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char** environ;

#define MAX_MESSAGE 64u
#define CAPACITY (64u * 1024u)

static int echo(const char* name, long trips) {
  char ping_name[256], pong_name[256];
  unsigned char message[MAX_MESSAGE];
  shmlink_handle ping = 0, pong = 0;
  uint32_t length = 0;
  long i;
  names(name, ping_name, pong_name);
  check(shmlink_channel_open(pong_name, SHMLINK_CHANNEL_SENDER, &pong), "open the pong channel");
  check(shmlink_channel_open(ping_name, SHMLINK_CHANNEL_RECEIVER, &ping), "open the ping channel");
  for (i = 0; i < trips; ++i) {
    check(shmlink_channel_receive(ping, message, sizeof message, &length, SHMLINK_INFINITE), "receive");
    check(shmlink_channel_send(pong, message, length, SHMLINK_INFINITE), "send");
  }
  shmlink_close(pong);
  shmlink_close(ping);
  return 0;
}

static int compare(const void* a, const void* b) {
  const double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

static int pingpong(const char* self, const char* name, long trips, long warmup, uint32_t size, int self_cpu,
                    int echo_cpu, int raw) {
  char ping_name[256], pong_name[256], total_text[32];
  unsigned char message[MAX_MESSAGE];
  shmlink_handle ping = 0, pong = 0;
  uint32_t length = 0;
  double* samples = malloc(sizeof(double) * (size_t)trips);
  pid_t pid;
  int status = 0;
  long i;
  if (samples == NULL || size > MAX_MESSAGE || trips < 1) return 2;
  if (warmup < 1) warmup = 1; /* the first trip waits for the echo to attach */
  memset(message, 'x', sizeof message);
  names(name, ping_name, pong_name);
  check(shmlink_channel_create(ping_name, CAPACITY, MAX_MESSAGE, SHMLINK_CHANNEL_SENDER, &ping), "create ping");
  check(shmlink_channel_create(pong_name, CAPACITY, MAX_MESSAGE, SHMLINK_CHANNEL_RECEIVER, &pong), "create pong");
  snprintf(total_text, sizeof total_text, "%ld", trips + warmup);
  pin_to_cpu(echo_cpu); /* the echo inherits it */
  {
    char* argv[] = {(char*)self, "echo", (char*)name, total_text, NULL};
    if (posix_spawn(&pid, self, NULL, NULL, argv, environ) != 0) {
      perror("posix_spawn");
      return 1;
    }
  }
  pin_to_cpu(self_cpu);
  /* Queued until the echo attaches; the reply waits for its first sender (since 1.4). */
  check(shmlink_channel_send(ping, message, size, SHMLINK_INFINITE), "first send");
  check(shmlink_channel_receive(pong, message, sizeof message, &length, SHMLINK_INFINITE), "receive");
  for (i = 1; i < warmup + trips; ++i) {
    const double start = now_ns();
    check(shmlink_channel_send(ping, message, size, SHMLINK_INFINITE), "send");
    check(shmlink_channel_receive(pong, message, sizeof message, &length, SHMLINK_INFINITE), "receive");
    if (i >= warmup) samples[i - warmup] = now_ns() - start;
  }
  waitpid(pid, &status, 0);
  if (raw) {
    for (i = 0; i < trips; ++i) printf("%.3f\n", samples[i] / 1000.0);
  } else {
    qsort(samples, (size_t)trips, sizeof(double), compare);
    printf("%.3f %.3f %.3f\n", samples[(size_t)(0.50 * (double)(trips - 1))] / 1000.0,
         samples[(size_t)(0.99 * (double)(trips - 1))] / 1000.0, samples[(size_t)(0.999 * (double)(trips - 1))] / 1000.0);
  }
  shmlink_close(ping);
  shmlink_close(pong);
  free(samples);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

/* One side of "turns" or "pipes": waits for its turn (the word reaching `turn`, or a byte on
 * `in`), then hands the turn over (the word to `turn + 1`, or a byte on `out`). */
static void take_turn(_Atomic long* word, long turn, int in, int out) {
  char byte = 't';
  if (word != NULL) {
    while (atomic_load_explicit(word, memory_order_acquire) != turn) sched_yield();
    atomic_store_explicit(word, turn + 1, memory_order_release);
  } else if (read(in, &byte, 1) != 1 || write(out, &byte, 1) != 1) {
    perror("pipe");
    exit(1);
  }
}

static int floor_pingpong(int use_pipes, long trips, long warmup, int self_cpu, int echo_cpu) {
  _Atomic long* word = NULL;
  int to_echo[2] = {-1, -1}, from_echo[2] = {-1, -1};
  double* samples = malloc(sizeof(double) * (size_t)(trips > 0 ? trips : 1));
  int status = 0;
  pid_t pid;
  long i;
  if (samples == NULL || trips < 1 || warmup < 0) return 2;
  if (use_pipes) {
    if (pipe(to_echo) != 0 || pipe(from_echo) != 0) return 1;
  } else {
    word = mmap(NULL, sizeof *word, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (word == MAP_FAILED) return 1;
    atomic_store(word, 0);
  }
  pin_to_cpu(echo_cpu);
  pid = fork();
  if (pid < 0) return 1;
  if (pid == 0) { /* the echo: answers turn 2i+1 with 2i+2 */
    for (i = 0; i < warmup + trips; ++i) take_turn(word, 2 * i + 1, to_echo[0], from_echo[1]);
    _exit(0);
  }
  pin_to_cpu(self_cpu);
  for (i = 0; i < warmup + trips; ++i) {
    const double start = now_ns();
    if (word != NULL) {
      atomic_store_explicit(word, 2 * i + 1, memory_order_release);
      while (atomic_load_explicit(word, memory_order_acquire) != 2 * i + 2) sched_yield();
    } else {
      char byte = 'p';
      if (write(to_echo[1], &byte, 1) != 1 || read(from_echo[0], &byte, 1) != 1) {
        perror("pipe");
        return 1;
      }
    }
    if (i >= warmup) samples[i - warmup] = now_ns() - start;
  }
  waitpid(pid, &status, 0);
  for (i = 0; i < trips; ++i) printf("%.3f\n", samples[i] / 1000.0);
  free(samples);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

int main(int argc, char** argv) {
  if (argc == 4 && strcmp(argv[1], "echo") == 0) return echo(argv[2], atol(argv[3]));
  if ((argc == 6 || argc == 8 || argc == 9) && strcmp(argv[1], "pingpong") == 0) {
    char self[4096];
    if (!own_path(self, sizeof self)) return 1;
    return pingpong(self, argv[2], atol(argv[3]), atol(argv[4]), (uint32_t)atol(argv[5]),
                    argc >= 8 ? atoi(argv[6]) : -1, argc >= 8 ? atoi(argv[7]) : -1,
                    argc == 9 && strcmp(argv[8], "raw") == 0);
  }
  if (argc == 6 && (strcmp(argv[1], "turns") == 0 || strcmp(argv[1], "pipes") == 0))
    return floor_pingpong(strcmp(argv[1], "pipes") == 0, atol(argv[2]), atol(argv[3]), atoi(argv[4]), atoi(argv[5]));
  fprintf(stderr, "usage: %s echo NAME TRIPS | pingpong NAME TRIPS WARMUP SIZE [SELF_CPU ECHO_CPU [raw]]\n"
          "       | turns|pipes TRIPS WARMUP SELF_CPU ECHO_CPU\n", argv[0]);
  return 2;
}
