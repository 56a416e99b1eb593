/* reader.c - opens the segment the writer example created, read-only, checks the stored
 * message length against the segment's size, prints the message and cleans up.
 *
 *   usage: reader [name]               default: "shmlink-demo"
 *
 * The Win32 original is OpenFileMapping + MapViewOfFile + MessageBox. The segment comes from
 * another process, so its contents are checked before use, never trusted. */
#include "demo_message.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char** argv) {
  const char* name = argc > 1 ? argv[1] : DEMO_DEFAULT_NAME;
  shmlink_handle segment = 0;
  shmlink_handle view = 0;
  void* address = NULL;
  uint64_t size = 0;
  const unsigned char* bytes;
  uint32_t length;
  shmlink_status status;
  int exit_code = 1;

  if (argc > 2) {
    fprintf(stderr, "usage: reader [name]\n");
    return 2;
  }

  status = shmlink_segment_open(name, SHMLINK_ACCESS_READ, &segment);
  if (SHMLINK_FAILED(status)) {
    demo_report("reader", "shmlink_segment_open", status);
    return 1;
  }
  status = shmlink_segment_size(segment, &size);
  if (SHMLINK_FAILED(status)) {
    demo_report("reader", "shmlink_segment_size", status);
    goto cleanup;
  }
  if (size < DEMO_LENGTH_SIZE) {
    fprintf(stderr, "reader: segment \"%s\" has %" PRIu64 " bytes: too small to hold a message\n", name, size);
    goto cleanup;
  }
  status = shmlink_map(segment, 0, 0, SHMLINK_ACCESS_READ, &view, &address); /* 0: to the end */
  if (SHMLINK_FAILED(status)) {
    demo_report("reader", "shmlink_map", status);
    goto cleanup;
  }

  bytes = (const unsigned char*)address;
  memcpy(&length, bytes, DEMO_LENGTH_SIZE);
  if (length > size - DEMO_LENGTH_SIZE) {
    fprintf(stderr, "reader: segment \"%s\" claims a %" PRIu32 "-byte message but only %" PRIu64 " bytes follow\n",
            name, length, size - DEMO_LENGTH_SIZE);
    goto cleanup;
  }
  if (fwrite(bytes + DEMO_LENGTH_SIZE, 1, length, stdout) != length || putchar('\n') == EOF ||
      fflush(stdout) != 0) {
    fprintf(stderr, "reader: cannot write to standard output\n");
    goto cleanup;
  }
  exit_code = 0;

cleanup:
  if (view != 0) {
    status = shmlink_unmap(view);
    if (SHMLINK_FAILED(status)) {
      demo_report("reader", "shmlink_unmap", status);
      exit_code = 1;
    }
  }
  status = shmlink_close(segment);
  if (SHMLINK_FAILED(status)) {
    demo_report("reader", "shmlink_close", status);
    exit_code = 1;
  }
  return exit_code;
}
