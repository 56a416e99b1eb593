// Channels as the backend provides them: its mapping of the shared channel (ChannelBacking).
// The handle object around it is ChannelObject (channel_object.h).
#pragma once

#include "channel_ring.h"
#include "sync.h"

#include <memory>

namespace shmlink {

// The backend's channel: the mapping, the host services and the ring attached with this
// handle's roles. Detaches when destroyed.
class ChannelBacking : public WaitBacking {
 public:
  virtual ChannelRing& ring() = 0;
  // What shmlink_channel_waitable gives: a waitable for `condition` (a valid
  // SHMLINK_CHANNEL_* condition) of this channel, which keeps this backing (and so its
  // attachment) alive as long as it lives.
  virtual std::shared_ptr<WaitBacking> condition_waitable(uint32_t condition) = 0;
};

}  // namespace shmlink
