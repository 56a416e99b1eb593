// What the peer helper (shmlink_peer) and the tests that start it agree on.
//
//   shmlink_peer create NAME SIZE [TEXT]    creates NAME (CREATE_NEW), writes TEXT at offset 0,
//                                           prints "ready", holds it until stdin closes
//   shmlink_peer hold NAME [ACCESS]         opens NAME (ACCESS: read, rw, cow; default rw),
//                                           prints "ready", holds it until stdin closes
//   shmlink_peer hold-view NAME             opens NAME, maps all of it, closes the segment
//                                           handle, prints "ready", holds the view only
//   shmlink_peer write NAME OFFSET TEXT     opens NAME, writes TEXT at OFFSET, prints "done"
//   shmlink_peer follow-list NAME ADDRESS  maps NAME read-only at ADDRESS (decimal) and prints
//                                           "list V1 V2 ...": the values of the {next, value}
//                                           nodes linked by plain pointers from its start
//   shmlink_peer read NAME OFFSET LENGTH    opens NAME read-only, prints "data " and the bytes
//                                           (printable ASCII as is, others as \xNN)
//   shmlink_peer open NAME [ACCESS]         opens NAME, prints "opened", closes it
//
// Signals, mutexes, semaphores:
//   shmlink_peer signal-create NAME [manual] [set]
//                                           creates signal NAME (CREATE_NEW; auto-reset and
//                                           unset unless told), prints "ready", holds it
//                                           until stdin closes
//   shmlink_peer signal-wait NAME TIMEOUT_MS
//                                           opens signal NAME, prints "ready", waits on it
//                                           (TIMEOUT_MS: a number or "infinite"), prints
//                                           "wait STATUS_NAME" ("wait SHMLINK_OK")
//   shmlink_peer signal-set NAME            opens signal NAME, sets it, prints "done"
//   shmlink_peer mutex-wait-any NAME SIGNAL TIMEOUT_MS
//                                           opens mutex NAME and signal SIGNAL, prints
//                                           "ready", waits for either (shmlink_wait_any),
//                                           prints "wait STATUS_NAME INDEX" and unlocks the
//                                           mutex if it got it
//   shmlink_peer semaphore-wait NAME TIMEOUT_MS
//                                           as signal-wait, on semaphore NAME
//   shmlink_peer semaphore-release NAME COUNT
//                                           opens semaphore NAME, releases COUNT, prints
//                                           "done PREVIOUS_COUNT"
//   shmlink_peer mutex-hold NAME [LEVELS]   opens mutex NAME, locks it (no time limit),
//                                           prints "locked STATUS_NAME" ("locked SHMLINK_OK",
//                                           "locked SHMLINK_ABANDONED"), locks it LEVELS - 1
//                                           more times (recursively; LEVELS is 1 unless
//                                           given), holds it until stdin closes, then
//                                           unlocks every level
//   shmlink_peer mutex-count MUTEX SEGMENT ITERATIONS [START_SIGNAL]
//                                           opens mutex MUTEX and segment SEGMENT, prints
//                                           "ready", waits for signal START_SIGNAL if given,
//                                           then ITERATIONS times: lock, increment the
//                                           64-bit counter at offset 0 of SEGMENT with a
//                                           plain read and write, unlock; prints "counted"
//
// Truncation (Linux only; tests/truncation_test.cpp):
//   shmlink_peer truncation KIND NAME       creates NAME (CREATE_NEW) of KIND: signal (auto-
//                                           reset), semaphore (0 of 10), mutex, channel (both
//                                           roles, 64 KiB, 64-byte messages), segment (3 pages,
//                                           mapped whole), or file-segment (an unnamed segment
//                                           of the existing file NAME, mapped whole); prints
//                                           "ready", then runs one command per stdin line and
//                                           prints "COMMAND STATUS_NAME" for each: set, reset,
//                                           release, unlock, lock 0, lock infinite, wait (timeout
//                                           0), wait-infinite, send (64 bytes, timeout 0),
//                                           receive, receive-infinite, reserve (64 bytes),
//                                           commit, peek, consume, view-info, flush,
//                                           reopen NAME (segment_open read-only, closed again);
//                                           write-reserved and write-view write the reserved
//                                           message or the whole view ("... done"),
//                                           read-peeked prints "read-peeked done SUM",
//                                           read-view "read-view nonzero COUNT"; close closes
//                                           the view and the object (printing their statuses),
//                                           then "closed"
//   shmlink_peer foreign-sigbus MODE FILE   makes an unnamed segment of FILE (4096 bytes) so
//                                           that the library's SIGBUS handler is installed,
//                                           maps a file of its own (FILE.own), truncates it,
//                                           prints "ready" and reads past its end; MODE
//                                           handler: with a SIGBUS handler of its own
//                                           installed first, which must get the fault
//                                           ("survived 1"); default: without one (the fault
//                                           must kill the peer); sent: raise(SIGBUS) reaches
//                                           its own handler ("survived 1")
//
// Soak (tests/reliability/soak_test.cpp; the ledger is peer/soak_ledger.h):
//   shmlink_peer soak-send CHANNEL LEDGER SENDER
//                                           opens CHANNEL as a sender and segment LEDGER,
//                                           prints "ready", sends messages 0 .. kPerSender - 1
//                                           of SENDER (copied and zero-copy in turn, retrying
//                                           on TIMEOUT and CLOSED), recording each success in
//                                           the ledger, then prints "sent N"
//   shmlink_peer soak-receive CHANNEL LEDGER
//                                           opens CHANNEL as a receiver and LEDGER, prints
//                                           "ready", receives (copy and peek in turn) and checks
//                                           every message (intact, in order per sender, sent,
//                                           not received before), marking it in the ledger;
//                                           once stdin closes, prints "received N" at the first
//                                           CLOSED. Both die with the test (Linux: parent-death
//                                           signal).
//
// A holder prints "closed" after letting go. On a failure the peer prints
// "error STATUS_NAME: message" and exits with peer_exit_code(status); usage errors exit 2.
// A wait's outcome (also TIMEOUT) is a result, not a failure: it is printed, exit code 0.
#pragma once

#include <shmlink/shmlink.h>

namespace shmlink_test {

constexpr int kPeerUsageError = 2;

// 0 for success, 100 - status for a failure (SHMLINK_ERR_NOT_FOUND: 103).
constexpr int peer_exit_code(shmlink_status status) { return status >= 0 ? 0 : 100 - status; }

}  // namespace shmlink_test
