// What a channel handle on Windows does for the ring (core/channel_ring.h): attachment slots
// whose holder word is the owner's process id and the low half of its creation time (a peer
// is dead when that process has exited or the id now belongs to a younger process), and
// wake-ups through the channel's two kernel semaphores, one token per counted sleeper.
// Compiled into the library (channel_win32.cpp) and into the test peer's stepped channel
// handle (tests/peer/channel_step_peer.cpp), which must be a peer the library recognises.
#pragma once

#include "../core/channel_ring.h"

#include <windows.h>

#include <cstdint>

namespace shmlink::win32 {

class Win32ChannelHost final : public ChannelHost {
 public:
  // `data` and `space` are the semaphores that sleepers on control->data_word and
  // control->space_word wait on; the caller keeps them open.
  Win32ChannelHost(channel::Control* control, HANDLE data, HANDLE space)
      : control_(control), data_(data), space_(space) {}

  bool claim_slot(channel::Slot& slot, uint32_t index) override;
  void release_slot(channel::Slot& slot, uint32_t index) noexcept override;
  bool slot_alive(const channel::Slot& slot, uint32_t index) override;
  void wake(channel::WakeWord& word) override;
  uint32_t prepare_sleep(channel::WakeWord& word) override;
  void sleep(channel::WakeWord& word, uint32_t observed, Clock::time_point until) override;
  void cancel_sleep(channel::WakeWord& word) noexcept override;
  uint64_t coarse_now_ms() noexcept override { return GetTickCount64(); }

 private:
  HANDLE semaphore(const channel::WakeWord& word) const { return &word == &control_->data_word ? data_ : space_; }

  channel::Control* control_;
  HANDLE data_;
  HANDLE space_;
};

}  // namespace shmlink::win32
