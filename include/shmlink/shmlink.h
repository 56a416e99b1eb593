/*
 * shmlink.h - named shared memory between processes, with the same behaviour on Windows
 * and Linux, behind a stable C ABI.
 *
 * This header is the contract: anything not declared here is not a published API.
 * Names, argument order, numeric values and meanings below never change; the API grows
 * only by adding functions, flags and status codes.
 *
 * Conventions
 *  - Every function returns a shmlink_status (>= 0 success, < 0 failure) unless it says
 *    otherwise. On failure, shmlink_last_error_message() names the operation, the object
 *    and the OS error, and shmlink_last_os_error() gives errno / GetLastError().
 *  - Inputs come first, outputs last as pointers named out_*. On failure outputs are left
 *    as they were, except handles, which are set to 0.
 *  - Bad input returns a status; it never crashes. Every function is thread-safe.
 *  - Strings are NUL-terminated UTF-8.
 */
#ifndef SHMLINK_H
#define SHMLINK_H

#include <stdint.h>

/* ---- Version (compile time; compare with shmlink_version_number() at run time) ---- */
#include "shmlink/shmlink_version.h" /* SHMLINK_VERSION_MAJOR, _MINOR, _PATCH */
#define SHMLINK_VERSION_NUMBER \
  (SHMLINK_VERSION_MAJOR * 10000 + SHMLINK_VERSION_MINOR * 100 + SHMLINK_VERSION_PATCH)

/* ---- Export and calling convention ----
 * Define SHMLINK_BUILDING_LIBRARY when building the library itself and SHMLINK_STATIC when
 * linking it statically (CMake sets both as needed). */
#ifndef SHMLINK_API
#  if defined(SHMLINK_BUILDING_LIBRARY) && defined(SHMLINK_STATIC)
#    error "SHMLINK_BUILDING_LIBRARY and SHMLINK_STATIC are mutually exclusive"
#  endif
#  if defined(_WIN32) || defined(__CYGWIN__)
#    if defined(SHMLINK_STATIC)
#      define SHMLINK_API
#    elif defined(SHMLINK_BUILDING_LIBRARY)
#      define SHMLINK_API __declspec(dllexport)
#    else
#      define SHMLINK_API __declspec(dllimport)
#    endif
#  elif defined(__GNUC__) && __GNUC__ >= 4
#    define SHMLINK_API __attribute__((visibility("default")))
#  else
#    define SHMLINK_API
#  endif
#endif

#ifndef SHMLINK_CALL
#  if defined(_WIN32)
#    define SHMLINK_CALL __cdecl /* pinned, so /Gz or /Gr callers still match */
#  else
#    define SHMLINK_CALL
#  endif
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Types ---- */
typedef uint64_t shmlink_handle; /* 0 is never a valid handle */
typedef int32_t shmlink_status;  /* >= 0 success, < 0 failure */

#define SHMLINK_INFINITE 0xFFFFFFFFu /* timeout that never expires; 0 = try once */
#define SHMLINK_SUCCEEDED(s) ((s) >= 0)
#define SHMLINK_FAILED(s) ((s) < 0)

/* ---- Status codes (values are part of the ABI) ---- */
#define SHMLINK_OK 0                      /* success; with OPEN_OR_CREATE: created */
#define SHMLINK_ABANDONED 1               /* mutex acquired; previous owner died holding it */
#define SHMLINK_EXISTED 2                 /* with OPEN_OR_CREATE: an existing object was opened */
#define SHMLINK_ERR_INVALID_ARGUMENT (-1) /* null pointer, unknown flag bits, size 0, bad count */
#define SHMLINK_ERR_INVALID_NAME (-2)     /* the name breaks the naming rules */
#define SHMLINK_ERR_NOT_FOUND (-3)        /* no object of that name */
#define SHMLINK_ERR_ALREADY_EXISTS (-4)   /* create-new on a name that exists */
#define SHMLINK_ERR_WRONG_KIND (-5)       /* the name belongs to another kind of object */
#define SHMLINK_ERR_ACCESS_DENIED (-6)    /* permissions, or write through a read-only handle */
#define SHMLINK_ERR_BAD_HANDLE (-7)       /* closed, unknown or wrong-kind handle */
#define SHMLINK_ERR_OUT_OF_RANGE (-8)     /* offset/length outside the segment */
#define SHMLINK_ERR_TIMEOUT (-9)          /* the wait expired ("would block" with timeout 0) */
#define SHMLINK_ERR_NO_RESOURCES (-10)    /* memory, address space, handle table, system limit */
#define SHMLINK_ERR_TOO_LARGE (-11)       /* message longer than the channel's maximum */
#define SHMLINK_ERR_BUFFER_TOO_SMALL (-12) /* *out_length says the size needed */
#define SHMLINK_ERR_CORRUPT (-13)         /* shared state failed validation */
#define SHMLINK_ERR_INCOMPATIBLE (-14)    /* object made by an incompatible layout version */
#define SHMLINK_ERR_NOT_OWNER (-15)       /* unlock of a mutex this thread does not hold */
#define SHMLINK_ERR_LIMIT_EXCEEDED (-16)  /* semaphore release past its maximum */
#define SHMLINK_ERR_CLOSED (-17)          /* channel: every peer on the other side is gone */
#define SHMLINK_ERR_NOT_SUPPORTED (-18)   /* not available on this platform */
#define SHMLINK_ERR_OVERWRITTEN (-19)     /* pub/sub: a peeked message was overwritten before its consume (since 1.4) */
#define SHMLINK_ERR_SYSTEM (-99)          /* other OS failure: see shmlink_last_os_error() */

/* ---- Handle kinds (shmlink_handle_kind) ---- */
#define SHMLINK_KIND_SEGMENT 1
#define SHMLINK_KIND_VIEW 2
#define SHMLINK_KIND_SIGNAL 3
#define SHMLINK_KIND_MUTEX 4
#define SHMLINK_KIND_SEMAPHORE 5
#define SHMLINK_KIND_CHANNEL 6
#define SHMLINK_KIND_CHANNEL_CONDITION 7 /* from shmlink_channel_waitable (since 1.4) */

/* ---- Creation flags ----
 * SHARE_GROUP / SHARE_ALL_USERS widen who may open the object (default: only the creating
 * user). On Linux, Local\ names live in a per-user namespace, so the share flags matter for
 * Global\ names there; on Windows they set the object's DACL for either prefix. */
#define SHMLINK_CREATE_NEW 0x0u
#define SHMLINK_OPEN_OR_CREATE 0x1u
#define SHMLINK_SHARE_GROUP 0x10u
#define SHMLINK_SHARE_ALL_USERS 0x20u

/* ---- Signal and mutex flags (combine with OPEN_OR_CREATE and the share flags) ---- */
#define SHMLINK_SIGNAL_AUTO_RESET 0x0u      /* a set releases exactly one wait, then resets */
#define SHMLINK_SIGNAL_MANUAL_RESET 0x100u  /* a set releases every wait until reset */
#define SHMLINK_SIGNAL_INITIALLY_SET 0x200u
#define SHMLINK_MUTEX_INITIALLY_OWNED 0x400u /* the creating thread owns it (only if created) */

/* ---- Channel roles (create and open; both may be given) ---- */
#define SHMLINK_CHANNEL_SENDER 0x1000u
#define SHMLINK_CHANNEL_RECEIVER 0x2000u
/* Channel modes (shmlink_channel_create only; since 1.4): see "Pub/sub" under Channels. */
#define SHMLINK_CHANNEL_PUBSUB 0x4000u    /* every receiver (subscriber) gets every message */
#define SHMLINK_CHANNEL_OVERWRITE 0x8000u /* with PUBSUB: publishers overwrite the oldest, never wait */

/* ---- Channel conditions (shmlink_channel_waitable; since 1.4) ----
 * What a wait on a channel condition handle waits for; it takes nothing (see Channels). */
#define SHMLINK_CHANNEL_CAN_RECEIVE 1u       /* a message is queued, or receiving gives CLOSED */
#define SHMLINK_CHANNEL_CAN_SEND 2u          /* a maximum-size message fits, or sending gives CLOSED */
#define SHMLINK_CHANNEL_SENDERS_PRESENT 3u   /* at least one sender is attached */
#define SHMLINK_CHANNEL_RECEIVERS_PRESENT 4u /* at least one receiver is attached */
#define SHMLINK_CHANNEL_SENDERS_GONE 5u      /* senders had attached and none is left */
#define SHMLINK_CHANNEL_RECEIVERS_GONE 6u    /* receivers had attached and none is left */

/* The most handles shmlink_wait_any takes (as WaitForMultipleObjects). */
#define SHMLINK_MAX_WAIT_OBJECTS 64u

/* ---- Access ---- */
#define SHMLINK_ACCESS_READ 1u
#define SHMLINK_ACCESS_READ_WRITE 2u
#define SHMLINK_ACCESS_COPY_ON_WRITE 3u /* writes stay private to the view */
/* Or-ed into shmlink_map's access (since 1.4): see shmlink_release_range. */
#define SHMLINK_MAP_KEEP_RANGE 0x100u

/*
 * Names: UTF-8, optional prefix "Local\" (default: this user's session) or "Global\" (every
 * session and user of the machine), then 1 to 200 bytes with no '/', no '\' and no control
 * characters. One namespace for all kinds: a name held by a segment cannot be used for
 * another kind (SHMLINK_ERR_WRONG_KIND).
 *
 * Lifetime: a named object lives while any handle or view to it is open in any process;
 * when the last one closes (or its process dies) the name is free again.
 */

/* ======================================================================================
 * Library
 * ====================================================================================== */

/* MAJOR*10000 + MINOR*100 + PATCH of the loaded library. Never fails. */
SHMLINK_API uint32_t SHMLINK_CALL shmlink_version_number(void);

/* "MAJOR.MINOR.PATCH" of the loaded library; a static string. Never fails. */
SHMLINK_API const char* SHMLINK_CALL shmlink_version_string(void);

/* The name of a status code ("SHMLINK_ERR_NOT_FOUND"), or "SHMLINK_UNKNOWN_STATUS" for a
 * value that is not one; a static string, never NULL. */
SHMLINK_API const char* SHMLINK_CALL shmlink_status_name(shmlink_status status);

/* A description of this thread's last failure: the operation, the object's name and the OS
 * error text. Valid until this thread's next shmlink call fails; never NULL ("" when this
 * thread has had no failure). */
SHMLINK_API const char* SHMLINK_CALL shmlink_last_error_message(void);

/* The errno (Linux) or GetLastError() (Windows) behind this thread's last failure, or 0 when
 * that failure did not come from the OS. */
SHMLINK_API int32_t SHMLINK_CALL shmlink_last_os_error(void);

/* The granularity of mapping offsets on this system (page size on Linux, 64 KiB on
 * Windows). Informational only: shmlink_map accepts any offset. Never fails. */
SHMLINK_API uint64_t SHMLINK_CALL shmlink_allocation_granularity(void);

/* The kind of a handle (SHMLINK_KIND_*), or SHMLINK_ERR_BAD_HANDLE for 0, a closed handle
 * or an unknown value. */
SHMLINK_API int32_t SHMLINK_CALL shmlink_handle_kind(shmlink_handle handle);

/* Closes a handle of any kind (CloseHandle); closing a view unmaps it. The object itself is
 * freed when its last handle or view in any process is closed.
 * Fails: SHMLINK_ERR_BAD_HANDLE (0, unknown or already closed). */
SHMLINK_API shmlink_status SHMLINK_CALL shmlink_close(shmlink_handle handle);

/* ======================================================================================
 * Segments and views (CreateFileMapping / OpenFileMapping / MapViewOfFile)
 *
 * Truncation (Linux): every object is a file (in /dev/shm, or the file of a file-backed
 * segment), and any process allowed to map it read-write may also truncate it (ftruncate),
 * which no permission prevents. Reading or writing a mapped page past the file's new end
 * raises SIGBUS, which kills a process by default. The library survives it: from the first
 * library mapping on, it keeps a SIGBUS handler that maps zero pages (private to this
 * process) in place of the lost ones, from the faulting page to the end of that mapping, and
 * lets the access go on. This covers the library's own accesses (every call on a signal,
 * mutex, semaphore or channel whose file was truncated returns SHMLINK_ERR_CORRUPT from then
 * on; a wait without a deadline notices it within a second) and the user's accesses through
 * a view (and through a channel's reserved or peeked buffer): they read zeros instead of
 * crashing, writes go nowhere, and the view's shmlink_view_info and shmlink_flush return
 * SHMLINK_ERR_CORRUPT from the first access that met a lost page on. Bytes read before that,
 * or from pages still inside the file, are the file's. A SIGBUS anywhere else goes on to the
 * handler that was installed before the library's (the program's, the JVM's, the .NET
 * runtime's, a sanitizer's), or kills the process as it would have without the library. A
 * program that installs a SIGBUS handler of its own after the library's first mapping must
 * pass on the faults it does not recognize to the handler it replaced (as the library's
 * does), or truncation kills it again. The library stays loaded once its handler is
 * installed (dlclose does not unload it). Windows cannot truncate a file or section while a
 * view of it is mapped, so none of this arises there.
 * ====================================================================================== */

/* Creates a named segment of `size` bytes, zero-filled, and gives a read-write handle.
 * The memory is reserved at create, so a segment the system cannot back fails here, not
 * later when a page is first touched.
 * flags: SHMLINK_CREATE_NEW or SHMLINK_OPEN_OR_CREATE, optionally | SHARE_GROUP/SHARE_ALL_USERS.
 * name NULL (since 1.4) makes an unnamed segment, as CreateFileMapping(INVALID_HANDLE_VALUE,
 * ..., NULL): only its handle and views reach it, it appears in no namespace (Linux: a
 * memfd, not a file in /dev/shm), and it is gone with its last handle and view. flags must
 * then be 0 (SHMLINK_CREATE_NEW). (Before 1.4 a NULL name failed INVALID_ARGUMENT.)
 * Returns: SHMLINK_OK (created) or, with OPEN_OR_CREATE, SHMLINK_EXISTED (an existing
 * segment was opened read-write; its size is its own, see shmlink_segment_size).
 * Fails: INVALID_ARGUMENT (NULL out_segment, size 0, unknown flag bits; with a NULL name
 * also OPEN_OR_CREATE or a share flag), INVALID_NAME,
 * ALREADY_EXISTS (CREATE_NEW and the name is taken), WRONG_KIND (the name is another
 * kind of object), ACCESS_DENIED, NO_RESOURCES (the system cannot back `size` bytes),
 * CORRUPT / INCOMPATIBLE (an existing object failed validation), SYSTEM. */
SHMLINK_API shmlink_status SHMLINK_CALL shmlink_segment_create(const char* name, uint64_t size,
                                                             uint32_t flags,
                                                             shmlink_handle* out_segment);

/* Opens an existing named segment with SHMLINK_ACCESS_READ, _READ_WRITE or _COPY_ON_WRITE.
 * Fails: INVALID_ARGUMENT (NULL out_segment, unknown access), INVALID_NAME, NOT_FOUND,
 * WRONG_KIND, ACCESS_DENIED (permissions; on Linux also a Local\ object owned by another
 * user or writable by others, and a file-backed segment whose object others may write, whose
 * file is not the one it was made from, or whose file belongs to another user than the
 * segment's creator, unless the caller is that creator), CORRUPT, INCOMPATIBLE, SYSTEM. */
SHMLINK_API shmlink_status SHMLINK_CALL shmlink_segment_open(const char* name, uint32_t access,
                                                           shmlink_handle* out_segment);

/* Makes a segment backed by the file at `path` (the data outlives every process). The file is
 * opened with `access`; with READ_WRITE it is created if missing and grown to `size` if it
 * is shorter. size 0 means the file's current size. With a name, other processes open the
 * segment with shmlink_segment_open, and `flags` says what an existing name means
 * (CREATE_NEW or OPEN_OR_CREATE, plus the share flags); name NULL makes an unnamed segment
 * and `flags` must then be 0 or a share flag. On Linux a file it creates gets mode 0600, or
 * 0660 with SHARE_GROUP and 0666 with SHARE_ALL_USERS (0600 for a Local\ name, which only its
 * user can open), exactly, whatever the umask; on Windows the ACL its folder passes on. An
 * existing file keeps its permissions.
 * Returns: SHMLINK_OK, or SHMLINK_EXISTED (OPEN_OR_CREATE found the name; the existing
 * segment is opened with `access`).
 * Fails: INVALID_ARGUMENT (NULL path or out_segment, unknown access or flags, size 0 with an
 * empty file), INVALID_NAME, NOT_FOUND (file missing and access is not READ_WRITE),
 * ACCESS_DENIED (file permissions; growing a file opened without write access),
 * ALREADY_EXISTS, WRONG_KIND, NO_RESOURCES (disk or address space), SYSTEM. */
SHMLINK_API shmlink_status SHMLINK_CALL shmlink_segment_from_file(const char* path, const char* name,
                                                                uint64_t size, uint32_t access,
                                                                uint32_t flags,
                                                                shmlink_handle* out_segment);

/* The segment's size in bytes.
 * Fails: INVALID_ARGUMENT (NULL out_size), BAD_HANDLE (not an open segment). */
SHMLINK_API shmlink_status SHMLINK_CALL shmlink_segment_size(shmlink_handle segment,
                                                           uint64_t* out_size);

/* Maps `length` bytes of the segment starting at `offset` (any offset: the library aligns
 * internally) and gives a view handle and the address of byte `offset`. length 0 maps to
 * the end of the segment. `access` may not be wider than the segment handle's: READ and
 * COPY_ON_WRITE views need read access, READ_WRITE views need a read-write handle. A view
 * stays valid after its segment handle is closed, and keeps the segment alive. If another
 * process truncates the segment's file while the view is mapped, accesses past the new end
 * read zeros (Linux; see Truncation above).
 * Fails: INVALID_ARGUMENT (NULL outputs, unknown access), BAD_HANDLE, OUT_OF_RANGE (offset
 * or offset + length past the end or overflowing), ACCESS_DENIED (access wider than the
 * handle's), NO_RESOURCES (address space), SYSTEM. */
SHMLINK_API shmlink_status SHMLINK_CALL shmlink_map(shmlink_handle segment, uint64_t offset,
                                                  uint64_t length, uint32_t access,
                                                  shmlink_handle* out_view, void** out_address);

/* Maps a view as shmlink_map does, but so that byte `offset` of the segment appears at
 * `address` (since 1.4; MapViewOfFileEx's lpBaseAddress), for pointer-based structures that
 * every process maps at the same address. `address` must lie as `offset` does within the
 * allocation granularity (shmlink_allocation_granularity(): 64 KiB on Windows, the page
 * size on Linux): address % granularity == offset % granularity. The view is never placed
 * elsewhere and never replaces what is mapped there (Linux: MAP_FIXED_NOREPLACE). The
 * address is the caller's: pass it on with the view, get it back with shmlink_view_info.
 * Pointers stored inside shared memory are fragile: they hold only in processes that mapped
 * the view at the same address; offsets from the view's start hold everywhere.
 * Fails: INVALID_ARGUMENT (NULL address or out_view, unknown access, an address that does
 * not lie as the offset does, or a range outside this process's address space),
 * ALREADY_EXISTS (something is mapped in the range: choose another address), and as
 * shmlink_map. */
SHMLINK_API shmlink_status SHMLINK_CALL shmlink_map_at(shmlink_handle segment, uint64_t offset,
                                                     uint64_t length, uint32_t access, void* address,
                                                     shmlink_handle* out_view);

/* Unmaps a view (the same as shmlink_close on a view handle).
 * Fails: BAD_HANDLE (not an open view). */
SHMLINK_API shmlink_status SHMLINK_CALL shmlink_unmap(shmlink_handle view);

/* For a view mapped with SHMLINK_MAP_KEEP_RANGE (since 1.4): closing it does not give its
 * address range back. The view's pages are replaced at once by private zero-filled memory
 * (reads see zeros, writes reach nobody), and the range stays reserved for this process
 * until this call, with the address the view had. For runtimes that hand out pointers into a
 * view that may outlive it (the Java binding's direct ByteBuffers): a late access touches
 * harmless memory instead of crashing or, worse, hitting whatever is mapped there next. On
 * Linux the replacement is atomic; on Windows the view is unmapped and the range reserved
 * again at once, which another thread mapping memory at that instant can beat (the range
 * is then not kept, and the call below fails INVALID_ARGUMENT).
 * Fails: INVALID_ARGUMENT (not the address of a closed SHMLINK_MAP_KEEP_RANGE view, or
 * released already). */
SHMLINK_API shmlink_status SHMLINK_CALL shmlink_release_range(void* address);

/* Writes the view's modified pages back to their backing (for file-backed segments: to the
 * file, synchronously). On a copy-on-write view there is nothing to write back: succeeds.
 * Fails: BAD_HANDLE, CORRUPT (Linux: an access to the view met a page lost to a truncation of
 * the segment's file: see Truncation above), SYSTEM (the write-back failed). */
SHMLINK_API shmlink_status SHMLINK_CALL shmlink_flush(shmlink_handle view);

/* The view's address (the byte asked for at map time) and length; either output may be NULL
 * but not both. Cheap (no system call): a reader that must know whether what it read was
 * real can call it after reading.
 * Fails: INVALID_ARGUMENT (both outputs NULL), BAD_HANDLE, CORRUPT (Linux: an access to the
 * view met a page lost to a truncation of the segment's file, and read zeros: see Truncation
 * above; the view stays mapped until it is closed). */
SHMLINK_API shmlink_status SHMLINK_CALL shmlink_view_info(shmlink_handle view, void** out_address,
                                                        uint64_t* out_length);

/* ======================================================================================
 * Signals, mutexes, semaphores (CreateEvent / CreateMutex / CreateSemaphore / WaitFor*)
 *
 * Waiting: shmlink_wait and shmlink_wait_any take a timeout in milliseconds on a monotonic
 * clock: 0 tries once, SHMLINK_INFINITE never expires, and a wait never times out early.
 * What a successful wait does to the object:
 *  - signal: a set signal satisfies the wait; an auto-reset signal is reset by the one wait
 *    it releases (exactly one waiter wakes), a manual-reset one stays set until reset.
 *  - semaphore: a count above zero satisfies the wait and is decremented.
 *  - mutex: a free mutex (or one this thread owns: mutexes are recursive) is acquired by
 *    the calling thread. SHMLINK_ABANDONED: acquired, but the previous owner died holding it
 *    (its thread or process ended): check the data it guards.
 * An object whose file another process truncated gives SHMLINK_ERR_CORRUPT from every call
 * (Linux; see Truncation under Segments); a wait that was asleep notices within a second.
 * ====================================================================================== */

/* Creates a named signal (an event). flags: SHMLINK_SIGNAL_AUTO_RESET or _MANUAL_RESET,
 * optionally SHMLINK_SIGNAL_INITIALLY_SET, SHMLINK_OPEN_OR_CREATE and the share flags.
 * name NULL (since 1.4) makes an unnamed signal, as CreateEvent(NULL, ...): only its handle
 * reaches it (nothing else can open it; it is gone when the handle is closed), for example
 * to cancel a wait_any from another thread. flags are then the reset mode and INITIALLY_SET
 * only. (Before 1.4 a NULL name failed INVALID_ARGUMENT.)
 * Returns: SHMLINK_OK (created) or SHMLINK_EXISTED (OPEN_OR_CREATE opened an existing one;
 * its reset mode and state are its own, the flags' are ignored).
 * Fails: INVALID_ARGUMENT (NULL out_signal, unknown flag bits; with a NULL name also
 * OPEN_OR_CREATE or a share flag), INVALID_NAME,
 * ALREADY_EXISTS, WRONG_KIND (the name is another kind of object), ACCESS_DENIED,
 * NO_RESOURCES, CORRUPT / INCOMPATIBLE, SYSTEM. */
SHMLINK_API shmlink_status SHMLINK_CALL shmlink_signal_create(const char* name, uint32_t flags,
                                                            shmlink_handle* out_signal);

/* Opens an existing named signal.
 * Fails: INVALID_ARGUMENT, INVALID_NAME, NOT_FOUND, WRONG_KIND, ACCESS_DENIED, CORRUPT,
 * INCOMPATIBLE, SYSTEM. */
SHMLINK_API shmlink_status SHMLINK_CALL shmlink_signal_open(const char* name, shmlink_handle* out_signal);

/* Sets the signal (SetEvent): an auto-reset signal releases exactly one wait (now or the
 * next one), a manual-reset signal releases every wait until it is reset. Setting a set
 * signal changes nothing.
 * Fails: BAD_HANDLE, CORRUPT, SYSTEM. */
SHMLINK_API shmlink_status SHMLINK_CALL shmlink_signal_set(shmlink_handle signal);

/* Resets the signal (ResetEvent). Resetting an unset signal changes nothing.
 * Fails: BAD_HANDLE, CORRUPT, SYSTEM. */
SHMLINK_API shmlink_status SHMLINK_CALL shmlink_signal_reset(shmlink_handle signal);

/* Creates a named mutex, owned by a thread and recursive for its owner. flags:
 * SHMLINK_MUTEX_INITIALLY_OWNED (the calling thread owns it if it was created),
 * SHMLINK_OPEN_OR_CREATE and the share flags. name NULL (since 1.4) makes an unnamed
 * mutex, as CreateMutex(NULL, ...), as for signals; flags are then INITIALLY_OWNED only.
 * Returns: SHMLINK_OK (created) or SHMLINK_EXISTED (opened; not acquired).
 * Fails: as shmlink_signal_create. */
SHMLINK_API shmlink_status SHMLINK_CALL shmlink_mutex_create(const char* name, uint32_t flags,
                                                           shmlink_handle* out_mutex);

/* Opens an existing named mutex. Fails: as shmlink_signal_open. */
SHMLINK_API shmlink_status SHMLINK_CALL shmlink_mutex_open(const char* name, shmlink_handle* out_mutex);

/* Acquires the mutex for the calling thread (the same as shmlink_wait on it).
 * Returns: SHMLINK_OK, or SHMLINK_ABANDONED (acquired; the previous owner died holding it).
 * Fails: TIMEOUT, BAD_HANDLE, CORRUPT, SYSTEM. */
SHMLINK_API shmlink_status SHMLINK_CALL shmlink_mutex_lock(shmlink_handle mutex, uint32_t timeout_ms);

/* Releases one level of the calling thread's ownership (ReleaseMutex).
 * Fails: NOT_OWNER (this thread does not hold it), BAD_HANDLE, CORRUPT, SYSTEM. */
SHMLINK_API shmlink_status SHMLINK_CALL shmlink_mutex_unlock(shmlink_handle mutex);

/* Creates a named semaphore with a count of `initial_count` and a maximum of `max_count`.
 * flags: SHMLINK_OPEN_OR_CREATE and the share flags. name NULL (since 1.4) makes an unnamed
 * semaphore, as CreateSemaphore(NULL, ...), as for signals; flags must then be 0.
 * Returns: SHMLINK_OK (created) or SHMLINK_EXISTED (opened; its counts are its own).
 * Fails: INVALID_ARGUMENT (NULL out_semaphore, max_count 0, initial_count > max_count,
 * max_count above 0x7FFFFFFF, unknown flag bits), and as shmlink_signal_create. */
SHMLINK_API shmlink_status SHMLINK_CALL shmlink_semaphore_create(const char* name, uint32_t initial_count,
                                                               uint32_t max_count, uint32_t flags,
                                                               shmlink_handle* out_semaphore);

/* Opens an existing named semaphore. Fails: as shmlink_signal_open. */
SHMLINK_API shmlink_status SHMLINK_CALL shmlink_semaphore_open(const char* name,
                                                             shmlink_handle* out_semaphore);

/* Adds `count` to the semaphore (ReleaseSemaphore) and wakes as many waits; gives the count
 * before the release in *out_previous_count if that is not NULL.
 * Fails: INVALID_ARGUMENT (count 0), LIMIT_EXCEEDED (the count would pass the maximum; it is
 * left unchanged), BAD_HANDLE, CORRUPT, SYSTEM. */
SHMLINK_API shmlink_status SHMLINK_CALL shmlink_semaphore_release(shmlink_handle semaphore, uint32_t count,
                                                                uint32_t* out_previous_count);

/* Waits until the signal, semaphore or mutex is available and takes it (see above), or
 * until the channel is ready (a message can be received; for a send-only handle, a maximum
 * message fits; nothing is taken: see Channels), or until a channel condition handle's
 * condition holds (shmlink_channel_waitable; nothing is taken).
 * Returns: SHMLINK_OK, or SHMLINK_ABANDONED for a mutex whose owner died.
 * Fails: TIMEOUT, BAD_HANDLE (also a handle that cannot be waited on: a segment or view),
 * CORRUPT, SYSTEM. */
SHMLINK_API shmlink_status SHMLINK_CALL shmlink_wait(shmlink_handle waitable, uint32_t timeout_ms);

/* Waits until any one of `count` (1..64) objects is available and takes that one only
 * (WaitForMultipleObjects with bWaitAll FALSE); *out_index says which. When several are
 * available, the lowest index wins. (On Windows the kernel checks all of them at one
 * instant; on Linux they are checked in index order, so an object that becomes available
 * while the check is under way may lose to a higher index found available after it.)
 * Kinds may be mixed; one handle may appear only once (as in WaitForMultipleObjects).
 * Returns: SHMLINK_OK or SHMLINK_ABANDONED (the mutex at *out_index was abandoned).
 * Fails: INVALID_ARGUMENT (NULL handles or out_index, count 0 or above 64, a handle given
 * twice), BAD_HANDLE
 * (any handle closed, unknown or not waitable), TIMEOUT, CORRUPT, SYSTEM. */
SHMLINK_API shmlink_status SHMLINK_CALL shmlink_wait_any(const shmlink_handle* handles, uint32_t count,
                                                       uint32_t timeout_ms, uint32_t* out_index);

/* ======================================================================================
 * Channels: a named, bounded queue of whole messages in shared memory, for any number of
 * sending and receiving processes.
 *
 *  - Every message is delivered whole, once, to exactly one receiver, in send order per
 *    sender. Zero-length messages are valid.
 *  - A handle sends if it was created or opened with SHMLINK_CHANNEL_SENDER and receives if
 *    with SHMLINK_CHANNEL_RECEIVER (both may be given); otherwise ACCESS_DENIED.
 *  - Peers: the senders (handles with SHMLINK_CHANNEL_SENDER) and the receivers are the two
 *    sides of a channel. A side is *gone* when at least one handle of it has attached since
 *    the channel was created and none is attached now; only then does the other side get
 *    SHMLINK_ERR_CLOSED: sending gives CLOSED while the receivers are gone, and receiving
 *    gives CLOSED while the senders are gone and nothing is queued (what they sent before
 *    leaving is received first). A handle with both roles counts on both sides.
 *  - No peer yet (since 1.4): until the first receiver attaches, sends queue their messages
 *    up to the channel's capacity (a blocking send waits for room, up to its timeout) for the
 *    receivers that come later; until the first sender attaches, a receive waits for a
 *    message (up to its timeout). Either side may start first. Before 1.4 both failed with
 *    CLOSED at once, though nobody had ever been there; that case alone changed, from a
 *    failure to success.
 *  - Peers come back: a handle that attaches to a gone side makes it live again at once.
 *    Nothing queued is lost meanwhile: the queue resumes where it stood, in order, for the
 *    receivers that attach. A sender that got CLOSED gets CLOSED again (its message is not
 *    queued, and a blocking send does not wait for a receiver to return) until a receiver
 *    attaches; then its sends work again. To wait for a side to be there (or to be gone), see
 *    shmlink_channel_waitable.
 *  - Queued messages live as long as the channel: when the last handle in every process is
 *    closed, the channel and what it holds are gone. A sender that must not lose what it
 *    queued before any receiver came waits for one before it closes.
 *  - A peer that dies counts as gone: a killed process is noticed at once by peers that are
 *    not blocked, and within 100 ms by a blocked one.
 *  - Crashes: a message a sender had reserved but not committed when it died is dropped;
 *    everything committed is still delivered. A message a receiver had peeked but not
 *    consumed when it died is lost with it.
 *  - A channel handle is waitable: shmlink_wait / shmlink_wait_any return when a message can
 *    be received (or receiving would give SHMLINK_ERR_CLOSED); on a handle opened with
 *    SHMLINK_CHANNEL_SENDER alone, when a message of the channel's maximum size fits (or
 *    sending would give SHMLINK_ERR_CLOSED). They take nothing, so with several receivers (or
 *    senders) the call that follows may still have to wait. shmlink_channel_waitable gives
 *    handles that wait for one condition each, in either direction and for the peers'
 *    presence, to wait on together in shmlink_wait_any.
 *  - Blocking calls spin briefly, then sleep on a futex (Linux) or a kernel object
 *    (Windows); a peer's send, consume or close wakes them.
 *  - The shared state is checked on every access: a crashed or hostile peer that scribbles
 *    on it gives SHMLINK_ERR_CORRUPT, never an out-of-bounds access or a hang; so does one
 *    that truncates the channel's file (Linux; see Truncation under Segments).
 *
 * Pub/sub (since 1.4): a channel created with SHMLINK_CHANNEL_PUBSUB fans out instead of
 * queueing; every call above works on it, with these differences:
 *  - Every receiving handle (a *subscriber*) receives every message sent after it attached
 *    (its create or open), each at its own pace, in send order per sender; messages sent
 *    before it attached are not its. Receiving is reading in place: peek and the batch forms
 *    are zero-copy as for a queue.
 *  - At most 32 subscribers are attached at once: the 33rd create or open with
 *    SHMLINK_CHANNEL_RECEIVER fails with SHMLINK_ERR_NO_RESOURCES. Senders (publishers) are
 *    not limited beyond the channel's 1024 handles.
 *  - Slow subscribers, by the policy chosen at creation:
 *     - block (default): a send waits for room, bounded by the slowest live subscriber; a
 *       subscriber that died is dropped (within 100 ms of a blocked publisher's look) and
 *       stalls nobody. A peeked message holds its subscriber's place until consumed.
 *     - SHMLINK_CHANNEL_OVERWRITE: sends never wait for subscribers (only, briefly, for another
 *       publisher still writing the oldest message); they overwrite the oldest messages. A
 *       subscriber that was overtaken goes on at the oldest message still there, and
 *       shmlink_channel_lost says how many it lost in all. A peeked message may be overwritten
 *       while the subscriber reads it: shmlink_channel_consume (or _consume_batch) then says
 *       SHMLINK_ERR_OVERWRITTEN (the message is consumed all the same and counted lost; what
 *       was read of it must be thrown away). Copying receives never return torn messages:
 *       one overwritten while copied is counted lost and the next one is received.
 *  - Publishers never get CLOSED: a message sent while no subscriber is attached reaches
 *    nobody. Subscribers get CLOSED as from a queue (the publishers are gone and they have
 *    read everything).
 *  - Waits: CAN_RECEIVE is per subscriber handle (a message this handle has not read);
 *    CAN_SEND holds when a maximum-size message fits by the slowest subscriber (block), always
 *    (overwrite).
 *  - The mode is the channel's: open finds it; shmlink_channel_create with OPEN_OR_CREATE on
 *    a channel of another mode or policy fails with SHMLINK_ERR_INCOMPATIBLE. A library before
 *    1.4 cannot open a pub/sub channel (INCOMPATIBLE).
 * ====================================================================================== */

/* Creates a named channel that buffers at least `capacity_bytes` of messages (each costs
 * its length rounded up to 32, plus a 32-byte header), for messages of up to
 * `max_message_bytes`. Zero-copy buffers (reserve, peek) are 32-byte aligned.
 * flags: SHMLINK_CHANNEL_SENDER and/or SHMLINK_CHANNEL_RECEIVER (this handle's role),
 * SHMLINK_OPEN_OR_CREATE and the share flags; SHMLINK_CHANNEL_PUBSUB, with or without
 * SHMLINK_CHANNEL_OVERWRITE, for a pub/sub channel (since 1.4; OVERWRITE alone is
 * INVALID_ARGUMENT).
 * Returns: SHMLINK_OK (created) or SHMLINK_EXISTED (OPEN_OR_CREATE opened an existing one;
 * its sizes are its own).
 * Fails: INVALID_ARGUMENT (NULL out_channel, unknown flag bits, max_message_bytes 0, above
 * 0xFFFFFF00 or larger than capacity_bytes, capacity_bytes below one maximum message plus its
 * 32-byte header), NO_RESOURCES (more than 2^40 bytes, or the memory is not there), and as
 * shmlink_signal_create. */
SHMLINK_API shmlink_status SHMLINK_CALL shmlink_channel_create(const char* name, uint64_t capacity_bytes,
                                                             uint32_t max_message_bytes, uint32_t flags,
                                                             shmlink_handle* out_channel);

/* Opens an existing channel. flags: SHMLINK_CHANNEL_SENDER and/or _RECEIVER.
 * Fails: INVALID_ARGUMENT (NULL out_channel, no role or unknown flag bits), NO_RESOURCES
 * (1024 handles are already attached), and as shmlink_signal_open. */
SHMLINK_API shmlink_status SHMLINK_CALL shmlink_channel_open(const char* name, uint32_t flags,
                                                           shmlink_handle* out_channel);

/* Copies `length` bytes from `data` (may be NULL when length is 0) into the channel as one
 * message, waiting up to `timeout_ms` for room.
 * Fails: TOO_LARGE (length above the channel's maximum), INVALID_ARGUMENT (NULL data with
 * length > 0, a reservation outstanding on this handle), ACCESS_DENIED (not a sender),
 * CLOSED (the receivers are gone: every receiver that attached has left), TIMEOUT, BAD_HANDLE, CORRUPT, SYSTEM. */
SHMLINK_API shmlink_status SHMLINK_CALL shmlink_channel_send(shmlink_handle channel, const void* data,
                                                           uint32_t length, uint32_t timeout_ms);

/* Receives the next message into `buffer`, waiting up to `timeout_ms` for one, and gives its
 * length in *out_length.
 * Fails: BUFFER_TOO_SMALL (*out_length is set to the length needed and the message stays
 * queued), INVALID_ARGUMENT (NULL out_length, NULL buffer with capacity > 0, a peek
 * outstanding on this handle), ACCESS_DENIED (not a receiver), CLOSED (the senders are gone
 * and nothing is queued), TIMEOUT, BAD_HANDLE, CORRUPT, SYSTEM. */
SHMLINK_API shmlink_status SHMLINK_CALL shmlink_channel_receive(shmlink_handle channel, void* buffer,
                                                              uint32_t capacity, uint32_t* out_length,
                                                              uint32_t timeout_ms);

/* Receives the next message whole, whatever its length (since 1.4): as
 * shmlink_channel_receive when it fits `capacity`. A longer message is not left queued but
 * held for this handle (no other receiver can take it): BUFFER_TOO_SMALL, with its length in
 * *out_length, and the next shmlink_channel_receive_whole on this handle receives exactly
 * that message, at once, into a buffer that large. So a message of unknown length takes one
 * call, or two with the second never waiting:
 *   status = shmlink_channel_receive_whole(ch, small, sizeof small, &length, timeout);
 *   if (status == SHMLINK_ERR_BUFFER_TOO_SMALL)
 *     status = shmlink_channel_receive_whole(ch, malloc(length), length, &length, 0);
 * A held message is also what shmlink_channel_peek gives (it becomes a peek), and it counts
 * as peeked for a close (consumed) and for shmlink_channel_peek_batch (INVALID_ARGUMENT), but
 * not for shmlink_channel_receive or _receive_batch: those (say, of another thread using the
 * same handle) take the messages after it.
 * Fails: as shmlink_channel_receive; INVALID_ARGUMENT also for a message peeked (not held)
 * on this handle. */
SHMLINK_API shmlink_status SHMLINK_CALL shmlink_channel_receive_whole(shmlink_handle channel, void* buffer,
                                                                    uint32_t capacity, uint32_t* out_length,
                                                                    uint32_t timeout_ms);

/* What this handle's channel is (since 1.3): the longest message it takes, how many bytes of
 * records its ring holds (at least the capacity_bytes it was created with; each message costs
 * its length rounded up to 32, plus a 32-byte header), and this handle's roles
 * (SHMLINK_CHANNEL_SENDER and/or SHMLINK_CHANNEL_RECEIVER). The sizes are the creator's, so an
 * opener learns them here. Any output may be NULL, but not all three.
 * Fails: INVALID_ARGUMENT (every output NULL), BAD_HANDLE. */
SHMLINK_API shmlink_status SHMLINK_CALL shmlink_channel_info(shmlink_handle channel, uint32_t* out_max_message_bytes,
                                                           uint64_t* out_capacity_bytes, uint32_t* out_roles);

/* A waitable handle for one condition of this channel handle's channel (since 1.4):
 * shmlink_wait / shmlink_wait_any on it return while `condition` holds, and take nothing:
 *  - SHMLINK_CHANNEL_CAN_RECEIVE (a receiving handle only): a message is queued, or
 *    receiving would give CLOSED (what a wait on a receiving channel handle waits for);
 *  - SHMLINK_CHANNEL_CAN_SEND (a sending handle only): a message of the channel's maximum
 *    size fits, or sending would give CLOSED; so a handle with both roles can wait for room;
 *  - SHMLINK_CHANNEL_SENDERS_PRESENT / _RECEIVERS_PRESENT: at least one handle of that side
 *    is attached (in any process; this one counts too if it has the role);
 *  - SHMLINK_CHANNEL_SENDERS_GONE / _RECEIVERS_GONE: that side is gone: handles of it had
 *    attached and none is left (receiving once drained, or sending, gives CLOSED).
 * A peer killed without closing counts as attached until noticed: within 100 ms by a wait.
 * The handle's kind is SHMLINK_KIND_CHANNEL_CONDITION; close it with shmlink_close. It keeps
 * the channel attached: until both are closed this handle still counts as a peer. Several
 * may be made from one channel handle.
 * Fails: INVALID_ARGUMENT (NULL out_waitable, an unknown condition), ACCESS_DENIED
 * (CAN_RECEIVE on a handle that does not receive, CAN_SEND on one that does not send),
 * BAD_HANDLE (not an open channel), NO_RESOURCES. */
SHMLINK_API shmlink_status SHMLINK_CALL shmlink_channel_waitable(shmlink_handle channel, uint32_t condition,
                                                               shmlink_handle* out_waitable);

/* Zero-copy send: reserves room for a message of up to `length` bytes and gives where to
 * write it; shmlink_channel_commit sends it. One reservation per handle at a time; messages
 * reserved later by other senders wait behind it.
 * Fails: as shmlink_channel_send, and INVALID_ARGUMENT (NULL out_buffer). */
SHMLINK_API shmlink_status SHMLINK_CALL shmlink_channel_reserve(shmlink_handle channel, uint32_t length,
                                                              uint32_t timeout_ms, void** out_buffer);

/* Sends the reserved message with its first `length` bytes (at most the length reserved).
 * Fails: INVALID_ARGUMENT (no reservation, or length above the reserved length; the
 * reservation stays), BAD_HANDLE, CORRUPT. */
SHMLINK_API shmlink_status SHMLINK_CALL shmlink_channel_commit(shmlink_handle channel, uint32_t length);

/* Gives the reservation up without sending anything (since 1.3): messages reserved after it
 * flow on, and the handle may reserve or send again. Its room goes back to the senders when
 * the receivers pass it, as a received message's does (at once for a waiting receiver).
 * Closing the handle does the same.
 * Fails: INVALID_ARGUMENT (no reservation), BAD_HANDLE, CORRUPT. */
SHMLINK_API shmlink_status SHMLINK_CALL shmlink_channel_cancel(shmlink_handle channel);

/* Zero-copy receive: takes the next message for this handle and gives its bytes in place,
 * valid until shmlink_channel_consume (or the handle's close). One peek per handle at a
 * time; peeking again before consuming gives the same message.
 * Fails: INVALID_ARGUMENT (NULL out_data or out_length), and as shmlink_channel_receive
 * (without BUFFER_TOO_SMALL). */
SHMLINK_API shmlink_status SHMLINK_CALL shmlink_channel_peek(shmlink_handle channel, uint32_t timeout_ms,
                                                           const void** out_data, uint32_t* out_length);

/* Releases the peeked message's room to senders.
 * Fails: INVALID_ARGUMENT (nothing peeked), BAD_HANDLE, CORRUPT, OVERWRITTEN (pub/sub with
 * SHMLINK_CHANNEL_OVERWRITE: the message was overwritten while peeked; it is consumed). */
SHMLINK_API shmlink_status SHMLINK_CALL shmlink_channel_consume(shmlink_handle channel);

/* ---- Batches (since 1.4) ----
 * Many messages in one call: each batch call takes the side's lock once and wakes the other
 * side once, so that small messages cost a fraction of a call each. Every message of a batch
 * is still a message of its own (delivered whole, once, in order); a batch is not atomic:
 * a receiver may take its first messages before the last are sent.
 *
 * One shmlink_channel_message describes one message of a batch, the same struct in every
 * batch call (as struct iovec serves readv and writev); what each call reads and writes is
 * said at the call. `data` is not const so that one array serves both directions: a sender
 * casts its const buffers, and the library never writes through `data` when it sends.
 *
 * A batch call waits (up to its timeout) only for its first message: for room for it, or
 * for one to be queued; then it takes as many more of the `count` as it can at once, and
 * says how many in its out_ count. The rest are not touched: call again with them
 * (`messages + done`, `count - done`). So a batch larger than the ring is not an error:
 * it goes through in several calls. On failure the out_ count is 0 and nothing was sent or
 * received. count 0 is INVALID_ARGUMENT (a call that can do nothing is a mistake). */
typedef struct shmlink_channel_message {
  void* data;        /* the message's bytes (send), a buffer (receive), where it lies (reserve, peek) */
  uint32_t length;   /* the message's length: given (send, reserve, commit) or set (receive, peek) */
  uint32_t capacity; /* receive_batch: the bytes `data` holds; reserve_batch sets it; else unused */
} shmlink_channel_message;

/* Sends messages[i] (messages[i].length bytes from messages[i].data; data may be NULL when
 * length is 0) for i in [0, *out_sent), in order, each a message of its own: waits up to
 * `timeout_ms` for room for the first, then sends as many of the rest as fit without waiting.
 * Every length is checked before anything is sent.
 * Fails: INVALID_ARGUMENT (NULL messages or out_sent, count 0, NULL data with length > 0, a
 * reservation outstanding on this handle), TOO_LARGE (a length above the channel's
 * maximum), and as shmlink_channel_send. */
SHMLINK_API shmlink_status SHMLINK_CALL shmlink_channel_send_batch(shmlink_handle channel,
                                                                 const shmlink_channel_message* messages,
                                                                 uint32_t count, uint32_t timeout_ms,
                                                                 uint32_t* out_sent);

/* Receives up to `count` messages: waits up to `timeout_ms` for one, then receives as many
 * as are queued, message i into messages[i].data (messages[i].capacity bytes), setting
 * messages[i].length, for i in [0, *out_received). A message longer than its buffer ends the
 * batch before it and stays queued, unless it is the first: then BUFFER_TOO_SMALL, with
 * messages[0].length set to the length needed.
 * Fails: INVALID_ARGUMENT (NULL messages or out_received, count 0, NULL data with
 * capacity > 0, a peek outstanding on this handle), and as shmlink_channel_receive. */
SHMLINK_API shmlink_status SHMLINK_CALL shmlink_channel_receive_batch(shmlink_handle channel,
                                                                    shmlink_channel_message* messages,
                                                                    uint32_t count, uint32_t timeout_ms,
                                                                    uint32_t* out_received);

/* Zero-copy send of a batch: reserves room for messages[i].length bytes for i in
 * [0, *out_reserved) (waiting up to `timeout_ms` for room for the first, then as many as fit),
 * setting messages[i].data to where to write message i and messages[i].capacity to its
 * length. Then shmlink_channel_commit_batch sends them. The batch is this handle's
 * reservation: shmlink_channel_cancel gives all of it up; single reserve, commit and send
 * refuse (INVALID_ARGUMENT) until it is committed or cancelled.
 * Fails: as shmlink_channel_send_batch (without the NULL data case). */
SHMLINK_API shmlink_status SHMLINK_CALL shmlink_channel_reserve_batch(shmlink_handle channel,
                                                                    shmlink_channel_message* messages,
                                                                    uint32_t count, uint32_t timeout_ms,
                                                                    uint32_t* out_reserved);

/* Sends the first `count` messages of the batch reserved, message i with its first
 * messages[i].length bytes (at most messages[i].capacity, the length reserved; the array
 * reserve_batch filled may be passed back as it is, with lengths lowered). The reserved
 * messages after them, if count is below the number reserved, are given up as by
 * shmlink_channel_cancel.
 * Fails: INVALID_ARGUMENT (no batch reserved, NULL messages, count 0 or above the number
 * reserved, a length above its capacity; the reservation stays), BAD_HANDLE, CORRUPT. */
SHMLINK_API shmlink_status SHMLINK_CALL shmlink_channel_commit_batch(shmlink_handle channel,
                                                                   const shmlink_channel_message* messages,
                                                                   uint32_t count);

/* Zero-copy receive of a batch: waits up to `timeout_ms` for a message, then takes as many
 * as are queued, up to `count`, for this handle, setting messages[i].data to where message i
 * lies (read only: cast to const) and messages[i].length to its length, for i in
 * [0, *out_peeked). They stay valid until consumed. shmlink_channel_consume_batch releases
 * the oldest of them; shmlink_channel_peek gives the oldest not consumed, and
 * shmlink_channel_consume consumes it.
 * Fails: INVALID_ARGUMENT (NULL messages or out_peeked, count 0, messages peeked and not
 * consumed on this handle), and as shmlink_channel_peek. */
SHMLINK_API shmlink_status SHMLINK_CALL shmlink_channel_peek_batch(shmlink_handle channel,
                                                                 shmlink_channel_message* messages,
                                                                 uint32_t count, uint32_t timeout_ms,
                                                                 uint32_t* out_peeked);

/* Releases the `count` oldest peeked messages of this handle (from shmlink_channel_peek_batch
 * or shmlink_channel_peek) to the senders.
 * Fails: INVALID_ARGUMENT (count 0 or above the number peeked and not consumed),
 * BAD_HANDLE, CORRUPT, OVERWRITTEN (pub/sub: at least one of them was overwritten while
 * peeked; all are consumed, the overwritten ones counted lost. They are the oldest ones:
 * shmlink_channel_lost grows by their number, and the messages after them were intact). */
SHMLINK_API shmlink_status SHMLINK_CALL shmlink_channel_consume_batch(shmlink_handle channel, uint32_t count);

/* Pub/sub (since 1.4): how many messages this subscriber lost to publishers overwriting
 * them (SHMLINK_CHANNEL_OVERWRITE) since it attached, skipped or overwritten while peeked or
 * copied. 0 for a queue channel and under the block policy.
 * Fails: INVALID_ARGUMENT (NULL out_lost), ACCESS_DENIED (not a receiving handle),
 * BAD_HANDLE. */
SHMLINK_API shmlink_status SHMLINK_CALL shmlink_channel_lost(shmlink_handle channel, uint64_t* out_lost);

/* ======================================================================================
 * Inspection (since 1.4): what objects exist and what state they are in, read from outside,
 * without joining them (no handle is opened, nothing is attached, no lock is taken), for
 * tools such as the `shmlink` command (docs/cli.md). Every value is a snapshot that may be
 * stale by the time it is read, and comes from memory any peer may write: the library checks
 * what it reads, and reports what fails the checks as SHMLINK_OBJECT_CORRUPT, never trusting
 * it. On Windows listing and describing read the kernel's object directories and query each
 * object (docs/cli.md says what Windows cannot tell: owner uid and creation time are unknown,
 * an event, mutex or semaphore carries no mark of being shmlink's); removing and collecting
 * fail with SHMLINK_ERR_NOT_SUPPORTED, as a kernel object's name goes with its last handle.
 * ====================================================================================== */

/* shmlink_object_list flags */
#define SHMLINK_LIST_ALL_USERS 0x1u /* also Global\ objects of other users that this user may not
                                     * open, and, for a user allowed to read them (root), other
                                     * users' Local\ objects (SHMLINK_OBJECT_OTHER_USER) */

/* shmlink_object_description.flags */
#define SHMLINK_OBJECT_STALE 0x1u           /* no process holds it: what dead processes left */
#define SHMLINK_OBJECT_UNREADABLE 0x2u      /* this user may not read it: kind and state unknown */
#define SHMLINK_OBJECT_CORRUPT 0x4u         /* its shared state failed the library's checks */
#define SHMLINK_OBJECT_FILE_BACKED 0x8u     /* a segment whose data lives in a file */
#define SHMLINK_OBJECT_OTHER_USER 0x10u     /* another user's Local\ object (name not openable) */
#define SHMLINK_OBJECT_MUTEX_HELD 0x20u     /* a mutex that a thread holds (mutex_owner_tid) */
#define SHMLINK_OBJECT_MUTEX_ABANDONED 0x40u /* ... and that thread is gone: the next lock gives ABANDONED */
#define SHMLINK_OBJECT_QUEUE_PARTIAL 0x80u  /* channel_messages_queued counts only the first
                                             * SHMLINK_DESCRIBE_MAX_RECORDS records */
#define SHMLINK_OBJECT_INCOMPATIBLE 0x100u  /* made by a library of another layout version */

/* shmlink_object_peer.flags */
#define SHMLINK_PEER_SENDER 0x1u
#define SHMLINK_PEER_RECEIVER 0x2u
#define SHMLINK_PEER_ALIVE 0x4u /* its process still holds the attachment (else it died) */

#define SHMLINK_DESCRIBE_MAX_PIDS 16u
#define SHMLINK_DESCRIBE_MAX_PEERS 32u
#define SHMLINK_DESCRIBE_MAX_RECORDS 100000u
#define SHMLINK_UNKNOWN 0xFFFFFFFFu /* a count or id the library could not learn */

/* One attached channel handle. */
typedef struct shmlink_object_peer {
  uint32_t pid;   /* its process, or 0 when not known */
  uint32_t flags; /* SHMLINK_PEER_* */
} shmlink_object_peer;

/* What shmlink_object_describe and shmlink_object_list give for one object. Set struct_size to
 * sizeof(shmlink_object_description) before the call: later versions only append fields, and
 * fill no more than struct_size bytes, so a program built against this header keeps working
 * with later libraries. Fields that do not apply to the object's kind are 0. The layout is the
 * same on 32-bit and 64-bit systems (688 bytes in 1.4). */
typedef struct shmlink_object_description {
  uint32_t struct_size;  /* in: sizeof(shmlink_object_description); out: the bytes filled */
  int32_t kind;          /* SHMLINK_KIND_*, or 0 when unknown (UNREADABLE, CORRUPT) */
  uint32_t flags;        /* SHMLINK_OBJECT_* */
  uint32_t owner_uid;    /* the user who made it (Linux uid) */
  uint32_t share_flags;  /* SHMLINK_SHARE_GROUP / SHMLINK_SHARE_ALL_USERS, as its permissions say */
  uint32_t holder_count; /* processes that hold it open (handles or views), or SHMLINK_UNKNOWN */
  uint32_t holder_pids[SHMLINK_DESCRIBE_MAX_PIDS]; /* the first holder_count of them */
  uint64_t size;            /* segment: its bytes; channel: its ring's bytes; else 0 */
  uint64_t created_unix_ms; /* when it was made (ms since 1970), or 0 when unknown */
  char name[216];           /* "Local\\..." or "Global\\...", NUL-terminated */
  /* SHMLINK_KIND_SIGNAL */
  uint32_t signal_set;          /* 1 set, 0 reset */
  uint32_t signal_manual_reset; /* 1 manual-reset, 0 auto-reset */
  /* SHMLINK_KIND_MUTEX (with SHMLINK_OBJECT_MUTEX_HELD / _ABANDONED) */
  uint32_t mutex_owner_tid; /* the holding thread's id, 0 when free */
  uint32_t mutex_recursion; /* how many times the owner holds it */
  /* SHMLINK_KIND_SEMAPHORE */
  uint32_t semaphore_count;
  uint32_t semaphore_max;
  /* SHMLINK_KIND_CHANNEL */
  uint32_t channel_max_message;     /* bytes */
  uint32_t channel_senders;         /* attached sending handles (dead ones not yet noticed included) */
  uint32_t channel_receivers;       /* attached receiving handles (likewise) */
  uint32_t channel_messages_queued; /* committed messages no receiver has taken yet */
  uint64_t channel_bytes_queued;    /* ring bytes those messages and the ones being written take */
  uint32_t channel_peer_count;      /* attached handles; the first SHMLINK_DESCRIBE_MAX_PEERS follow */
  uint32_t reserved0;
  shmlink_object_peer channel_peers[SHMLINK_DESCRIBE_MAX_PEERS];
  /* Channel counters since it was made, kept by its peers of 1.4 and later (a peer of an
   * earlier library counts nothing: its messages are missing from them). Statistics that any peer may write: shown,
   * never relied on. */
  uint64_t channel_messages_sent;
  uint64_t channel_bytes_sent;
  uint64_t channel_sends_waited;    /* sends and reserves that found no room and waited */
  uint64_t channel_messages_received;
  uint64_t channel_bytes_received;
  uint64_t channel_receives_waited; /* receives and peeks that found nothing and waited */
  uint64_t channel_peers_died;      /* attachments counted out after their process died */
} shmlink_object_description;

/* Every object this user can see (since 1.4): this user's Local\ objects, and the Global\
 * objects this user may open (with SHMLINK_LIST_ALL_USERS, see above, every one). Fills up to
 * `capacity` descriptions of `element_size` bytes each (sizeof(shmlink_object_description),
 * or that of an earlier header) at `out_descriptions`, and sets *out_count to how many it
 * found. Objects come and go: call again with more room on BUFFER_TOO_SMALL.
 * Fails: INVALID_ARGUMENT (NULL out_count, NULL out_descriptions with capacity > 0,
 * element_size below the 1.4 size, 688, unknown flags), BUFFER_TOO_SMALL (more objects than
 * `capacity`: the first `capacity` are filled and *out_count says how many there are),
 * NOT_SUPPORTED (Windows without the ntdll calls it needs), SYSTEM. */
SHMLINK_API shmlink_status SHMLINK_CALL shmlink_object_list(uint32_t flags, void* out_descriptions,
                                                          uint32_t element_size, uint32_t capacity,
                                                          uint32_t* out_count);

/* Describes the object `name` (since 1.4) without opening it: set
 * out_description->struct_size first.
 * Fails: INVALID_ARGUMENT (NULL out_description, struct_size below the 1.4 size),
 * INVALID_NAME, NOT_FOUND, SYSTEM. An object that exists but cannot
 * be read or fails validation is described (SHMLINK_OBJECT_UNREADABLE / _CORRUPT), not
 * refused. */
SHMLINK_API shmlink_status SHMLINK_CALL shmlink_object_describe(const char* name,
                                                              shmlink_object_description* out_description);

/* shmlink_object_remove flags */
#define SHMLINK_REMOVE_FORCE 0x1u /* remove the name even while processes hold the object */

/* Removes the name `name` (since 1.4), as the last close of its object would, so that it is
 * free for a new object. Without SHMLINK_REMOVE_FORCE only an object no process holds any
 * more (SHMLINK_OBJECT_STALE) is removed. With it, holders keep the object they have (their
 * handles and views go on working, but nobody can open it by name any more). Only provable
 * shmlink objects of this user are removed.
 * Fails: INVALID_ARGUMENT (unknown flags), INVALID_NAME, NOT_FOUND, ACCESS_DENIED (processes
 * still hold it and FORCE was not given: the message names them; or the object is not this
 * user's or not a shmlink object), NOT_SUPPORTED (Windows, where an object's name lives as
 * long as its handles), SYSTEM. */
SHMLINK_API shmlink_status SHMLINK_CALL shmlink_object_remove(const char* name, uint32_t flags);

/* Removes every object of this user that no process holds any more (since 1.4): what
 * crashed processes left. Creates do this a little at a time anyway; this does all of it at
 * once. Only provable shmlink objects are removed. *out_removed (may be NULL) is how many.
 * Fails: INVALID_ARGUMENT (flags not 0), NOT_SUPPORTED (Windows, where the kernel frees them). */
SHMLINK_API shmlink_status SHMLINK_CALL shmlink_object_collect(uint32_t flags, uint32_t* out_removed);

/* ======================================================================================
 * Handing objects to other processes (since 1.4): DuplicateHandle and inherited handles
 *
 * An object, named or not, can be given to a child process the application starts, or to a
 * running process that agrees to take it, without a name: shmlink_handle_share makes a short
 * token (a string to put on the child's command line or in its environment, or to send), and
 * shmlink_handle_from_token in the receiving process turns it into a handle of the same
 * object, with the same rights or fewer. In 1.4 segments can be handed on (other kinds:
 * NOT_SUPPORTED; named ones can be opened by name).
 *
 * To a child:   token = share(h, 0); start the child with the token; unshare(token).
 *               The child: from_token(token, 0, &h).
 * To a running process (it must agree, and the OS must let it take from this process):
 *               token = share(h, SHMLINK_HANDOFF_RUNNING_PROCESS); send the token; wait for
 *               the receiver to say it has it; unshare(token).
 *               The receiver: from_token(token, SHMLINK_HANDOFF_RUNNING_PROCESS, &h).
 *
 * Linux: the token names a descriptor of the sharing process, with its device and inode
 * numbers, which the receiver checks, so a forged or stale token is refused rather than
 * mapping some other file. For a child it is a descriptor without O_CLOEXEC, so EVERY child
 * started (by any thread) between share and unshare inherits it: share right before starting
 * the child and unshare right after. The library's own descriptors stay O_CLOEXEC, so no
 * other child ever gets an object. The child takes the inherited descriptor over (closes it),
 * so a token is good for one from_token. A running process takes a copy with
 * pidfd_open/pidfd_getfd (Linux 5.6), which needs the right to ptrace the sharer (the same
 * user, or CAP_SYS_PTRACE; with Yama ptrace_scope 1, only a parent taking from its
 * descendant): otherwise ACCESS_DENIED. Such a token is good until unshared, for as many
 * takes as come. An unnamed segment's memfd is sealed against shrinking and growing when it
 * is first shared. A named segment handed on keeps its memory for the receiver, but not its
 * name: the name goes when the last process that opened it by name closes it.
 * Windows: the token carries a HANDLE value duplicated from the object's, inheritable (for a
 * child started with bInheritHandle TRUE) or not (RUNNING_PROCESS: the receiver duplicates it
 * out of the sharer with DuplicateHandle, which needs PROCESS_DUP_HANDLE on it).
 * ====================================================================================== */

/* shmlink_handle_share and shmlink_handle_from_token flags */
#define SHMLINK_HANDOFF_READ_ONLY 0x1u       /* the receiver gets read access only */
#define SHMLINK_HANDOFF_RUNNING_PROCESS 0x2u /* not inherited: a running process takes it */

/* A token, with its terminating NUL, never needs more bytes than this. */
#define SHMLINK_TOKEN_MAX_BYTES 128u

/* Makes a token for the object of `handle` (since 1.4), written NUL-terminated to `out_token`
 * (capacity bytes; SHMLINK_TOKEN_MAX_BYTES always suffice); *out_length (may be NULL) is its
 * length without the NUL. The token keeps the object alive until it is taken by a child or
 * unshared, even if `handle` is closed. flags: SHMLINK_HANDOFF_READ_ONLY,
 * SHMLINK_HANDOFF_RUNNING_PROCESS.
 * Fails: INVALID_ARGUMENT (NULL out_token, unknown flags), BAD_HANDLE, BUFFER_TOO_SMALL
 * (nothing is shared), NOT_SUPPORTED (a kind that cannot be handed on), NO_RESOURCES
 * (descriptors or handles), SYSTEM. */
SHMLINK_API shmlink_status SHMLINK_CALL shmlink_handle_share(shmlink_handle handle, uint32_t flags,
                                                           char* out_token, uint32_t capacity,
                                                           uint32_t* out_length);

/* Closes what shmlink_handle_share made for `token` in this process (since 1.4): call it once
 * the child has started (its copy is its own) or the receiver has taken the object, or when
 * neither will happen.
 * Fails: INVALID_ARGUMENT (NULL or malformed token), NOT_FOUND (not a token this process
 * shared, or unshared or taken in this process already). */
SHMLINK_API shmlink_status SHMLINK_CALL shmlink_handle_unshare(const char* token);

/* A handle of the object a token names (since 1.4): in a child, from what it inherited; with
 * SHMLINK_HANDOFF_RUNNING_PROCESS, taken from the sharing process. SHMLINK_HANDOFF_READ_ONLY
 * asks for read access only. The handle has the rights the sharer gave, or fewer.
 * Fails: INVALID_ARGUMENT (NULL arguments, unknown flags, a malformed token or one of another
 * OS), NOT_FOUND (the token's descriptor or handle is not in this process, or is not the
 * object it names: used already, unshared, made for another process, or forged; the sharer
 * is gone), ACCESS_DENIED (the OS lets this process not take from the sharer: another user;
 * rights the descriptor does not have), NOT_SUPPORTED (the OS cannot take from a running
 * process: Linux before 5.6), CORRUPT, SYSTEM. */
SHMLINK_API shmlink_status SHMLINK_CALL shmlink_handle_from_token(const char* token, uint32_t flags,
                                                                shmlink_handle* out_handle);

/* An address range free for `size` bytes in this process (since 1.4), to try with
 * shmlink_map_at here and in other processes, for views at the same address everywhere. The
 * address is a multiple of shmlink_allocation_granularity() (64 KiB on Windows, the page size
 * on Linux) chosen at random high in the address space (on 64-bit systems; where another
 * process's own mappings rarely are), and nothing is kept there: another thread may map
 * there before you do.
 * Protocol: one process calls this, maps its view there with shmlink_map_at, and sends the
 * address to the others; each maps there too and says whether it could. One that gets
 * ALREADY_EXISTS (something of its own is there) makes everyone start again with a new
 * address (a few rounds; it found no common range if it keeps failing). Pointers stored in
 * the memory hold only in processes that mapped it at the same address: store offsets where
 * you can.
 * Fails: INVALID_ARGUMENT (NULL out_address, size 0), NO_RESOURCES (no free range that
 * large). */
SHMLINK_API shmlink_status SHMLINK_CALL shmlink_find_free_range(uint64_t size, void** out_address);

/* ======================================================================================
 * Runtime loading (LoadLibrary / dlopen users and plugin hosts)
 * ====================================================================================== */

/* The ABI major this header describes; pass it to shmlink_get_api. */
#define SHMLINK_ABI_MAJOR 1

/* One function pointer per exported function, in a fixed order; new members are only ever
 * appended, so check struct_size before using a member added after your header's version. */
typedef struct shmlink_api {
  uint32_t struct_size;    /* sizeof(shmlink_api) of the loaded library */
  uint32_t version_number; /* shmlink_version_number() of the loaded library */
  /* Library */
  uint32_t(SHMLINK_CALL* version_number_fn)(void);
  const char*(SHMLINK_CALL* version_string)(void);
  const char*(SHMLINK_CALL* status_name)(shmlink_status status);
  const char*(SHMLINK_CALL* last_error_message)(void);
  int32_t(SHMLINK_CALL* last_os_error)(void);
  uint64_t(SHMLINK_CALL* allocation_granularity)(void);
  int32_t(SHMLINK_CALL* handle_kind)(shmlink_handle handle);
  shmlink_status(SHMLINK_CALL* close)(shmlink_handle handle);
  /* Segments and views */
  shmlink_status(SHMLINK_CALL* segment_create)(const char* name, uint64_t size, uint32_t flags,
                                               shmlink_handle* out_segment);
  shmlink_status(SHMLINK_CALL* segment_open)(const char* name, uint32_t access,
                                             shmlink_handle* out_segment);
  shmlink_status(SHMLINK_CALL* segment_from_file)(const char* path, const char* name,
                                                  uint64_t size, uint32_t access, uint32_t flags,
                                                  shmlink_handle* out_segment);
  shmlink_status(SHMLINK_CALL* segment_size)(shmlink_handle segment, uint64_t* out_size);
  shmlink_status(SHMLINK_CALL* map)(shmlink_handle segment, uint64_t offset, uint64_t length,
                                    uint32_t access, shmlink_handle* out_view, void** out_address);
  shmlink_status(SHMLINK_CALL* unmap)(shmlink_handle view);
  shmlink_status(SHMLINK_CALL* flush)(shmlink_handle view);
  shmlink_status(SHMLINK_CALL* view_info)(shmlink_handle view, void** out_address,
                                          uint64_t* out_length);
  /* Signals, mutexes, semaphores, waits (version 1.1) */
  shmlink_status(SHMLINK_CALL* signal_create)(const char* name, uint32_t flags, shmlink_handle* out_signal);
  shmlink_status(SHMLINK_CALL* signal_open)(const char* name, shmlink_handle* out_signal);
  shmlink_status(SHMLINK_CALL* signal_set)(shmlink_handle signal);
  shmlink_status(SHMLINK_CALL* signal_reset)(shmlink_handle signal);
  shmlink_status(SHMLINK_CALL* mutex_create)(const char* name, uint32_t flags, shmlink_handle* out_mutex);
  shmlink_status(SHMLINK_CALL* mutex_open)(const char* name, shmlink_handle* out_mutex);
  shmlink_status(SHMLINK_CALL* mutex_lock)(shmlink_handle mutex, uint32_t timeout_ms);
  shmlink_status(SHMLINK_CALL* mutex_unlock)(shmlink_handle mutex);
  shmlink_status(SHMLINK_CALL* semaphore_create)(const char* name, uint32_t initial_count, uint32_t max_count,
                                                 uint32_t flags, shmlink_handle* out_semaphore);
  shmlink_status(SHMLINK_CALL* semaphore_open)(const char* name, shmlink_handle* out_semaphore);
  shmlink_status(SHMLINK_CALL* semaphore_release)(shmlink_handle semaphore, uint32_t count,
                                                  uint32_t* out_previous_count);
  shmlink_status(SHMLINK_CALL* wait)(shmlink_handle waitable, uint32_t timeout_ms);
  shmlink_status(SHMLINK_CALL* wait_any)(const shmlink_handle* handles, uint32_t count, uint32_t timeout_ms,
                                         uint32_t* out_index);
  /* Channels (version 1.2) */
  shmlink_status(SHMLINK_CALL* channel_create)(const char* name, uint64_t capacity_bytes,
                                               uint32_t max_message_bytes, uint32_t flags,
                                               shmlink_handle* out_channel);
  shmlink_status(SHMLINK_CALL* channel_open)(const char* name, uint32_t flags, shmlink_handle* out_channel);
  shmlink_status(SHMLINK_CALL* channel_send)(shmlink_handle channel, const void* data, uint32_t length,
                                             uint32_t timeout_ms);
  shmlink_status(SHMLINK_CALL* channel_receive)(shmlink_handle channel, void* buffer, uint32_t capacity,
                                                uint32_t* out_length, uint32_t timeout_ms);
  shmlink_status(SHMLINK_CALL* channel_reserve)(shmlink_handle channel, uint32_t length, uint32_t timeout_ms,
                                                void** out_buffer);
  shmlink_status(SHMLINK_CALL* channel_commit)(shmlink_handle channel, uint32_t length);
  shmlink_status(SHMLINK_CALL* channel_peek)(shmlink_handle channel, uint32_t timeout_ms,
                                             const void** out_data, uint32_t* out_length);
  shmlink_status(SHMLINK_CALL* channel_consume)(shmlink_handle channel);
  /* Version 1.3 */
  shmlink_status(SHMLINK_CALL* channel_cancel)(shmlink_handle channel);
  shmlink_status(SHMLINK_CALL* channel_info)(shmlink_handle channel, uint32_t* out_max_message_bytes,
                                             uint64_t* out_capacity_bytes, uint32_t* out_roles);
  /* Version 1.4 */
  shmlink_status(SHMLINK_CALL* release_range)(void* address);
  shmlink_status(SHMLINK_CALL* channel_waitable)(shmlink_handle channel, uint32_t condition,
                                                 shmlink_handle* out_waitable);
  shmlink_status(SHMLINK_CALL* channel_receive_whole)(shmlink_handle channel, void* buffer, uint32_t capacity,
                                                      uint32_t* out_length, uint32_t timeout_ms);
  shmlink_status(SHMLINK_CALL* map_at)(shmlink_handle segment, uint64_t offset, uint64_t length,
                                       uint32_t access, void* address, shmlink_handle* out_view);
  /* Version 1.4: batches */
  shmlink_status(SHMLINK_CALL* channel_send_batch)(shmlink_handle channel, const shmlink_channel_message* messages,
                                                   uint32_t count, uint32_t timeout_ms, uint32_t* out_sent);
  shmlink_status(SHMLINK_CALL* channel_receive_batch)(shmlink_handle channel, shmlink_channel_message* messages,
                                                      uint32_t count, uint32_t timeout_ms, uint32_t* out_received);
  shmlink_status(SHMLINK_CALL* channel_reserve_batch)(shmlink_handle channel, shmlink_channel_message* messages,
                                                      uint32_t count, uint32_t timeout_ms, uint32_t* out_reserved);
  shmlink_status(SHMLINK_CALL* channel_commit_batch)(shmlink_handle channel, const shmlink_channel_message* messages,
                                                     uint32_t count);
  shmlink_status(SHMLINK_CALL* channel_peek_batch)(shmlink_handle channel, shmlink_channel_message* messages,
                                                   uint32_t count, uint32_t timeout_ms, uint32_t* out_peeked);
  shmlink_status(SHMLINK_CALL* channel_consume_batch)(shmlink_handle channel, uint32_t count);
  /* Version 1.4, inspection */
  shmlink_status(SHMLINK_CALL* object_list)(uint32_t flags, void* out_descriptions, uint32_t element_size,
                                            uint32_t capacity, uint32_t* out_count);
  shmlink_status(SHMLINK_CALL* object_describe)(const char* name, shmlink_object_description* out_description);
  shmlink_status(SHMLINK_CALL* object_remove)(const char* name, uint32_t flags);
  shmlink_status(SHMLINK_CALL* object_collect)(uint32_t flags, uint32_t* out_removed);
  /* Version 1.4, handing objects to other processes */
  shmlink_status(SHMLINK_CALL* handle_share)(shmlink_handle handle, uint32_t flags, char* out_token,
                                             uint32_t capacity, uint32_t* out_length);
  shmlink_status(SHMLINK_CALL* handle_unshare)(const char* token);
  shmlink_status(SHMLINK_CALL* handle_from_token)(const char* token, uint32_t flags, shmlink_handle* out_handle);
  shmlink_status(SHMLINK_CALL* find_free_range)(uint64_t size, void** out_address);
  /* Version 1.4, pub/sub */
  shmlink_status(SHMLINK_CALL* channel_lost)(shmlink_handle channel, uint64_t* out_lost);
} shmlink_api;

/* The table of this library's functions for ABI major `abi_major` (pass SHMLINK_ABI_MAJOR),
 * or NULL if the library does not support that major. The table is static; never free it. */
SHMLINK_API const shmlink_api* SHMLINK_CALL shmlink_get_api(uint32_t abi_major);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SHMLINK_H */
