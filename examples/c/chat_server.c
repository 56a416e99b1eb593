/* chat_server: reads lines from standard input and hands each one to chat_client through a
 * shared segment, one at a time; two named signals keep the turns. End of input or a line
 * "quit" sends "quit" and ends both programs.
 *
 *   shmlink_chat_server [name]     then, in another terminal: shmlink_chat_client [name]  */
#include "chat_protocol.h"

#include <stdint.h>
#include <stdlib.h>

static const char* const kProgram = "chat_server";

/* How long the server waits for the client to take the last message before it gives up. */
#define QUIT_WAIT_MS 10000u

int main(int argc, char** argv) {
  const char* name = argc > 1 ? argv[1] : CHAT_DEFAULT_NAME;
  chat_names names;
  shmlink_handle segment = 0, view = 0, ready = 0, taken = 0, alive = 0;
  unsigned char* slot = NULL;
  char line[CHAT_MAX_TEXT + 2]; /* the text, a newline and the terminating NUL */
  int exit_code = 1;
  int quit = 0;

  if (!chat_make_names(name, &names)) {
    fprintf(stderr, "%s: the chat name is too long\n", kProgram);
    return 2;
  }
  /* The alive mutex first, owned from the start, so a client can always tell we are gone. */
  if (!chat_ok(shmlink_mutex_create(names.alive, SHMLINK_MUTEX_INITIALLY_OWNED, &alive), kProgram, "creating the alive mutex") ||
      !chat_ok(shmlink_segment_create(names.segment, CHAT_SLOT_BYTES, SHMLINK_CREATE_NEW, &segment), kProgram, "creating the segment") ||
      !chat_ok(shmlink_map(segment, 0, 0, SHMLINK_ACCESS_READ_WRITE, &view, (void**)&slot), kProgram, "mapping the segment") ||
      !chat_ok(shmlink_signal_create(names.ready, SHMLINK_SIGNAL_AUTO_RESET, &ready), kProgram, "creating the ready signal") ||
      !chat_ok(shmlink_signal_create(names.taken, SHMLINK_SIGNAL_AUTO_RESET | SHMLINK_SIGNAL_INITIALLY_SET, &taken), kProgram, "creating the taken signal"))
    goto done;

  printf("chat_server: ready as \"%s\"; type lines, \"quit\" ends\n", name);
  fflush(stdout);

  while (!quit) {
    size_t length;
    uint32_t length32;
    if (fgets(line, sizeof line, stdin) == NULL) {
      strcpy(line, CHAT_QUIT); /* end of input ends the chat too */
    }
    length = strcspn(line, "\r\n");
    if (line[length] == '\0' && length == sizeof line - 1) {
      /* No newline: the line is longer than a message can be. Send what fits, drop the rest. */
      int c;
      while ((c = getchar()) != EOF && c != '\n') {
      }
      fprintf(stderr, "chat_server: line cut to %u bytes\n", CHAT_MAX_TEXT);
    }
    if (length > CHAT_MAX_TEXT) length = CHAT_MAX_TEXT;
    line[length] = '\0';
    quit = strcmp(line, CHAT_QUIT) == 0;

    /* Our turn once the client has taken the previous message. */
    if (!chat_ok(shmlink_wait(taken, quit ? QUIT_WAIT_MS : SHMLINK_INFINITE), kProgram, "waiting for the client"))
      goto done;
    length32 = (uint32_t)length;
    memcpy(slot, &length32, sizeof length32);
    memcpy(slot + sizeof length32, line, length);
    if (!chat_ok(shmlink_signal_set(ready), kProgram, "signalling the client")) goto done;
  }
  /* Let the client read "quit" before the objects go away with our handles. */
  if (!chat_ok(shmlink_wait(taken, QUIT_WAIT_MS), kProgram, "waiting for the client to leave")) goto done;
  printf("chat_server: done\n");
  exit_code = 0;

done:
  if (view) shmlink_unmap(view);
  if (segment) shmlink_close(segment);
  if (ready) shmlink_close(ready);
  if (taken) shmlink_close(taken);
  if (alive) {
    shmlink_mutex_unlock(alive);
    shmlink_close(alive);
  }
  return exit_code;
}
