/* channel_stream.c - one-way channel throughput in C, the native baseline of the bindings'
 * stream rows (bench/csharp/Program.cs, bench/java/ChannelBench.java).
 *
 *   shmlink_bench_channel_stream stream NAME COUNT BATCH SELF_CPU SINK_CPU
 *       creates NAME.ping / NAME.pong (64 KiB, messages up to 64 bytes), starts itself as the
 *       sink (on SINK_CPU), sends COUNT 64-byte messages on NAME.ping, BATCH per call (1:
 *       shmlink_channel_send; more: shmlink_channel_send_batch), waits for the sink's one-message
 *       acknowledgement on NAME.pong and prints the messages per second. The clock runs from
 *       before the sink attaches to the acknowledgement, as the bindings' stream rows are timed.
 *   shmlink_bench_channel_stream sink NAME COUNT BATCH [CPU]
 *       opens NAME.pong as its sender and NAME.ping as its receiver, receives COUNT messages
 *       (BATCH 1: shmlink_channel_receive; more: up to BATCH per shmlink_channel_receive_batch)
 *       and acknowledges them with one message on NAME.pong. The Java benchmark sends to it.
 * Every call blocks without a time limit. */
#define _GNU_SOURCE
#include <shmlink/shmlink.h>

#include "bench_support_c.h"

#include <sched.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char** environ;

#define MAX_MESSAGE 64u
#define CAPACITY (64u * 1024u)
#define MAX_BATCH 256u

/* Receives COUNT messages, BATCH at most per call, then acknowledges them. */
static int sink(const char* name, long count, uint32_t batch) {
  char ping_name[256], pong_name[256];
  static unsigned char buffers[MAX_BATCH][MAX_MESSAGE];
  shmlink_channel_message messages[MAX_BATCH];
  shmlink_handle ping = 0, pong = 0;
  uint32_t i, got = 0;
  long received = 0;
  names(name, ping_name, pong_name);
  check(shmlink_channel_open(pong_name, SHMLINK_CHANNEL_SENDER, &pong), "open the pong channel");
  check(shmlink_channel_open(ping_name, SHMLINK_CHANNEL_RECEIVER, &ping), "open the ping channel");
  for (i = 0; i < batch; ++i) {
    messages[i].data = buffers[i];
    messages[i].capacity = MAX_MESSAGE;
  }
  while (received < count) {
    if (batch == 1)
      check(shmlink_channel_receive(ping, buffers[0], MAX_MESSAGE, &got, SHMLINK_INFINITE), "receive");
    else
      check(shmlink_channel_receive_batch(ping, messages, batch, SHMLINK_INFINITE, &got), "receive a batch");
    received += batch == 1 ? 1 : got;
  }
  check(shmlink_channel_send(pong, buffers[0], 1, SHMLINK_INFINITE), "acknowledge");
  shmlink_close(pong);
  shmlink_close(ping);
  return 0;
}

static int stream(const char* self, const char* name, long count, uint32_t batch, int self_cpu, int sink_cpu) {
  char ping_name[256], pong_name[256], count_text[32], batch_text[16];
  static unsigned char message[MAX_MESSAGE];
  shmlink_channel_message messages[MAX_BATCH];
  shmlink_handle ping = 0, pong = 0;
  uint32_t i, sent = 0, length = 0;
  long done = 0;
  double start;
  pid_t pid;
  int status = 0;
  if (count < 1 || batch < 1 || batch > MAX_BATCH) return 2;
  memset(message, 's', sizeof message);
  for (i = 0; i < batch; ++i) {
    messages[i].data = message;
    messages[i].length = MAX_MESSAGE;
    messages[i].capacity = 0;
  }
  names(name, ping_name, pong_name);
  check(shmlink_channel_create(ping_name, CAPACITY, MAX_MESSAGE, SHMLINK_CHANNEL_SENDER, &ping), "create ping");
  check(shmlink_channel_create(pong_name, CAPACITY, MAX_MESSAGE, SHMLINK_CHANNEL_RECEIVER, &pong), "create pong");
  snprintf(count_text, sizeof count_text, "%ld", count);
  snprintf(batch_text, sizeof batch_text, "%u", batch);
  pin_to_cpu(sink_cpu); /* the sink inherits it */
  {
    char* argv[] = {(char*)self, "sink", (char*)name, count_text, batch_text, NULL};
    if (posix_spawn(&pid, self, NULL, NULL, argv, environ) != 0) {
      perror("posix_spawn");
      return 1;
    }
  }
  pin_to_cpu(self_cpu);
  /* The clock starts before the sink attaches, as the C# rows' does: the ring fills meanwhile. */
  start = now_ns();
  while (done < count) {
    const uint32_t want = count - done < (long)batch ? (uint32_t)(count - done) : batch;
    if (batch == 1) {
      check(shmlink_channel_send(ping, message, MAX_MESSAGE, SHMLINK_INFINITE), "send");
      sent = 1;
    } else {
      check(shmlink_channel_send_batch(ping, messages, want, SHMLINK_INFINITE, &sent), "send a batch");
    }
    done += sent;
  }
  check(shmlink_channel_receive(pong, message, sizeof message, &length, SHMLINK_INFINITE), "acknowledgement");
  printf("%.0f\n", (double)count / ((now_ns() - start) / 1e9));
  waitpid(pid, &status, 0);
  shmlink_close(ping);
  shmlink_close(pong);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

int main(int argc, char** argv) {
  if ((argc == 5 || argc == 6) && strcmp(argv[1], "sink") == 0) {
    const long batch = atol(argv[4]);
    if (batch < 1 || batch > (long)MAX_BATCH) return 2;
    if (argc == 6) pin_to_cpu(atoi(argv[5]));
    return sink(argv[2], atol(argv[3]), (uint32_t)batch);
  }
  if (argc == 7 && strcmp(argv[1], "stream") == 0) {
    char self[4096];
    if (!own_path(self, sizeof self)) return 1;
    return stream(self, argv[2], atol(argv[3]), (uint32_t)atol(argv[4]), atoi(argv[5]), atoi(argv[6]));
  }
  fprintf(stderr, "usage: %s stream NAME COUNT BATCH SELF_CPU SINK_CPU | sink NAME COUNT BATCH [CPU]\n", argv[0]);
  return 2;
}
