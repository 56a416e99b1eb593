/* writer.c - creates a named shared memory segment, writes a length-prefixed message into it
 * and keeps the segment alive until standard input ends (Ctrl-D; on Windows Ctrl-Z, Enter),
 * then closes everything. Start reader meanwhile, with the same name.
 *
 *   usage: writer [name [message]]     defaults: "shmlink-demo", "Message from first process."
 *
 * The Win32 original is CreateFileMapping + MapViewOfFile + CopyMemory + _getch(). Nothing
 * synchronises writer and reader here: start the reader after the writer prints "ready". */
#include "demo_message.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char** argv) {
  const char* name = argc > 1 ? argv[1] : DEMO_DEFAULT_NAME;
  const char* message = argc > 2 ? argv[2] : DEMO_DEFAULT_MESSAGE;
  const size_t length = strlen(message);
  shmlink_handle segment = 0;
  shmlink_handle view = 0;
  void* address = NULL;
  unsigned char* bytes;
  uint32_t stored_length;
  shmlink_status status;
  int exit_code = 1;

  if (argc > 3) {
    fprintf(stderr, "usage: writer [name [message]]\n");
    return 2;
  }
  if (length > DEMO_MAX_MESSAGE) {
    fprintf(stderr, "writer: the message is too long: at most %u bytes fit in the segment\n", DEMO_MAX_MESSAGE);
    return 1;
  }

  /* CREATE_NEW: if another writer already holds the name, say so instead of overwriting. */
  status = shmlink_segment_create(name, DEMO_SEGMENT_SIZE, SHMLINK_CREATE_NEW, &segment);
  if (SHMLINK_FAILED(status)) {
    demo_report("writer", "shmlink_segment_create", status);
    return 1;
  }
  status = shmlink_map(segment, 0, DEMO_SEGMENT_SIZE, SHMLINK_ACCESS_READ_WRITE, &view, &address);
  if (SHMLINK_FAILED(status)) {
    demo_report("writer", "shmlink_map", status);
    goto cleanup;
  }

  bytes = (unsigned char*)address;
  memcpy(bytes + DEMO_LENGTH_SIZE, message, length);
  stored_length = (uint32_t)length;
  memcpy(bytes, &stored_length, DEMO_LENGTH_SIZE);

  printf("writer: ready: segment \"%s\" holds a %lu-byte message; end standard input to quit\n", name,
         (unsigned long)stored_length);
  if (fflush(stdout) != 0) {
    fprintf(stderr, "writer: cannot write to standard output\n");
    goto cleanup;
  }

  /* The segment lives as long as this process keeps its handle or view open. */
  while (getchar() != EOF) {
  }
  exit_code = 0;

cleanup:
  if (view != 0) {
    status = shmlink_unmap(view);
    if (SHMLINK_FAILED(status)) {
      demo_report("writer", "shmlink_unmap", status);
      exit_code = 1;
    }
  }
  status = shmlink_close(segment);
  if (SHMLINK_FAILED(status)) {
    demo_report("writer", "shmlink_close", status);
    exit_code = 1;
  }
  return exit_code;
}
