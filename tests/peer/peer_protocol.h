// What the peer helper (shmlink_peer) and the tests that start it agree on.
//
//   shmlink_peer create NAME SIZE [TEXT]    creates NAME (CREATE_NEW), writes TEXT at offset 0,
//                                           prints "ready", holds it until stdin closes
//   shmlink_peer hold NAME [ACCESS]         opens NAME (ACCESS: read, rw, cow; default rw),
//                                           prints "ready", holds it until stdin closes
//   shmlink_peer hold-view NAME             opens NAME, maps all of it, closes the segment
//                                           handle, prints "ready", holds the view only
//   shmlink_peer write NAME OFFSET TEXT     opens NAME, writes TEXT at OFFSET, prints "done"
//   shmlink_peer read NAME OFFSET LENGTH    opens NAME read-only, prints "data " and the bytes
//                                           (printable ASCII as is, others as \xNN)
//   shmlink_peer open NAME [ACCESS]         opens NAME, prints "opened", closes it
//
// A holder prints "closed" after letting go. On a failure the peer prints
// "error STATUS_NAME: message" and exits with peer_exit_code(status); usage errors exit 2.
#pragma once

#include <shmlink/shmlink.h>

namespace shmlink_test {

constexpr int kPeerUsageError = 2;

// 0 for success, 100 - status for a failure (SHMLINK_ERR_NOT_FOUND: 103).
constexpr int peer_exit_code(shmlink_status status) { return status >= 0 ? 0 : 100 - status; }

}  // namespace shmlink_test
