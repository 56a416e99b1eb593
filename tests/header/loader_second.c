/* A second translation unit including shmlink_loader.h: everything in it is static inline,
 * so the two link together without duplicate symbols. */
#include <shmlink/shmlink_loader.h>

int load_in_second_unit(const char* path);

/* Returns 1 if `path` loads as a shmlink library of this header's version. */
int load_in_second_unit(const char* path) {
  shmlink_loader loader;
  const shmlink_api* api = shmlink_loader_open(&loader, path);
  int ok = api != NULL && api->version_number == SHMLINK_VERSION_NUMBER;
  shmlink_loader_close(&loader);
  return ok;
}
