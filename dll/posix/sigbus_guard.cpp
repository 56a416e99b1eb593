#include "sigbus_guard.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <new>
#include <string>

namespace shmlink::posix {

// One registered region. Registering and unregistering threads change it under `sequence`
// (odd while a change is under way); the signal handler reads it without any lock and
// trusts only what it read between two equal, even values of `sequence`. Every field is a
// lock-free atomic: nothing else may be touched from a signal handler.
struct GuardSlot {
  std::atomic<bool> taken{false};  // owned by a GuardedRegion (set and cleared by it alone)
  std::atomic<uint32_t> sequence{0};
  std::atomic<uintptr_t> begin{0};
  std::atomic<uintptr_t> end{0};  // 0: nothing registered
  std::atomic<int> protection{0};
  std::atomic<bool> truncated{false};
};

namespace {

static_assert(std::atomic<uintptr_t>::is_always_lock_free && std::atomic<uint32_t>::is_always_lock_free &&
                  std::atomic<int>::is_always_lock_free && std::atomic<bool>::is_always_lock_free,
              "the signal handler reads the table through lock-free atomics only");

// The table: chunks of slots in a list that only grows. A chunk is never freed, since the
// handler may be reading it at any moment; a process holds as many as it ever had regions at
// once (a few KiB per 128 regions).
constexpr size_t kSlotsPerChunk = 128;
struct SlotChunk {
  GuardSlot slots[kSlotsPerChunk];
  std::atomic<SlotChunk*> next{nullptr};
};
SlotChunk first_chunk;  // constant-initialized: usable before any constructor runs

// Set once, before the handler is installed (sysconf is not async-signal-safe).
std::atomic<uintptr_t> page_bytes{4096};

// The SIGBUS action that was installed before ours, to which every fault that is not ours
// goes. Published before our handler is installed, so the handler always finds it.
struct sigaction previous_action;
std::atomic<bool> previous_published{false};
// The previous action had SA_RESETHAND and has run once: it is SIG_DFL from now on.
std::atomic<bool> previous_spent{false};

GuardSlot* claim_slot() {
  SlotChunk* chunk = &first_chunk;
  for (;;) {
    for (GuardSlot& slot : chunk->slots) {
      bool free = false;
      if (!slot.taken.load(std::memory_order_relaxed) &&
          slot.taken.compare_exchange_strong(free, true, std::memory_order_acquire))
        return &slot;
    }
    SlotChunk* next = chunk->next.load(std::memory_order_acquire);
    if (next == nullptr) {
      auto* fresh = new (std::nothrow) SlotChunk;
      if (fresh == nullptr) fail(SHMLINK_ERR_NO_RESOURCES, "no memory to guard another mapping against truncation");
      if (chunk->next.compare_exchange_strong(next, fresh, std::memory_order_acq_rel)) {
        next = fresh;
      } else {
        delete fresh;  // another thread added one first: `next` is that one
      }
    }
    chunk = next;
  }
}

// Writes a slot's region (end 0: none) as the handler may read it at any moment. Every access
// to the slot's fields is sequentially consistent (no fences, which ThreadSanitizer does not
// model): a reader that sees any field's new value then sees the odd sequence, or a later one.
// Registering is rare and the handler runs once per fault, so the cost does not matter.
void write_slot(GuardSlot& slot, uintptr_t begin, uintptr_t end, int protection) {
  const uint32_t sequence = slot.sequence.load();
  slot.sequence.store(sequence + 1);
  slot.begin.store(begin);
  slot.end.store(end);
  slot.protection.store(protection);
  slot.truncated.store(false);
  slot.sequence.store(sequence + 2);
}

// ---- The signal handler: async-signal-safe from here to install_handler ----

// The registered region holding `address`, read consistently; null if none does. A slot that
// is being changed is passed over: its region is being registered (nobody uses it yet) or
// unregistered (nobody uses it any more), so it is not the one a fault came from.
GuardSlot* region_holding(uintptr_t address, uintptr_t* begin, uintptr_t* end, int* protection) {
  for (SlotChunk* chunk = &first_chunk; chunk != nullptr; chunk = chunk->next.load(std::memory_order_acquire)) {
    for (GuardSlot& slot : chunk->slots) {
      const uint32_t before = slot.sequence.load();
      if ((before & 1u) != 0) continue;
      *begin = slot.begin.load();
      *end = slot.end.load();
      *protection = slot.protection.load();
      if (slot.sequence.load() != before) continue;
      if (address >= *begin && address < *end) return &slot;
    }
  }
  return nullptr;
}

// If `address` lies in a registered region, puts zero pages from its page to the region's
// end in place of the lost ones and marks the region: true. mmap is a plain system call.
bool replace_lost_pages(uintptr_t address) {
  uintptr_t begin = 0;
  uintptr_t end = 0;
  int protection = 0;
  GuardSlot* slot = region_holding(address, &begin, &end, &protection);
  if (slot == nullptr) return false;
  uintptr_t page = address & ~(page_bytes.load(std::memory_order_relaxed) - 1);
  if (page < begin) page = begin;
  void* zeros = mmap(reinterpret_cast<void*>(page), end - page, protection, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS,
                     -1, 0);
  if (zeros == MAP_FAILED) return false;  // no memory for them: the fault stays fatal
  slot->truncated.store(true, std::memory_order_release);
  return true;
}

// A signal code of a fault, which happens again when the faulting access is made again
// (as opposed to a SIGBUS sent with kill or raise, or a memory error reported afterwards).
bool repeats_on_return(const siginfo_t* info) {
  if (info == nullptr) return false;
  switch (info->si_code) {
    case BUS_ADRALN:
    case BUS_ADRERR:
    case BUS_OBJERR:
#ifdef BUS_MCEERR_AR
    case BUS_MCEERR_AR:
#endif
      return true;
    default: return false;
  }
}

// What the kernel would have done without any handler: a fault kills the process (with a core
// dump showing the real fault: the access is made again under the default action); a signal
// someone sent is sent again, which kills it too.
void take_default_action(int signal, const siginfo_t* info) {
  struct sigaction action {};
  action.sa_handler = SIG_DFL;
  sigemptyset(&action.sa_mask);
  sigaction(signal, &action, nullptr);
  if (!repeats_on_return(info)) raise(signal);  // SA_NODEFER: delivered at once
}

// Passes a SIGBUS that is not ours on to the action that was there before, as the kernel
// would have run it: with its mask, and SIGBUS blocked unless it asked for SA_NODEFER.
void pass_on(int signal, siginfo_t* info, void* context) {
  if (!previous_published.load(std::memory_order_acquire) || previous_spent.load(std::memory_order_relaxed)) {
    take_default_action(signal, info);
    return;
  }
  const struct sigaction& previous = previous_action;
  if (previous.sa_handler == SIG_IGN) {
    // The kernel does not let a fault be ignored: it kills the process.
    if (repeats_on_return(info)) take_default_action(signal, info);
    return;
  }
  if (previous.sa_handler == SIG_DFL) {
    take_default_action(signal, info);
    return;
  }
  if ((previous.sa_flags & SA_RESETHAND) != 0) previous_spent.store(true, std::memory_order_relaxed);
  sigset_t mask = previous.sa_mask;
  if ((previous.sa_flags & SA_NODEFER) == 0) sigaddset(&mask, signal);
  sigset_t saved;
  pthread_sigmask(SIG_BLOCK, &mask, &saved);
  if ((previous.sa_flags & SA_SIGINFO) != 0) {
    previous.sa_sigaction(signal, info, context);
  } else {
    previous.sa_handler(signal);
  }
  pthread_sigmask(SIG_SETMASK, &saved, nullptr);
}

void on_sigbus(int signal, siginfo_t* info, void* context) {
  const int saved_errno = errno;
  // BUS_ADRERR: an access past the end of a mapped file (or to a page tmpfs could not
  // provide). Anything else (an alignment fault, a memory error, a SIGBUS sent by someone)
  // is not what we guard against, wherever it happened.
  const bool ours = info != nullptr && info->si_code == BUS_ADRERR &&
                    replace_lost_pages(reinterpret_cast<uintptr_t>(info->si_addr));
  if (!ours) pass_on(signal, info, context);
  errno = saved_errno;
}

// ---- Installing ----

// Called once, before the first region is registered.
bool install_handler() {
  page_bytes.store(static_cast<uintptr_t>(sysconf(_SC_PAGESIZE)), std::memory_order_relaxed);
  // Once installed, the handler must outlive every later SIGBUS of the process: a program that
  // unloads the library (dlclose) would otherwise leave the handler, or the previous handler
  // of one installed after ours, pointing into unmapped code. So the library is pinned in
  // memory from here on (a no-op if it is linked statically).
  Dl_info self{};
  if (dladdr(reinterpret_cast<void*>(&on_sigbus), &self) != 0 && self.dli_fname != nullptr)
    dlopen(self.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
  // The action ours displaces is read and published first, so that it is complete whenever
  // ours runs. (A thread of the program that changes SIGBUS's action at this very moment
  // races with us as it would with any other library that installs one.)
  if (sigaction(SIGBUS, nullptr, &previous_action) != 0) return false;
  previous_published.store(true, std::memory_order_release);
  struct sigaction action {};
  action.sa_sigaction = on_sigbus;
  sigemptyset(&action.sa_mask);
  // SA_NODEFER: a handler we pass a fault on to runs with SIGBUS blocked only if it asked for
  // that (pass_on). The JVM, for one, leaves error signals unblocked in its handlers so that
  // it can survive a fault inside them. SA_ONSTACK: runtimes that rely on their alternate
  // signal stacks (the CLR, Go) get their handlers run on them. SA_RESTART as the previous
  // action had it, for a SIGBUS sent while a system call waits.
  action.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK | (previous_action.sa_flags & SA_RESTART);
  return sigaction(SIGBUS, &action, nullptr) == 0;
}

}  // namespace

GuardedRegion::GuardedRegion(void* base, size_t length, int protection) {
  static const bool installed = install_handler();
  static_cast<void>(installed);  // without it the region only goes unguarded: nothing to report
  slot_ = claim_slot();
  const auto begin = reinterpret_cast<uintptr_t>(base);
  write_slot(*slot_, begin, begin + length, protection);
}

GuardedRegion::~GuardedRegion() {
  if (keep_) return;
  write_slot(*slot_, 0, 0, 0);
  slot_->taken.store(false, std::memory_order_release);
}

bool GuardedRegion::truncated() const noexcept { return slot_->truncated.load(std::memory_order_acquire); }

void GuardedRegion::mark_truncated() noexcept { slot_->truncated.store(true, std::memory_order_release); }

void GuardedRegion::check(const char* what) const {
  if (truncated())
    fail(SHMLINK_ERR_CORRUPT, std::string(what) + "'s file was truncated by another process: its shared memory is "
                                                  "gone (this process reads zeros in its place from then on)");
}

}  // namespace shmlink::posix
