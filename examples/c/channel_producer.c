/* channel_producer.c - sends numbered text messages over a shmlink channel to whichever
 * consumer attaches, then leaves; the consumer sees SHMLINK_ERR_CLOSED once it has everything.
 *
 *   usage: channel_producer [name] [count]     defaults: "shmlink-channel-demo", 5
 *
 * Protocol (what the consumers in examples/ speak):
 *  - the producer creates channel NAME (64 KiB, messages up to 4096 bytes) as its sender and
 *    signal NAME-ready, prints "ready", and waits up to 30 s for a consumer to set the signal;
 *  - the consumer opens the channel as a receiver, sets NAME-ready and receives until CLOSED;
 *  - the producer sends "message 1" ... "message COUNT", each a UTF-8 text without a NUL, and
 *    closes: the channel is gone when the consumer closes too.
 * This replaces the seeds' "a buffer and two events": no lengths to trust, no turn-taking. */
#include <shmlink/shmlink.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int report(const char* what, shmlink_status status) {
  fprintf(stderr, "channel_producer: %s: %s\n", what, shmlink_last_error_message());
  return status == SHMLINK_ERR_TIMEOUT ? 3 : 1;
}

int main(int argc, char** argv) {
  const char* name = argc > 1 ? argv[1] : "shmlink-channel-demo";
  const long count = argc > 2 ? strtol(argv[2], NULL, 10) : 5;
  char ready_name[256];
  char text[64];
  shmlink_handle channel = 0;
  shmlink_handle ready = 0;
  shmlink_status status;
  long i;
  int exit_code = 0;

  if (argc > 3 || count < 0 || strlen(name) > 200) {
    fprintf(stderr, "usage: channel_producer [name] [count]\n");
    return 2;
  }
  snprintf(ready_name, sizeof ready_name, "%s-ready", name);
  status = shmlink_channel_create(name, 64 * 1024, 4096, SHMLINK_CHANNEL_SENDER, &channel);
  if (SHMLINK_FAILED(status)) return report("shmlink_channel_create", status);
  status = shmlink_signal_create(ready_name, SHMLINK_SIGNAL_MANUAL_RESET, &ready);
  if (SHMLINK_FAILED(status)) {
    exit_code = report("shmlink_signal_create", status);
    goto cleanup;
  }
  printf("ready\n");
  fflush(stdout);
  status = shmlink_wait(ready, 30000);
  if (SHMLINK_FAILED(status)) {
    exit_code = report("waiting for a consumer", status);
    goto cleanup;
  }
  for (i = 1; i <= count; ++i) {
    const int length = snprintf(text, sizeof text, "message %ld", i);
    status = shmlink_channel_send(channel, text, (uint32_t)length, 30000);
    if (SHMLINK_FAILED(status)) {
      exit_code = report("shmlink_channel_send", status);
      goto cleanup;
    }
  }
  printf("sent %ld\n", count);

cleanup:
  if (ready != 0) shmlink_close(ready);
  shmlink_close(channel);
  return exit_code;
}
