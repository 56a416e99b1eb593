/* The chat example's protocol (seed tutorial 000 done right), shared by chat_server.c and
 * chat_client.c.
 *
 * Objects, all named after the chat's name N:
 *   segment N          one message slot: a 32-bit length, then that many bytes of text
 *   signal  N.ready    auto-reset: the server put a message in the slot
 *   signal  N.taken    auto-reset, initially set: the client has read the slot, it is free
 *   mutex   N.alive    owned by the server for its whole life: when the server dies, a
 *                      client waiting on it gets SHMLINK_ABANDONED and knows it is gone
 * The message "quit" ends both programs. */
#ifndef CHAT_PROTOCOL_H
#define CHAT_PROTOCOL_H

#include <shmlink/shmlink.h>

#include <stdio.h>
#include <string.h>

#define CHAT_DEFAULT_NAME "shmlink-chat"
#define CHAT_SLOT_BYTES 4096u
#define CHAT_MAX_TEXT (CHAT_SLOT_BYTES - 4u)
#define CHAT_QUIT "quit"

typedef struct chat_names {
  char segment[160];
  char ready[160];
  char taken[160];
  char alive[160];
} chat_names;

/* Fills in the four object names; 0 if `name` is too long for them. */
static int chat_make_names(const char* name, chat_names* names) {
  if (strlen(name) > 100) return 0;
  snprintf(names->segment, sizeof names->segment, "%s", name);
  snprintf(names->ready, sizeof names->ready, "%s.ready", name);
  snprintf(names->taken, sizeof names->taken, "%s.taken", name);
  snprintf(names->alive, sizeof names->alive, "%s.alive", name);
  return 1;
}

/* Prints why `what` failed and returns 0, so callers can write `if (!chat_ok(...))`. */
static int chat_ok(shmlink_status status, const char* program, const char* what) {
  if (SHMLINK_SUCCEEDED(status)) return 1;
  fprintf(stderr, "%s: %s failed: %s (%s)\n", program, what, shmlink_status_name(status),
          shmlink_last_error_message());
  return 0;
}

#endif
