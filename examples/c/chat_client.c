/* chat_client: prints the lines chat_server hands over, until "quit" or until the server
 * is gone (it ended or crashed without saying "quit").
 *
 *   chat_client [name]
 * Exit codes: 0 after "quit", 3 if the server vanished, 1 on errors. */
#include "chat_protocol.h"

#include <stdint.h>

static const char* const kProgram = "chat_client";

int main(int argc, char** argv) {
  const char* name = argc > 1 ? argv[1] : CHAT_DEFAULT_NAME;
  chat_names names;
  shmlink_handle segment = 0, view = 0, ready = 0, taken = 0, alive = 0;
  const unsigned char* slot = NULL;
  uint64_t slot_bytes = 0;
  int exit_code = 1;

  if (!chat_make_names(name, &names)) {
    fprintf(stderr, "%s: the chat name is too long\n", kProgram);
    return 2;
  }
  if (!chat_ok(shmlink_mutex_open(names.alive, &alive), kProgram, "opening the server (is chat_server running?)") ||
      !chat_ok(shmlink_segment_open(names.segment, SHMLINK_ACCESS_READ, &segment), kProgram, "opening the segment") ||
      !chat_ok(shmlink_map(segment, 0, 0, SHMLINK_ACCESS_READ, &view, (void**)&slot), kProgram, "mapping the segment") ||
      !chat_ok(shmlink_view_info(view, NULL, &slot_bytes), kProgram, "reading the view's size") ||
      !chat_ok(shmlink_signal_open(names.ready, &ready), kProgram, "opening the ready signal") ||
      !chat_ok(shmlink_signal_open(names.taken, &taken), kProgram, "opening the taken signal"))
    goto done;

  for (;;) {
    /* A message, or the server's death: whichever comes first. */
    const shmlink_handle waits[2] = {ready, alive};
    uint32_t which = 0;
    uint32_t length = 0;
    char text[CHAT_MAX_TEXT + 1];
    const shmlink_status status = shmlink_wait_any(waits, 2, SHMLINK_INFINITE, &which);
    if (!chat_ok(status, kProgram, "waiting for the server")) goto done;
    if (which == 1) {
      /* We got the server's alive mutex: it ended without "quit" (abandoned: it crashed). */
      printf("chat_client: the server is gone%s\n", status == SHMLINK_ABANDONED ? " (it died)" : "");
      shmlink_mutex_unlock(alive);
      exit_code = 3;
      goto done;
    }
    /* The segment is written by another process: check the length before using it. */
    memcpy(&length, slot, sizeof length);
    if (length > CHAT_MAX_TEXT || length > slot_bytes - sizeof length) {
      fprintf(stderr, "%s: the server wrote a length of %u; at most %u fit\n", kProgram, length, CHAT_MAX_TEXT);
      goto done;
    }
    memcpy(text, slot + sizeof length, length);
    text[length] = '\0';
    if (!chat_ok(shmlink_signal_set(taken), kProgram, "handing the turn back")) goto done;
    if (strcmp(text, CHAT_QUIT) == 0) break;
    printf("chat_client: %s\n", text);
    fflush(stdout);
  }
  printf("chat_client: the server said quit\n");
  exit_code = 0;

done:
  if (view) shmlink_unmap(view);
  if (segment) shmlink_close(segment);
  if (ready) shmlink_close(ready);
  if (taken) shmlink_close(taken);
  if (alive) shmlink_close(alive);
  return exit_code;
}
