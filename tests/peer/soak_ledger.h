// The ledger of the channel soak (tests/reliability/soak_test.cpp, peer/soak_peer.cpp): a
// segment the test creates and every soak peer maps. Senders record there what they know is
// committed; receivers mark there what they received. Peers are killed at any instruction, so
// every field is written with one atomic store or add, and the test reads it only after every
// peer is gone.
#pragma once

#include <cstdint>

namespace shmlink_test::soak {

// A sender incarnation gets a fresh id (a restarted sender never reuses one), and sends at
// most kPerSender messages, sequence 0 up.
inline constexpr uint32_t kMaxSenders = 2048;
inline constexpr uint32_t kPerSender = 4096;
inline constexpr uint32_t kMaxLength = 512;

// committed[id]: the number of messages sender `id` has seen shmlink_channel_send /
// shmlink_channel_commit succeed for, stored after each success. A sender killed between its
// success and this store committed one message more than this says.
// marks[id * kPerSender + sequence]: how many times any receiver got that message (0 or 1).
struct Ledger {
  uint32_t committed[kMaxSenders];
  uint8_t marks[uint64_t{kMaxSenders} * kPerSender];
};

inline constexpr uint64_t kLedgerBytes = sizeof(Ledger);

}  // namespace shmlink_test::soak
