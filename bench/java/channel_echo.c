/* channel_echo.c - the C side of the Java channel benchmark (bench/java/ChannelBench.java).
 *
 *   shmlink_bench_channel_echo serve NAME SOCKET_PATH [CPU]
 *       opens channel NAME.ping as its receiver and NAME.pong as its sender (the benchmark
 *       created both), listens on the Unix domain socket SOCKET_PATH, prints "ready", and
 *       echoes: every message from NAME.ping goes back on NAME.pong, every SIZE-byte block read
 *       from a socket connection goes back on it (SIZE from the first 4 bytes of the
 *       connection). Ends when NAME.ping closes (the benchmark left). Pinned to CPU if given.
 *   shmlink_bench_channel_echo client NAME ROUND_TRIPS SIZE
 *       the C baseline: opens NAME.ping as a sender and NAME.pong as a receiver and measures
 *       ROUND_TRIPS round trips of SIZE bytes against a serving echo, with the same C calls a C
 *       program would make (send, then receive, no time limit); prints
 *       "rtt_ns N P50 P99 P999" and, with "all", every sample on the next line.
 * Both ends block in the library (spin briefly, then futex), as the Java side does. */
#define _GNU_SOURCE
#include <shmlink/shmlink.h>

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static void die(const char* what, shmlink_status status) {
  fprintf(stderr, "channel_echo: %s: %s (%s)\n", what, shmlink_status_name(status), shmlink_last_error_message());
  exit(1);
}

static void check(shmlink_status status, const char* what) {
  if (SHMLINK_FAILED(status)) die(what, status);
}

static shmlink_handle open_channel(const char* name, const char* suffix, uint32_t role) {
  char full[256];
  shmlink_handle channel = 0;
  snprintf(full, sizeof full, "%s%s", name, suffix);
  check(shmlink_channel_open(full, role, &channel), full);
  return channel;
}

static int read_exactly(int fd, unsigned char* buffer, size_t length) {
  size_t done = 0;
  while (done < length) {
    const ssize_t got = read(fd, buffer + done, length - done);
    if (got <= 0) return -1;
    done += (size_t)got;
  }
  return 0;
}

static int write_exactly(int fd, const unsigned char* buffer, size_t length) {
  size_t done = 0;
  while (done < length) {
    const ssize_t put = write(fd, buffer + done, length - done);
    if (put <= 0) return -1;
    done += (size_t)put;
  }
  return 0;
}

static void* serve_socket(void* argument) {
  const int listener = *(const int*)argument;
  unsigned char* block = malloc(1 << 20);
  for (;;) {
    uint32_t size = 0;
    const int connection = accept(listener, NULL, NULL);
    if (connection < 0) break;
    if (read_exactly(connection, (unsigned char*)&size, sizeof size) == 0 && size > 0 && size <= (1u << 20)) {
      while (read_exactly(connection, block, size) == 0 && write_exactly(connection, block, size) == 0) {
      }
    }
    close(connection);
  }
  free(block);
  return NULL;
}

static int serve(const char* name, const char* socket_path, int cpu) {
  static unsigned char message[1 << 16];
  struct sockaddr_un address;
  pthread_t socket_thread;
  int listener;
  shmlink_handle ping;
  shmlink_handle pong;
  if (cpu >= 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    sched_setaffinity(0, sizeof set, &set);
  }
  ping = open_channel(name, ".ping", SHMLINK_CHANNEL_RECEIVER);
  pong = open_channel(name, ".pong", SHMLINK_CHANNEL_SENDER);
  listener = socket(AF_UNIX, SOCK_STREAM, 0);
  memset(&address, 0, sizeof address);
  address.sun_family = AF_UNIX;
  strncpy(address.sun_path, socket_path, sizeof address.sun_path - 1);
  unlink(socket_path);
  if (listener < 0 || bind(listener, (struct sockaddr*)&address, sizeof address) != 0 || listen(listener, 4) != 0) {
    perror("channel_echo: socket");
    return 1;
  }
  pthread_create(&socket_thread, NULL, serve_socket, &listener);
  printf("ready\n");
  fflush(stdout);
  for (;;) {
    uint32_t length = 0;
    const shmlink_status status = shmlink_channel_receive(ping, message, sizeof message, &length, SHMLINK_INFINITE);
    if (status == SHMLINK_ERR_CLOSED) break;
    check(status, "receive");
    check(shmlink_channel_send(pong, message, length, SHMLINK_INFINITE), "send");
  }
  shutdown(listener, SHUT_RDWR);
  close(listener);
  unlink(socket_path);
  shmlink_close(ping);
  shmlink_close(pong);
  return 0;
}

static long long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int compare(const void* a, const void* b) {
  const long long x = *(const long long*)a;
  const long long y = *(const long long*)b;
  return (x > y) - (x < y);
}

static int client(const char* name, long round_trips, uint32_t size, int print_all) {
  static unsigned char message[1 << 16];
  static unsigned char reply[1 << 16];
  long long* samples = malloc(sizeof(long long) * (size_t)round_trips);
  const shmlink_handle ping = open_channel(name, ".ping", SHMLINK_CHANNEL_SENDER);
  const shmlink_handle pong = open_channel(name, ".pong", SHMLINK_CHANNEL_RECEIVER);
  long i;
  for (i = -round_trips / 10 - 100; i < round_trips; ++i) { /* the first tenth warms up */
    uint32_t length = 0;
    const long long start = now_ns();
    memcpy(message, &i, sizeof i);
    check(shmlink_channel_send(ping, message, size, SHMLINK_INFINITE), "send");
    check(shmlink_channel_receive(pong, reply, sizeof reply, &length, SHMLINK_INFINITE), "receive");
    if (i >= 0) samples[i] = now_ns() - start;
    if (length != size || memcmp(reply, &i, sizeof i) != 0) {
      fprintf(stderr, "channel_echo: a wrong reply\n");
      return 1;
    }
  }
  shmlink_close(ping);
  shmlink_close(pong);
  if (print_all) {
    printf("samples");
    for (i = 0; i < round_trips; ++i) printf(" %lld", samples[i]);
    printf("\n");
  }
  qsort(samples, (size_t)round_trips, sizeof *samples, compare);
  printf("rtt_ns %ld %lld %lld %lld\n", round_trips, samples[round_trips / 2], samples[round_trips * 99 / 100],
         samples[round_trips * 999 / 1000]);
  free(samples);
  return 0;
}

int main(int argc, char** argv) {
  if (argc >= 4 && strcmp(argv[1], "serve") == 0) return serve(argv[2], argv[3], argc > 4 ? atoi(argv[4]) : -1);
  if (argc >= 5 && strcmp(argv[1], "client") == 0) {
    const long round_trips = strtol(argv[3], NULL, 10);
    const long size = strtol(argv[4], NULL, 10);
    if (round_trips > 0 && size >= 8 && size <= (1 << 16))
      return client(argv[2], round_trips, (uint32_t)size, argc > 5 && strcmp(argv[5], "all") == 0);
  }
  fprintf(stderr, "usage: shmlink_bench_channel_echo serve NAME SOCKET_PATH [CPU] | client NAME ROUND_TRIPS SIZE [all]\n");
  return 2;
}
