/* demo_message.h - what the writer and reader examples agree on: the segment's default name
 * and size, and the layout of the message in it (a 4-byte length, then that many bytes). */
#ifndef SHMLINK_DEMO_MESSAGE_H
#define SHMLINK_DEMO_MESSAGE_H

#include <shmlink/shmlink.h>

#include <stdint.h>
#include <stdio.h>

#define DEMO_DEFAULT_NAME "shmlink-demo"
#define DEMO_DEFAULT_MESSAGE "Message from first process."
#define DEMO_SEGMENT_SIZE 4096u
/* The message length, a uint32_t in the machine's byte order (both sides run on this machine),
 * followed by the message bytes; no terminating NUL is stored. */
#define DEMO_LENGTH_SIZE 4u
#define DEMO_MAX_MESSAGE (DEMO_SEGMENT_SIZE - DEMO_LENGTH_SIZE)

/* Prints "<program>: <what> failed: <status name>: <the library's message>" to stderr. */
static inline void demo_report(const char* program, const char* what, shmlink_status status) {
  fprintf(stderr, "%s: %s failed: %s: %s\n", program, what, shmlink_status_name(status),
          shmlink_last_error_message());
}

#endif /* SHMLINK_DEMO_MESSAGE_H */
