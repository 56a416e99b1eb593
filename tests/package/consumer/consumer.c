/* Built against an installed shmlink: checks that the headers and the library it finds are
 * the same version, and that a segment can be created, mapped and closed. */
#include <shmlink/shmlink.h>

#include <stdio.h>
#include <string.h>

int main(int argc, char** argv) {
  const char* name = argc > 1 ? argv[1] : "shmlink-package-consumer";
  shmlink_handle segment = 0, view = 0;
  void* address = NULL;
  shmlink_status status;
  if (shmlink_version_number() != SHMLINK_VERSION_NUMBER) {
    fprintf(stderr, "consumer: headers %d, library %lu\n", SHMLINK_VERSION_NUMBER,
            (unsigned long)shmlink_version_number());
    return 1;
  }
  status = shmlink_segment_create(name, 64, SHMLINK_CREATE_NEW, &segment);
  if (SHMLINK_SUCCEEDED(status)) status = shmlink_map(segment, 0, 0, SHMLINK_ACCESS_READ_WRITE, &view, &address);
  if (SHMLINK_SUCCEEDED(status)) {
    memcpy(address, "ok", 3);
    status = shmlink_unmap(view);
  }
  if (SHMLINK_FAILED(status)) {
    fprintf(stderr, "consumer: %s: %s\n", shmlink_status_name(status), shmlink_last_error_message());
    shmlink_close(segment);
    return 1;
  }
  status = shmlink_close(segment);
  if (SHMLINK_FAILED(status)) {
    fprintf(stderr, "consumer: %s: %s\n", shmlink_status_name(status), shmlink_last_error_message());
    return 1;
  }
  printf("consumer: shmlink %s works\n", shmlink_version_string());
  return 0;
}
