/* shmlink.h alone (nothing before it), compiled as C99 here and as C++17 by shmlink_h.cpp.
 * The check: the version this program was compiled against is the version of the library it
 * runs with, and the function table matches this header. */
#include <shmlink/shmlink.h>

#include <stdio.h>
#include <string.h>

int main(void) {
  const shmlink_api* api = shmlink_get_api(SHMLINK_ABI_MAJOR);
  char expected[32];
  int failures = 0;
  snprintf(expected, sizeof expected, "%d.%d.%d", SHMLINK_VERSION_MAJOR, SHMLINK_VERSION_MINOR,
           SHMLINK_VERSION_PATCH);
  if (shmlink_version_number() != SHMLINK_VERSION_NUMBER) {
    fprintf(stderr, "compiled against %lu, running with %lu\n", (unsigned long)SHMLINK_VERSION_NUMBER,
            (unsigned long)shmlink_version_number());
    ++failures;
  }
  if (strcmp(shmlink_version_string(), expected) != 0) {
    fprintf(stderr, "version string \"%s\", expected \"%s\"\n", shmlink_version_string(), expected);
    ++failures;
  }
  if (api == NULL || api->struct_size != sizeof(shmlink_api) || api->version_number != SHMLINK_VERSION_NUMBER ||
      api->version_number_fn != shmlink_version_number || api->view_info != shmlink_view_info) {
    fprintf(stderr, "shmlink_get_api(SHMLINK_ABI_MAJOR) does not match this header\n");
    ++failures;
  }
  if (shmlink_get_api(SHMLINK_ABI_MAJOR + 1) != NULL) {
    fprintf(stderr, "shmlink_get_api accepted an unknown ABI major\n");
    ++failures;
  }
  if (failures == 0) printf("shmlink.h %s: compile-time and run-time versions match\n", expected);
  return failures == 0 ? 0 : 1;
}
