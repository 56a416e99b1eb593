/* loader_demo.c - loads the shmlink library by path at run time (the program does not link
 * against it) and uses it only through its function table: creates a segment, writes into it,
 * opens it again by name read-only, reads the text back and cleans up.
 *
 *   usage: loader_demo <library path> [segment name]
 *          e.g. loader_demo /usr/local/lib/libshmlink.so.1    or    loader_demo C:\app\shmlink.dll */
#include <shmlink/shmlink_loader.h>

#include <stdio.h>
#include <string.h>

#define DEMO_TEXT "Hello through the function table."

static void report(const shmlink_api* api, const char* what, shmlink_status status) {
  fprintf(stderr, "loader_demo: %s failed: %s: %s\n", what, api->status_name(status), api->last_error_message());
}

/* Reports a failed close; returns 0 if the close failed, 1 if it succeeded. */
static int close_checked(const shmlink_api* api, shmlink_handle handle) {
  shmlink_status status;
  if (handle == 0) return 1;
  status = api->close(handle);
  if (SHMLINK_FAILED(status)) {
    report(api, "close", status);
    return 0;
  }
  return 1;
}

int main(int argc, char** argv) {
  const char* name = argc > 2 ? argv[2] : "shmlink-loader-demo";
  shmlink_loader loader;
  const shmlink_api* api;
  shmlink_handle segment = 0, view = 0, reopened = 0, read_view = 0;
  void* address = NULL;
  void* read_address = NULL;
  shmlink_status status;
  int exit_code = 1;

  if (argc < 2 || argc > 3) {
    fprintf(stderr, "usage: loader_demo <library path> [segment name]\n");
    return 2;
  }
  api = shmlink_loader_open(&loader, argv[1]);
  if (api == NULL) {
    fprintf(stderr, "loader_demo: %s\n", loader.error);
    return 1;
  }
  printf("loader_demo: loaded shmlink %s (ABI major %d, table of %lu bytes)\n", api->version_string(),
         SHMLINK_ABI_MAJOR, (unsigned long)api->struct_size);

  status = api->segment_create(name, sizeof DEMO_TEXT, SHMLINK_CREATE_NEW, &segment);
  if (SHMLINK_FAILED(status)) {
    report(api, "segment_create", status);
    goto cleanup;
  }
  status = api->map(segment, 0, 0, SHMLINK_ACCESS_READ_WRITE, &view, &address);
  if (SHMLINK_FAILED(status)) {
    report(api, "map", status);
    goto cleanup;
  }
  memcpy(address, DEMO_TEXT, sizeof DEMO_TEXT); /* the segment is exactly this size */

  /* A second, read-only handle by name, as another process would open it. */
  status = api->segment_open(name, SHMLINK_ACCESS_READ, &reopened);
  if (SHMLINK_FAILED(status)) {
    report(api, "segment_open", status);
    goto cleanup;
  }
  status = api->map(reopened, 0, 0, SHMLINK_ACCESS_READ, &read_view, &read_address);
  if (SHMLINK_FAILED(status)) {
    report(api, "map (read-only)", status);
    goto cleanup;
  }
  if (memcmp(read_address, DEMO_TEXT, sizeof DEMO_TEXT) != 0) {
    fprintf(stderr, "loader_demo: the read-only view does not show what was written\n");
    goto cleanup;
  }
  printf("loader_demo: read back: %s\n", (const char*)read_address);
  exit_code = 0;

cleanup:
  if (!close_checked(api, read_view)) exit_code = 1;
  if (!close_checked(api, reopened)) exit_code = 1;
  if (!close_checked(api, view)) exit_code = 1;
  if (!close_checked(api, segment)) exit_code = 1;
  shmlink_loader_close(&loader); /* after every handle is closed */
  if (fflush(stdout) != 0) exit_code = 1;
  return exit_code;
}
