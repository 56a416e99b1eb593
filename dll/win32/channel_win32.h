// What the Windows wait (sync_win32.cpp) needs from a channel: whether a message can be
// received, and a kernel object that a sender's commit releases while someone sleeps.
#pragma once

#include <windows.h>

namespace shmlink::win32 {

class ChannelWaitable {
 public:
  virtual ~ChannelWaitable() = default;
  // Counts this waiter as a sleeper (so commits release wake_handle()) until unregister.
  virtual void register_sleeper() = 0;
  virtual void unregister_sleeper() noexcept = 0;
  // A message can be received, or receiving would give CLOSED. Looks after dead peers too.
  virtual bool ready_to_receive() = 0;
  virtual HANDLE wake_handle() const noexcept = 0;
};

}  // namespace shmlink::win32
