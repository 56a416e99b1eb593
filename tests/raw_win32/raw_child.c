/* shmlink_raw_win32_child: a program written with plain Win32 calls only, in the style of
 * the seed tutorial (../shared/seeds/003_*.txt: CreateFileMapping, bInheritHandle,
 * MapViewOfFile), for tests/handoff_test.cpp (Windows only):
 *
 *   map HANDLE LENGTH REPLY
 *     maps the section HANDLE it inherited from a shmlink parent (the <handle> field of the
 *     token shmlink_handle_share made), says "data " and its first LENGTH bytes, and writes
 *     REPLY at offset 32;
 *   parent PEER TEXT
 *     makes an unnamed section with an inheritable handle (bInheritHandle TRUE), writes TEXT
 *     into it, and starts the shmlink program PEER with "token-read <token> 0 <length>",
 *     handing it the section in a token written here; PEER's output is this program's. */
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(const char* what) {
  printf("error %s: %lu\n", what, (unsigned long)GetLastError());
  fflush(stdout);
  return 1;
}

static int map_inherited(const char* handle_text, const char* length_text, const char* reply) {
  HANDLE section = (HANDLE)(uintptr_t)_strtoui64(handle_text, NULL, 10);
  size_t length = (size_t)strtoul(length_text, NULL, 10);
  char* view = (char*)MapViewOfFile(section, FILE_MAP_ALL_ACCESS, 0, 0, 0);
  if (view == NULL) return fail("MapViewOfFile");
  printf("data %.*s\n", (int)length, view);
  memcpy(view + 32, reply, strlen(reply));
  UnmapViewOfFile(view);
  CloseHandle(section);
  fflush(stdout);
  return 0;
}

static int hand_to_peer(const char* peer, const char* text) {
  SECURITY_ATTRIBUTES inheritable = {sizeof inheritable, NULL, TRUE};
  const DWORD size = 65536;
  HANDLE section = CreateFileMappingW(INVALID_HANDLE_VALUE, &inheritable, PAGE_READWRITE, 0, size, NULL);
  if (section == NULL) return fail("CreateFileMapping");
  char* view = (char*)MapViewOfFile(section, FILE_MAP_ALL_ACCESS, 0, 0, 0);
  if (view == NULL) return fail("MapViewOfFile");
  memcpy(view, text, strlen(text));
  UnmapViewOfFile(view);

  char command[1024];
  snprintf(command, sizeof command, "\"%s\" token-read shmlink1:W:%lu:1:w:%llu:%lu 0 %u", peer,
           (unsigned long)GetCurrentProcessId(), (unsigned long long)(uintptr_t)section, (unsigned long)size,
           (unsigned)strlen(text));
  STARTUPINFOA startup;
  PROCESS_INFORMATION process;
  memset(&startup, 0, sizeof startup);
  startup.cb = sizeof startup;
  startup.dwFlags = STARTF_USESTDHANDLES;
  startup.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
  startup.hStdOutput = GetStdHandle(STD_OUTPUT_HANDLE);
  startup.hStdError = GetStdHandle(STD_ERROR_HANDLE);
  if (!CreateProcessA(NULL, command, NULL, NULL, TRUE, 0, NULL, NULL, &startup, &process))
    return fail("CreateProcess");
  CloseHandle(section); /* the child has its own now */
  if (WaitForSingleObject(process.hProcess, 20000) != WAIT_OBJECT_0) {
    TerminateProcess(process.hProcess, 1);
    return fail("the peer did not end");
  }
  DWORD code = 1;
  GetExitCodeProcess(process.hProcess, &code);
  CloseHandle(process.hThread);
  CloseHandle(process.hProcess);
  return (int)code;
}

int main(int argc, char** argv) {
  if (argc == 5 && strcmp(argv[1], "map") == 0) return map_inherited(argv[2], argv[3], argv[4]);
  if (argc == 4 && strcmp(argv[1], "parent") == 0) return hand_to_peer(argv[2], argv[3]);
  printf("usage: map HANDLE LENGTH REPLY | parent PEER TEXT\n");
  return 2;
}
