// Surviving the truncation of a shared object's file (issue 12, point 3).
//
// Every object is a file in /dev/shm (a file-backed segment's data is the user's file), and
// whoever can map it read-write can also ftruncate it: no permission keeps a peer with access
// from doing it. An access to a mapped page past the file's new end raises SIGBUS, whose
// default action kills the process: a process that did nothing wrong would die inside
// shmlink_signal_set or shmlink_channel_send. So the library survives it:
//
//  - Every mapping of shared state the library makes (the objects' own mappings, and the
//    views it hands out) is a GuardedRegion: registered, while it exists, in a table that a
//    signal handler can read without locks.
//  - A process-wide SIGBUS handler, installed when the first region is registered, looks the
//    faulting address up. Inside a region it maps anonymous zero pages over the rest of that
//    region (from the faulting page to its end), marks the region truncated and returns: the
//    access is made again and succeeds, on zeros. Every other SIGBUS goes on to the handler
//    installed before ours (the JVM's, the CLR's, a sanitizer's, the program's own), or gets
//    the default action (death) if there was none.
//  - Every library operation checks its object's mark before it starts and after it ends
//    (also when it failed), and reports SHMLINK_ERR_CORRUPT from the first truncation on.
//
// Why zero pages rather than jumping out of the fault (siglongjmp): the faulting code may hold
// locks (the channel's shared locks, a std::mutex, the allocator's) that a jump would leave
// held, and skip destructors. An access that reads zeros instead lets the operation finish
// normally: every value read from shared memory is checked anyway (a hostile peer could have
// written those zeros), so zeros cannot make it overrun; they can only make it return a
// wrong result, which the check afterwards replaces with CORRUPT.
//
// Waits: a process that sleeps on a futex word of a truncated file is woken by nobody any
// more (a waker's futex call on a lost page fails, and a peer that took our path writes to
// its own zero page). So every wait that would sleep without end wakes every
// kLostMemoryCheckMs to look at its object again: the look meets the truncation, and the wait
// returns CORRUPT.
//
// Limits: only accesses made inside a region are guarded, and only while our handler is the
// one installed (a program that installs its own SIGBUS handler after the library's first
// mapping must pass on the faults it does not know, as ours does). After a fork, the child
// has the parent's table, which matches the mappings it inherited.
#pragma once

#include "../core/error.h"

#include <cstddef>
#include <cstdint>
#include <utility>

namespace shmlink::posix {

struct GuardSlot;  // sigbus_guard.cpp

// How often a wait that has no deadline wakes to look at its objects again (see above).
inline constexpr uint32_t kLostMemoryCheckMs = 1000;

// A mapping [base, base + length) of shared state, guarded against truncation of its file
// for as long as this object lives: create it right after mmap, destroy it right before munmap.
class GuardedRegion {
 public:
  // `protection`: the mapping's PROT_* bits, which the zero pages get too. Throws
  // Failure(NO_RESOURCES) if no memory for the table is left.
  GuardedRegion(void* base, size_t length, int protection);
  ~GuardedRegion();
  GuardedRegion(const GuardedRegion&) = delete;
  GuardedRegion& operator=(const GuardedRegion&) = delete;

  // Whether an access met the end of a truncated file (from that page to the region's end,
  // the region holds zero pages of this process's own), or mark_truncated() was called.
  bool truncated() const noexcept;
  // For a truncation found without an access (the file is shorter than the region): accesses
  // to the lost pages are still survived when they come, and operations report it from now on.
  void mark_truncated() noexcept;
  // Throws Failure(CORRUPT) if truncated(); `what` names the object ("the signal").
  void check(const char* what) const;
  // For a mapping that stays mapped until the process exits: it stays guarded too.
  void keep_forever() noexcept { keep_ = true; }

 private:
  GuardSlot* slot_;
  bool keep_ = false;
};

// Runs `operation` between two checks of `region` (core/error.h: between_checks), so that
// whatever the operation made of the zeros it read is reported as the truncation it was.
template <class Operation>
auto while_intact(const GuardedRegion& region, const char* what, Operation&& operation) {
  return between_checks([&] { region.check(what); }, std::forward<Operation>(operation));
}

}  // namespace shmlink::posix
