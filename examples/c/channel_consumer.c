/* channel_consumer.c - receives the channel_producer's messages and prints one per line
 * ("received message 1"), until the producer is gone and the channel is empty. Start it
 * before or after the producer (the protocol is in channel_producer.c).
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
  char message[4096];
  shmlink_handle channel = 0;
  shmlink_status status;
  uint32_t length = 0;

  if (argc > 2 || strlen(name) > 200) {
    fprintf(stderr, "usage: channel_consumer [name]\n");
    return 2;
  }
  status = shmlink_channel_create(name, 64 * 1024, 4096, SHMLINK_OPEN_OR_CREATE | SHMLINK_CHANNEL_RECEIVER, &channel);
  while (SHMLINK_SUCCEEDED(status)) {
    status = shmlink_channel_receive(channel, message, sizeof message, &length, 30000);
    if (SHMLINK_SUCCEEDED(status)) printf("received %.*s\n", (int)length, message);
  }
  if (status != SHMLINK_ERR_CLOSED) fprintf(stderr, "channel_consumer: %s\n", shmlink_last_error_message());
  if (channel != 0) shmlink_close(channel);
  if (status == SHMLINK_ERR_CLOSED) return 0;
  return status == SHMLINK_ERR_TIMEOUT ? 3 : 1;
}
