// The part of describing a channel that reads its shared layout (core/channel_layout.h),
// shared by the backends: they differ in how they read the region (pread on Linux, a
// read-only view on Windows) and in how they tell a peer's process and liveness.
#pragma once

#include <shmlink/shmlink.h>

#include "channel_layout.h"

#include <cstddef>
#include <cstdint>
#include <functional>

namespace shmlink {

// Copies `bytes` bytes at `offset` of the channel region (offset 0 is channel::Control) into
// `into`. False if they cannot be read (past the end, an I/O error).
using ChannelRegionReader = std::function<bool(void* into, std::size_t bytes, uint64_t offset)>;

// Whether a region of `region_bytes` (as Control says) fits what the backend knows of the
// object's size.
using ChannelRegionSizeCheck = std::function<bool(uint64_t region_bytes)>;

// Fills in the peer for the attached slot `index` (its pid, 0 if unknown, and
// SHMLINK_PEER_ALIVE); the roles are already set.
using ChannelPeerLookup = std::function<void(uint32_t index, const channel::Slot& slot, shmlink_object_peer& peer)>;

// Fills the channel fields of `out` (size, maximum message, attached counts, queue, counters,
// peers), checking every value read. Sets SHMLINK_OBJECT_CORRUPT or _INCOMPATIBLE in
// out.flags when the layout fails the checks (and then fills nothing else).
void describe_channel_region(const ChannelRegionReader& read, const ChannelRegionSizeCheck& size_fits,
                             const ChannelPeerLookup& peer_of, shmlink_object_description& out);

}  // namespace shmlink
