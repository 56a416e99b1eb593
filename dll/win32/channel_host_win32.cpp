#include "channel_host_win32.h"

#include "channel_win32.h"

#include "unique_handle.h"

#include <chrono>

namespace shmlink::win32 {
namespace {

uint64_t low_creation_time(HANDLE process) {
  FILETIME created{}, exited{}, kernel{}, user{};
  if (!GetProcessTimes(process, &created, &exited, &kernel, &user)) return 0;
  return created.dwLowDateTime;
}

uint64_t this_process_holder() {
  static const uint64_t holder = (uint64_t{GetCurrentProcessId()} << 32) | low_creation_time(GetCurrentProcess());
  return holder;
}

bool holder_alive(uint64_t holder) {
  if (holder == 0) return false;
  if (holder == this_process_holder()) return true;
  const DWORD pid = static_cast<DWORD>(holder >> 32);
  UniqueHandle process(OpenProcess(SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid));
  if (!process) return GetLastError() != ERROR_INVALID_PARAMETER;  // no such process; else it exists
  if (WaitForSingleObject(process.get(), 0) == WAIT_OBJECT_0) return false;
  return low_creation_time(process.get()) == (holder & 0xFFFFFFFFu);
}

}  // namespace

bool channel_holder_alive(uint64_t holder) { return holder_alive(holder); }

bool Win32ChannelHost::claim_slot(channel::Slot& slot, uint32_t) {
  uint64_t holder = __atomic_load_n(&slot.holder, __ATOMIC_ACQUIRE);
  if (holder != 0 && holder_alive(holder)) return false;
  return __atomic_compare_exchange_n(&slot.holder, &holder, this_process_holder(), false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE);
}

void Win32ChannelHost::release_slot(channel::Slot& slot, uint32_t) noexcept {
  uint64_t mine = this_process_holder();
  __atomic_compare_exchange_n(&slot.holder, &mine, uint64_t{0}, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

bool Win32ChannelHost::slot_alive(const channel::Slot& slot, uint32_t) {
  return holder_alive(__atomic_load_n(&slot.holder, __ATOMIC_ACQUIRE));
}

void Win32ChannelHost::wake(channel::WakeWord& word) {
  __atomic_fetch_add(&word.sequence, 1u, __ATOMIC_SEQ_CST);
  const uint32_t sleepers = __atomic_load_n(&word.sleepers, __ATOMIC_SEQ_CST);
  // A crashed sleeper leaves its count behind: that costs spare wakes, never a lost one.
  if (sleepers != 0) ReleaseSemaphore(semaphore(word), static_cast<LONG>(sleepers > 1024 ? 1024 : sleepers), nullptr);
}

uint32_t Win32ChannelHost::prepare_sleep(channel::WakeWord& word) {
  __atomic_fetch_add(&word.sleepers, 1u, __ATOMIC_SEQ_CST);
  return __atomic_load_n(&word.sequence, __ATOMIC_SEQ_CST);
}

void Win32ChannelHost::sleep(channel::WakeWord& word, uint32_t observed, Clock::time_point until) {
  if (__atomic_load_n(&word.sequence, __ATOMIC_SEQ_CST) == observed) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(until - Clock::now()).count();
    if (left > 0) WaitForSingleObject(semaphore(word), static_cast<DWORD>(left));
  }
  cancel_sleep(word);
}

void Win32ChannelHost::cancel_sleep(channel::WakeWord& word) noexcept {
  uint32_t sleepers = __atomic_load_n(&word.sleepers, __ATOMIC_RELAXED);
  while (sleepers != 0 && !__atomic_compare_exchange_n(&word.sleepers, &sleepers, sleepers - 1, false,
                                                       __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
  }
}

}  // namespace shmlink::win32
