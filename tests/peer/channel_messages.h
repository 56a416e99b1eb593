// The messages of the channel stress tests, shared by the tests and the peer helper: each
// carries its sender, its sequence number, its length and a checksum of a payload that
// follows from all three, so a receiver can tell a lost, repeated, reordered, cut or
// corrupted message from a good one.
#pragma once

#include <cstdint>
#include <cstring>

namespace shmlink_test {

struct StressHead {
  uint32_t sender;
  uint32_t sequence;
  uint32_t length;  // the whole message, head included
  uint32_t checksum;
};
inline constexpr uint32_t kStressHeadBytes = sizeof(StressHead);

inline uint32_t mix(uint32_t value) {
  value ^= value >> 16;
  value *= 0x7FEB352Du;
  value ^= value >> 15;
  value *= 0x846CA68Bu;
  value ^= value >> 16;
  return value;
}

// The length of message `sequence` of `sender`: kStressHeadBytes to max_length, spread out.
inline uint32_t stress_length(uint32_t sender, uint32_t sequence, uint32_t max_length) {
  return kStressHeadBytes + mix(sender * 0x9E3779B9u + sequence) % (max_length - kStressHeadBytes + 1);
}

inline uint32_t payload_checksum(const uint8_t* payload, uint32_t bytes) {
  uint32_t hash = 2166136261u;  // FNV-1a
  for (uint32_t i = 0; i < bytes; ++i) hash = (hash ^ payload[i]) * 16777619u;
  return hash;
}

// Writes message `sequence` of `sender` (stress_length bytes) to `out`.
inline void fill_stress_message(uint8_t* out, uint32_t sender, uint32_t sequence, uint32_t length) {
  uint32_t state = mix(sender ^ mix(sequence)) | 1u;
  uint8_t* payload = out + kStressHeadBytes;
  for (uint32_t i = 0; i < length - kStressHeadBytes; ++i) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    payload[i] = static_cast<uint8_t>(state);
  }
  const StressHead head{sender, sequence, length, payload_checksum(payload, length - kStressHeadBytes)};
  std::memcpy(out, &head, sizeof head);
}

// Whether `data` is an intact stress message; fills *head.
inline bool check_stress_message(const uint8_t* data, uint32_t length, uint32_t max_length, StressHead* head) {
  if (length < kStressHeadBytes) return false;
  std::memcpy(head, data, sizeof *head);
  return head->length == length && length == stress_length(head->sender, head->sequence, max_length) &&
         head->checksum == payload_checksum(data + kStressHeadBytes, length - kStressHeadBytes);
}

}  // namespace shmlink_test
