/* shmlink_loader.h alone (nothing before it), compiled as C89 and C99 here and as C++98 and
 * C++17 by loader.cpp (so this file is C89 too: no snprintf, no // comments),
 * linked with a second translation unit that includes it too (loader_second.c). The checks:
 * it loads the library and gets a table of this header's version, and it fails cleanly, with
 * a message, on a missing file, a file that is not a library and a library that is not
 * shmlink.
 *
 *   usage: loader <shmlink library> <another library> <a file that is not a library>
 *                 [<a folder holding a copy of the library under a non-ASCII path>]
 *
 * The non-ASCII part of that path is spelled here in UTF-8, not passed in argv: on Windows
 * argv is in the ANSI code page, and the loader takes UTF-8. */
#include <shmlink/shmlink_loader.h>

#include <stdio.h>
#include <string.h>

#ifdef __cplusplus
extern "C" int load_in_second_unit(const char* path); /* loader_second.c, compiled as C */
#else
int load_in_second_unit(const char* path);
#endif

static int failures = 0;

static void expect(int condition, const char* what) {
  if (!condition) {
    fprintf(stderr, "FAILED: %s\n", what);
    ++failures;
  }
}

static void expect_loads(const char* path) {
  shmlink_loader loader;
  const shmlink_api* api = shmlink_loader_open(&loader, path);
  if (api == NULL) {
    fprintf(stderr, "FAILED: %s\n", loader.error);
    ++failures;
    return;
  }
  expect(loader.api == api && loader.module != NULL && loader.error[0] == '\0', "a loaded loader holds the table");
  expect(api->version_number == SHMLINK_VERSION_NUMBER, "the table's version is this header's");
  expect(api->version_number_fn() == SHMLINK_VERSION_NUMBER, "the library's version is this header's");
  expect(SHMLINK_API_HAS(api, view_info), "the table has this header's last member");
  expect(strcmp(api->status_name(SHMLINK_ERR_NOT_FOUND), "SHMLINK_ERR_NOT_FOUND") == 0, "calls through the table work");
  shmlink_loader_close(&loader);
  expect(loader.api == NULL && loader.module == NULL, "a closed loader holds nothing");
  shmlink_loader_close(&loader); /* closing twice does nothing */
}

static void expect_refused(const char* path, const char* reason) {
  shmlink_loader loader;
  const shmlink_api* api = shmlink_loader_open(&loader, path);
  expect(api == NULL && loader.api == NULL && loader.module == NULL, "a failed load leaves nothing loaded");
  expect(loader.error[0] != '\0', "a failed load says why");
  if (reason != NULL && strstr(loader.error, reason) == NULL) {
    fprintf(stderr, "FAILED: the message does not say \"%s\"\n", reason);
    ++failures;
  }
  printf("refused as expected: %s\n", loader.error);
  shmlink_loader_close(&loader); /* harmless after a failure */
}

/* out = first + second, or "" if that does not fit (C89 has no snprintf). */
static void join(char* out, size_t size, const char* first, const char* second) {
  size_t first_length = strlen(first);
  size_t second_length = strlen(second);
  out[0] = '\0';
  if (first_length + second_length >= size) {
    fprintf(stderr, "FAILED: path too long: %s%s\n", first, second);
    ++failures;
    return;
  }
  memcpy(out, first, first_length);
  memcpy(out + first_length, second, second_length + 1);
}

/* The copy tests/header/CMakeLists.txt makes, relative to the folder given. */
#if defined(_WIN32)
#  define UNICODE_COPY "/unicode-\xc3\xa9-\xc3\xbc/shmlink-\xc3\x9f.dll"
#else
#  define UNICODE_COPY "/unicode-\xc3\xa9-\xc3\xbc/shmlink-\xc3\x9f.so"
#endif

int main(int argc, char** argv) {
  char missing[4096];
  char unicode_copy[4096];
  if (argc < 4 || argc > 5) {
    fprintf(stderr, "usage: loader <shmlink library> <another library> <not a library> [<folder>]\n");
    return 2;
  }
  expect_loads(argv[1]);
  expect(load_in_second_unit(argv[1]) == 1, "a second translation unit loads the library too");
  if (argc == 5) {
    join(unicode_copy, sizeof unicode_copy, argv[4], UNICODE_COPY);
    expect_loads(unicode_copy);
  }

  join(missing, sizeof missing, argv[1], ".missing");
  expect_refused(missing, missing);
  expect_refused(argv[2], "not a shmlink library");
  expect_refused(argv[3], NULL);
  expect_refused("", "empty");
  expect_refused(NULL, NULL);
  expect(shmlink_loader_open(NULL, argv[1]) == NULL, "a NULL loader is refused");

  if (failures == 0) printf("shmlink_loader.h: all checks passed\n");
  return failures == 0 ? 0 : 1;
}
