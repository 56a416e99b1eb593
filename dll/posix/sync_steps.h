// Named instants inside the sync objects' algorithms (signals, semaphores, mutexes, waits)
// where the sync step peer (tests/peer/sync_step/sync_step_peer.cpp, a copy of the library
// compiled with SHMLINK_SYNC_STEPS) stops itself, so that a test can kill it or keep it
// stopped exactly there, between two stores no call of the library separates. In the library
// they are nothing at all.
#pragma once

#ifdef SHMLINK_SYNC_STEPS
namespace shmlink::posix {
void sync_step(const char* step);
}  // namespace shmlink::posix
#define SHMLINK_SYNC_STEP(step) ::shmlink::posix::sync_step(step)
#else
#define SHMLINK_SYNC_STEP(step) static_cast<void>(0)
#endif
