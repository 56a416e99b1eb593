/* A Windows program as a Visual Studio user builds it: compiled for *-windows-msvc (clang) and
 * linked by lld-link against the SDK's MSVC import library shmlink.lib, then run next to the
 * SDK's shmlink.dll (under Wine here). It prints the library's version and makes a round trip:
 * a segment created, opened again by name, written through one view and read through the
 * other; a signal created, opened by name, set through one handle and waited on through the
 * other.
 *
 * No C runtime: this machine has no MSVC CRT headers or libraries (they come with Visual
 * Studio), so the program is freestanding and calls kernel32 itself; shmlink.h needs only
 * <stdint.h>, which the compiler provides. Exit status 0 on success. */
#include <shmlink/shmlink.h>

#define STD_OUTPUT_HANDLE ((uint32_t)-11)
__declspec(dllimport) void* __stdcall GetStdHandle(uint32_t which);
__declspec(dllimport) int __stdcall WriteFile(void* file, const void* data, uint32_t length, uint32_t* written,
                                              void* overlapped);
__declspec(dllimport) uint32_t __stdcall GetCurrentProcessId(void);
__declspec(dllimport) void __stdcall ExitProcess(uint32_t code);

static void write_text(const char* text) {
  uint32_t length = 0;
  uint32_t written = 0;
  while (text[length] != '\0') ++length;
  WriteFile(GetStdHandle(STD_OUTPUT_HANDLE), text, length, &written, 0);
}

/* Appends the decimal digits of value to text at *at. */
static void append_number(char* text, uint32_t* at, uint32_t value) {
  char digits[10];
  uint32_t count = 0;
  do {
    digits[count++] = (char)('0' + value % 10);
    value /= 10;
  } while (value != 0);
  while (count > 0) text[(*at)++] = digits[--count];
}

static void append_text(char* text, uint32_t* at, const char* more) {
  while (*more != '\0') text[(*at)++] = *more++;
}

static int fail(const char* what, shmlink_status status) {
  write_text("FAILED: ");
  write_text(what);
  write_text(": ");
  write_text(shmlink_status_name(status));
  write_text(": ");
  write_text(shmlink_last_error_message());
  write_text("\n");
  return 1;
}

static int run(void) {
  char line[128];
  char name[64];
  uint32_t at = 0;
  uint32_t name_at = 0;
  uint32_t i;
  shmlink_handle created = 0, opened = 0, writer = 0, reader = 0, signal = 0, signal_opened = 0;
  void* write_address = 0;
  void* read_address = 0;
  shmlink_status status;

  append_text(line, &at, "msvc_consumer: shmlink ");
  append_text(line, &at, shmlink_version_string());
  append_text(line, &at, " (");
  append_number(line, &at, shmlink_version_number());
  append_text(line, &at, "), headers ");
  append_number(line, &at, SHMLINK_VERSION_NUMBER);
  line[at++] = '\n';
  line[at] = '\0';
  write_text(line);
  if (shmlink_version_number() != SHMLINK_VERSION_NUMBER) {
    write_text("FAILED: the DLL's version is not the headers'\n");
    return 1;
  }

  append_text(name, &name_at, "Local\\shmlink-msvc-consumer-");
  append_number(name, &name_at, GetCurrentProcessId());
  name[name_at] = '\0';

  status = shmlink_segment_create(name, 4096, SHMLINK_CREATE_NEW, &created);
  if (SHMLINK_FAILED(status)) return fail("shmlink_segment_create", status);
  status = shmlink_segment_open(name, SHMLINK_ACCESS_READ_WRITE, &opened);
  if (SHMLINK_FAILED(status)) return fail("shmlink_segment_open", status);
  status = shmlink_map(created, 0, 0, SHMLINK_ACCESS_READ_WRITE, &writer, &write_address);
  if (SHMLINK_FAILED(status)) return fail("shmlink_map (writer)", status);
  status = shmlink_map(opened, 0, 0, SHMLINK_ACCESS_READ, &reader, &read_address);
  if (SHMLINK_FAILED(status)) return fail("shmlink_map (reader)", status);
  for (i = 0; i < 4096; ++i) ((volatile unsigned char*)write_address)[i] = (unsigned char)(i * 7);
  for (i = 0; i < 4096; ++i) {
    if (((volatile const unsigned char*)read_address)[i] != (unsigned char)(i * 7)) {
      write_text("FAILED: the second view does not see what the first wrote\n");
      return 1;
    }
  }

  status = shmlink_signal_create(name, SHMLINK_SIGNAL_MANUAL_RESET, &signal);
  if (status != SHMLINK_ERR_WRONG_KIND) return fail("a signal at a segment's name gives WRONG_KIND", status);
  name[name_at] = 's';
  name[name_at + 1] = '\0';
  status = shmlink_signal_create(name, SHMLINK_SIGNAL_MANUAL_RESET, &signal);
  if (SHMLINK_FAILED(status)) return fail("shmlink_signal_create", status);
  status = shmlink_signal_open(name, &signal_opened);
  if (SHMLINK_FAILED(status)) return fail("shmlink_signal_open", status);
  status = shmlink_wait(signal_opened, 0);
  if (status != SHMLINK_ERR_TIMEOUT) return fail("a wait on an unset signal times out", status);
  status = shmlink_signal_set(signal);
  if (SHMLINK_FAILED(status)) return fail("shmlink_signal_set", status);
  status = shmlink_wait(signal_opened, 1000);
  if (SHMLINK_FAILED(status)) return fail("shmlink_wait on the set signal", status);

  if (SHMLINK_FAILED(status = shmlink_unmap(reader)) || SHMLINK_FAILED(status = shmlink_unmap(writer)) ||
      SHMLINK_FAILED(status = shmlink_close(opened)) || SHMLINK_FAILED(status = shmlink_close(created)) ||
      SHMLINK_FAILED(status = shmlink_close(signal_opened)) || SHMLINK_FAILED(status = shmlink_close(signal))) {
    return fail("closing", status);
  }
  write_text("msvc_consumer: segment and signal round trips ok\n");
  return 0;
}

void __cdecl start(void) { ExitProcess((uint32_t)run()); }
