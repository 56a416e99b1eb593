/*
 * shmlink_loader.h - load the shmlink library at run time, by path, and get its function
 * table (for LoadLibrary / dlopen users and plugin hosts that must not link against it).
 *
 * Header-only, C89/C99 and C++98 or later: every function is static and inline where the
 * compiler knows inline (SHMLINK_LOADER_FUNCTION), so any number of translation units may
 * include it. Nothing to link except, on Linux with glibc older than 2.34, -ldl
 * (CMake: ${CMAKE_DL_LIBS}).
 *
 *   shmlink_loader loader;
 *   const shmlink_api* api = shmlink_loader_open(&loader, "/opt/app/lib/libshmlink.so.1");
 *   if (api == NULL) { fprintf(stderr, "%s\n", loader.error); return 1; }
 *   ... api->segment_create(...) ...
 *   shmlink_loader_close(&loader);
 *
 * The loader checks that the file is a shmlink library (it exports shmlink_get_api), that it
 * supports this header's SHMLINK_ABI_MAJOR, and that its table holds at least the members
 * this header declares (struct_size). To accept an older library of the same major whose
 * table is shorter, define SHMLINK_LOADER_MIN_STRUCT_SIZE before including this header (for
 * example to SHMLINK_API_MEMBER_END(view_info)) and test newer members with SHMLINK_API_HAS.
 *
 * On Windows, <windows.h> is included with WIN32_LEAN_AND_MEAN and NOMINMAX (unless it was
 * included before).
 */
#ifndef SHMLINK_LOADER_H
#define SHMLINK_LOADER_H

#include "shmlink/shmlink.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(_WIN32)
#  ifndef WIN32_LEAN_AND_MEAN
#    define WIN32_LEAN_AND_MEAN
#    define SHMLINK_LOADER_UNDEF_LEAN_AND_MEAN
#  endif
#  ifndef NOMINMAX
#    define NOMINMAX
#    define SHMLINK_LOADER_UNDEF_NOMINMAX
#  endif
#  include <windows.h>
#  ifdef SHMLINK_LOADER_UNDEF_LEAN_AND_MEAN
#    undef WIN32_LEAN_AND_MEAN
#    undef SHMLINK_LOADER_UNDEF_LEAN_AND_MEAN
#  endif
#  ifdef SHMLINK_LOADER_UNDEF_NOMINMAX
#    undef NOMINMAX
#    undef SHMLINK_LOADER_UNDEF_NOMINMAX
#  endif
#  include <stdlib.h>
#else
#  include <dlfcn.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* SHMLINK_LOADER_FUNCTION where the language has inline (C99, C++); C89 compilers take their own
 * spelling (GCC and Clang __inline__, old MSVC C __inline) or, failing that, plain static. */
#if defined(__cplusplus) || (defined(__STDC_VERSION__) && __STDC_VERSION__ >= 199901L)
#  define SHMLINK_LOADER_FUNCTION static inline
#elif defined(__GNUC__)
#  define SHMLINK_LOADER_FUNCTION static __inline__
#elif defined(_MSC_VER)
#  define SHMLINK_LOADER_FUNCTION static __inline
#else
#  define SHMLINK_LOADER_FUNCTION static
#endif

/* The table size up to and including `member`. */
#define SHMLINK_API_MEMBER_END(member) \
  (offsetof(shmlink_api, member) + sizeof(((const shmlink_api*)0)->member))

/* Whether the loaded table `api` has `member` (members are only ever appended). */
#define SHMLINK_API_HAS(api, member) ((size_t)(api)->struct_size >= SHMLINK_API_MEMBER_END(member))

#ifndef SHMLINK_LOADER_MIN_STRUCT_SIZE
#  define SHMLINK_LOADER_MIN_STRUCT_SIZE sizeof(shmlink_api)
#endif

typedef struct shmlink_loader {
  const shmlink_api* api; /* the loaded table, or NULL */
  void* module;           /* the HMODULE / dlopen handle, or NULL */
  char error[1024];       /* why the last shmlink_loader_open failed ("" after success) */
} shmlink_loader;

typedef const shmlink_api*(SHMLINK_CALL* shmlink_loader_get_api_fn)(uint32_t abi_major);

/* ---- Internal helpers ---- */

/* Appends `text` to the loader's error message, truncating if it does not fit. */
SHMLINK_LOADER_FUNCTION void shmlink_loader_append_(shmlink_loader* loader, const char* text) {
  size_t used = strlen(loader->error);
  size_t room = sizeof loader->error - 1 - used;
  size_t length = strlen(text);
  if (length > room) length = room;
  memcpy(loader->error + used, text, length);
  loader->error[used + length] = '\0';
}

SHMLINK_LOADER_FUNCTION void shmlink_loader_append_number_(shmlink_loader* loader, unsigned long value) {
  char digits[24];
  char* p = digits + sizeof digits - 1;
  *p = '\0';
  do {
    *--p = (char)('0' + value % 10u);
    value /= 10u;
  } while (value != 0);
  shmlink_loader_append_(loader, p);
}

/* Starts the error message: 'shmlink_loader: cannot load "<path>": '. */
SHMLINK_LOADER_FUNCTION void shmlink_loader_fail_(shmlink_loader* loader, const char* path, const char* reason) {
  loader->error[0] = '\0';
  shmlink_loader_append_(loader, "shmlink_loader: cannot load \"");
  shmlink_loader_append_(loader, path != NULL ? path : "(null)");
  shmlink_loader_append_(loader, "\": ");
  shmlink_loader_append_(loader, reason);
}

#if defined(_WIN32)

/* UTF-8 -> UTF-16 with '/' turned into '\' (LoadLibrary wants backslashes); NULL if the text
 * is not valid UTF-8 or memory runs out. Free the result with free(). */
SHMLINK_LOADER_FUNCTION wchar_t* shmlink_loader_widen_(const char* text) {
  int length = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, text, -1, NULL, 0);
  wchar_t* wide;
  int i;
  if (length <= 0) return NULL;
  wide = (wchar_t*)malloc((size_t)length * sizeof(wchar_t));
  if (wide == NULL) return NULL;
  if (MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, text, -1, wide, length) != length) {
    free(wide);
    return NULL;
  }
  for (i = 0; i < length; ++i)
    if (wide[i] == L'/') wide[i] = L'\\';
  return wide;
}

/* Appends GetLastError()'s text (as UTF-8) and number. */
SHMLINK_LOADER_FUNCTION void shmlink_loader_append_os_error_(shmlink_loader* loader, DWORD code) {
  wchar_t wide[512];
  char text[1024];
  DWORD length = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, code, 0,
                                wide, (DWORD)(sizeof wide / sizeof wide[0]), NULL);
  while (length > 0 && (wide[length - 1] == L'\r' || wide[length - 1] == L'\n' || wide[length - 1] == L' ' ||
                        wide[length - 1] == L'.'))
    --length;
  if (length > 0) {
    int bytes = WideCharToMultiByte(CP_UTF8, 0, wide, (int)length, text, (int)sizeof text - 1, NULL, NULL);
    if (bytes > 0) {
      text[bytes] = '\0';
      shmlink_loader_append_(loader, text);
      shmlink_loader_append_(loader, " ");
    }
  }
  shmlink_loader_append_(loader, "(error ");
  shmlink_loader_append_number_(loader, (unsigned long)code);
  shmlink_loader_append_(loader, ")");
}

/* A full path ("C:\..." or "\\server\...") lets the DLL's own folder be searched for the DLLs
 * it depends on; that flag is undefined for relative paths. */
SHMLINK_LOADER_FUNCTION int shmlink_loader_is_full_path_(const wchar_t* path) {
  if (path[0] == L'\\' && path[1] == L'\\') return 1;
  return ((path[0] >= L'A' && path[0] <= L'Z') || (path[0] >= L'a' && path[0] <= L'z')) && path[1] == L':' &&
         path[2] == L'\\';
}

#endif /* _WIN32 */

/* ---- Public functions ---- */

/* Loads the shmlink library at `path` (UTF-8; on Linux as dlopen takes it, so a bare file
 * name is searched for as dlopen searches) and returns its function table, also kept in
 * loader->api. Returns NULL on failure, with loader->error saying why (the file is missing,
 * is not a loadable library, is not shmlink, or has an unsupported ABI), and leaves nothing
 * loaded. Pair every successful call with shmlink_loader_close. */
SHMLINK_LOADER_FUNCTION const shmlink_api* shmlink_loader_open(shmlink_loader* loader, const char* path) {
  shmlink_loader_get_api_fn get_api = NULL;
  const shmlink_api* api;
  if (loader == NULL) return NULL;
  loader->api = NULL;
  loader->module = NULL;
  loader->error[0] = '\0';
  if (path == NULL || path[0] == '\0') {
    shmlink_loader_fail_(loader, path, "the path is empty");
    return NULL;
  }

#if defined(_WIN32)
  {
    wchar_t* wide = shmlink_loader_widen_(path);
    HMODULE module;
    FARPROC symbol;
    DWORD old_mode = 0;
    DWORD error;
    int mode_set;
    if (wide == NULL) {
      shmlink_loader_fail_(loader, path, "the path is not valid UTF-8 (or out of memory)");
      return NULL;
    }
    /* No "cannot find / bad image" message box: a failed load is reported, not shown. */
    mode_set = SetThreadErrorMode(SEM_FAILCRITICALERRORS | SEM_NOOPENFILEERRORBOX, &old_mode);
    module = shmlink_loader_is_full_path_(wide) ? LoadLibraryExW(wide, NULL, LOAD_WITH_ALTERED_SEARCH_PATH)
                                                : LoadLibraryW(wide);
    error = GetLastError();
    if (mode_set) SetThreadErrorMode(old_mode, NULL);
    free(wide);
    if (module == NULL) {
      shmlink_loader_fail_(loader, path, "");
      shmlink_loader_append_os_error_(loader, error);
      return NULL;
    }
    symbol = GetProcAddress(module, "shmlink_get_api");
    if (symbol == NULL) {
      FreeLibrary(module);
      shmlink_loader_fail_(loader, path, "not a shmlink library (it does not export shmlink_get_api)");
      return NULL;
    }
    /* memcpy rather than a cast: no function-pointer-cast warnings in either language. */
    memcpy(&get_api, &symbol, sizeof get_api);
    loader->module = (void*)module;
  }
#else
  {
    void* module;
    void* symbol;
    const char* reason;
    dlerror(); /* clear any earlier error */
    module = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (module == NULL) {
      reason = dlerror();
      shmlink_loader_fail_(loader, path, reason != NULL ? reason : "dlopen failed");
      return NULL;
    }
    symbol = dlsym(module, "shmlink_get_api");
    if (symbol == NULL) {
      dlclose(module);
      shmlink_loader_fail_(loader, path, "not a shmlink library (it does not export shmlink_get_api)");
      return NULL;
    }
    memcpy(&get_api, &symbol, sizeof get_api);
    loader->module = module;
  }
#endif

  api = get_api(SHMLINK_ABI_MAJOR);
  if (api == NULL) {
    shmlink_loader_fail_(loader, path, "the library does not support ABI major ");
    shmlink_loader_append_number_(loader, SHMLINK_ABI_MAJOR);
    shmlink_loader_append_(loader, " (an incompatible shmlink version)");
  } else if ((size_t)api->struct_size < (size_t)(SHMLINK_LOADER_MIN_STRUCT_SIZE)) {
    shmlink_loader_fail_(loader, path, "the library's function table has ");
    shmlink_loader_append_number_(loader, (unsigned long)api->struct_size);
    shmlink_loader_append_(loader, " bytes, fewer than the ");
    shmlink_loader_append_number_(loader, (unsigned long)(SHMLINK_LOADER_MIN_STRUCT_SIZE));
    shmlink_loader_append_(loader, " this program needs (library version ");
    shmlink_loader_append_number_(loader, (unsigned long)api->version_number);
    shmlink_loader_append_(loader, ", header version ");
    shmlink_loader_append_number_(loader, (unsigned long)SHMLINK_VERSION_NUMBER);
    shmlink_loader_append_(loader, ")");
    api = NULL;
  }
  if (api == NULL) {
#if defined(_WIN32)
    FreeLibrary((HMODULE)loader->module);
#else
    dlclose(loader->module);
#endif
    loader->module = NULL;
    return NULL;
  }
  loader->api = api;
  return api;
}

/* Unloads the library loaded by shmlink_loader_open; does nothing if nothing is loaded.
 * Close every handle first: the table and everything it returned are gone afterwards. */
SHMLINK_LOADER_FUNCTION void shmlink_loader_close(shmlink_loader* loader) {
  if (loader == NULL || loader->module == NULL) return;
#if defined(_WIN32)
  FreeLibrary((HMODULE)loader->module);
#else
  dlclose(loader->module);
#endif
  loader->module = NULL;
  loader->api = NULL;
}

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SHMLINK_LOADER_H */
