/* channel_producer.c - sends numbered text messages over a shmlink channel to whichever
 * consumer attaches, then leaves; the consumer sees SHMLINK_ERR_CLOSED once it has everything.
 *
 *   usage: channel_producer [name] [count]     defaults: "shmlink-channel-demo", 5
 *
 * Protocol (what the consumers in examples/ speak): producer and consumer each open channel
 * NAME with SHMLINK_OPEN_OR_CREATE (64 KiB, messages up to 4096 bytes), so either may start
 * first; no "ready" signal, no retry loop.
 *  - the producer prints "ready", sends "message 1" ... "message COUNT" (each a UTF-8 text
 *    without a NUL; they queue until a consumer comes), waits up to 30 s for a consumer to be
 *    attached or to have come and gone (the channel, and what is queued in it, lives only
 *    while someone holds it), and closes;
 *  - the consumer receives until CLOSED: the producer has left and everything was received.
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
  char text[64];
  shmlink_handle channel = 0;
  shmlink_handle consumer_there = 0;
  shmlink_handle consumer_gone = 0;
  shmlink_status status;
  long i;
  int exit_code = 0;

  if (argc > 3 || count < 0 || strlen(name) > 200) {
    fprintf(stderr, "usage: channel_producer [name] [count]\n");
    return 2;
  }
  status = shmlink_channel_create(name, 64 * 1024, 4096, SHMLINK_OPEN_OR_CREATE | SHMLINK_CHANNEL_SENDER, &channel);
  if (SHMLINK_FAILED(status)) return report("shmlink_channel_create", status);
  printf("ready\n");
  fflush(stdout);
  for (i = 1; i <= count; ++i) {
    const int length = snprintf(text, sizeof text, "message %ld", i);
    status = shmlink_channel_send(channel, text, (uint32_t)length, 30000);
    if (SHMLINK_FAILED(status)) {
      exit_code = report("shmlink_channel_send", status);
      goto cleanup;
    }
  }
  /* Closing before any consumer attached would take the queued messages with the channel.
   * A consumer that is there, or that came and has left already, has had its chance. */
  status = shmlink_channel_waitable(channel, SHMLINK_CHANNEL_RECEIVERS_PRESENT, &consumer_there);
  if (SHMLINK_SUCCEEDED(status))
    status = shmlink_channel_waitable(channel, SHMLINK_CHANNEL_RECEIVERS_GONE, &consumer_gone);
  if (SHMLINK_SUCCEEDED(status)) {
    const shmlink_handle either[2] = {consumer_there, consumer_gone};
    uint32_t which = 0;
    status = shmlink_wait_any(either, 2, 30000, &which);
  }
  if (SHMLINK_FAILED(status)) {
    exit_code = report("waiting for a consumer", status);
    goto cleanup;
  }
  printf("sent %ld\n", count);

cleanup:
  if (consumer_there != 0) shmlink_close(consumer_there);
  if (consumer_gone != 0) shmlink_close(consumer_gone);
  shmlink_close(channel);
  return exit_code;
}
