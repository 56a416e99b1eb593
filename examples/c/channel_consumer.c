/* channel_consumer.c - receives the channel_producer's messages and prints one per line
 * ("received message 1"), until the producer is gone and the channel is empty.
 *
 *   usage: channel_consumer [name]      default: "shmlink-channel-demo"
 *
 * Exit codes: 0 after SHMLINK_ERR_CLOSED (everything received), 1 on a failure, 3 if no
 * message came for 30 s. */
#include <shmlink/shmlink.h>

#include <stdio.h>
#include <string.h>

int main(int argc, char** argv) {
  const char* name = argc > 1 ? argv[1] : "shmlink-channel-demo";
  char ready_name[256];
  char message[4096];
  shmlink_handle channel = 0;
  shmlink_handle ready = 0;
  shmlink_status status;
  uint32_t length = 0;

  if (argc > 2 || strlen(name) > 200) {
    fprintf(stderr, "usage: channel_consumer [name]\n");
    return 2;
  }
  snprintf(ready_name, sizeof ready_name, "%s-ready", name);
  status = shmlink_channel_open(name, SHMLINK_CHANNEL_RECEIVER, &channel);
  if (SHMLINK_SUCCEEDED(status)) status = shmlink_signal_open(ready_name, &ready);
  if (SHMLINK_SUCCEEDED(status)) status = shmlink_signal_set(ready);
  while (SHMLINK_SUCCEEDED(status)) {
    status = shmlink_channel_receive(channel, message, sizeof message, &length, 30000);
    if (SHMLINK_SUCCEEDED(status)) printf("received %.*s\n", (int)length, message);
  }
  if (status != SHMLINK_ERR_CLOSED) fprintf(stderr, "channel_consumer: %s\n", shmlink_last_error_message());
  if (ready != 0) shmlink_close(ready);
  if (channel != 0) shmlink_close(channel);
  if (status == SHMLINK_ERR_CLOSED) return 0;
  return status == SHMLINK_ERR_TIMEOUT ? 3 : 1;
}
