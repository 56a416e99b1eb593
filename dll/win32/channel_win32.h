// What the Windows wait (sync_win32.cpp) needs from a channel: whether it is ready (a message
// can be received; for a send-only handle, a message of the maximum size fits), and a kernel
// object that the peers' changes release while someone sleeps.
#pragma once

#include <windows.h>

#include <cstdint>

namespace shmlink::win32 {

// Whether the process recorded in a channel slot's holder word (pid << 32 | low half of the
// process's creation time) is still running: what the ring uses to count dead peers out.
bool channel_holder_alive(uint64_t holder);

class ChannelWaitable {
 public:
  virtual ~ChannelWaitable() = default;
  // Counts this waiter as a sleeper (so commits release wake_handle()) until unregister.
  virtual void register_sleeper() = 0;
  virtual void unregister_sleeper() noexcept = 0;
  // Whether the condition waited for holds (ChannelRing::condition_holds). Looks after dead peers too.
  virtual bool ready() = 0;
  virtual HANDLE wake_handle() const noexcept = 0;
};

}  // namespace shmlink::win32
