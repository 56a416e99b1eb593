// Views at an address the caller chooses (issue 17, point 4; MapViewOfFileEx's
// lpBaseAddress): shmlink_map_at places the view there or fails with a clear status, never
// elsewhere and never over an existing mapping.
#include <shmlink/shmlink.h>

#include "support/fixtures.h"
#include "support/names.h"
#include "support/peer_output.h"
#include "support/process.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace shmlink_test {
namespace {

constexpr uint64_t kSegmentBytes = 256 * 1024;

Handle make_segment(const std::string& name) {
  Handle segment;
  EXPECT_STATUS(SHMLINK_OK, shmlink_segment_create(name.c_str(), kSegmentBytes, SHMLINK_CREATE_NEW, segment.out()));
  return segment;
}

// An address where `length` bytes are free in this process now: where a view was mapped and
// is no more.
uintptr_t free_address(shmlink_handle segment, uint64_t length) {
  View probe;
  EXPECT_STATUS(SHMLINK_OK, map_view(segment, 0, length, SHMLINK_ACCESS_READ, probe));
  const auto address = reinterpret_cast<uintptr_t>(probe.address);
  return address;  // the probe is unmapped here
}

void* as_pointer(uintptr_t address) { return reinterpret_cast<void*>(address); }

TEST(ViewAtAddress, MapsExactlyThereAndSharesTheSegment) {
  const Handle segment = make_segment(unique_name());
  const uintptr_t address = free_address(segment.get(), kSegmentBytes);
  Handle view;
  ASSERT_STATUS(SHMLINK_OK, shmlink_map_at(segment.get(), 0, kSegmentBytes, SHMLINK_ACCESS_READ_WRITE,
                                           as_pointer(address), view.out()));
  void* mapped = nullptr;
  uint64_t length = 0;
  ASSERT_STATUS(SHMLINK_OK, shmlink_view_info(view.get(), &mapped, &length));
  EXPECT_EQ(mapped, as_pointer(address));
  EXPECT_EQ(length, kSegmentBytes);
  std::memcpy(mapped, "at the address", 15);
  View elsewhere;
  ASSERT_STATUS(SHMLINK_OK, map_view(segment.get(), 0, 0, SHMLINK_ACCESS_READ, elsewhere));
  EXPECT_STREQ(static_cast<const char*>(elsewhere.address), "at the address");

  // Unmapped, the range is free again.
  view.reset();
  ASSERT_STATUS(SHMLINK_OK, shmlink_map_at(segment.get(), 0, kSegmentBytes, SHMLINK_ACCESS_READ,
                                           as_pointer(address), view.out()));
}

TEST(ViewAtAddress, AnyOffsetLandsWhereItsByteIsAsked) {
  const Handle segment = make_segment(unique_name());
  const uint64_t granularity = shmlink_allocation_granularity();
  const uint64_t offset = granularity + 100;  // not a multiple
  const uintptr_t base = free_address(segment.get(), kSegmentBytes);
  {
    View writer;
    ASSERT_STATUS(SHMLINK_OK, map_view(segment.get(), 0, 0, SHMLINK_ACCESS_READ_WRITE, writer));
    std::memcpy(static_cast<char*>(writer.address) + offset, "offset byte", 12);
  }
  Handle view;
  ASSERT_STATUS(SHMLINK_OK,
                shmlink_map_at(segment.get(), offset, 64, SHMLINK_ACCESS_READ, as_pointer(base + 100), view.out()));
  EXPECT_STREQ(static_cast<const char*>(as_pointer(base + 100)), "offset byte");

  // An address that does not lie as the offset does within the granularity.
  shmlink_handle bad = 42;
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT,
                shmlink_map_at(segment.get(), offset, 64, SHMLINK_ACCESS_READ, as_pointer(base + 101), &bad));
  EXPECT_EQ(bad, 0u);
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT,
                shmlink_map_at(segment.get(), 0, 64, SHMLINK_ACCESS_READ, as_pointer(base + 1), &bad));
}

TEST(ViewAtAddress, ARangeInUseIsRefusedAndKeepsWhatIsThere) {
  const Handle first = make_segment(unique_name());
  const Handle second = make_segment(unique_name());
  View existing;
  ASSERT_STATUS(SHMLINK_OK, map_view(first.get(), 0, 0, SHMLINK_ACCESS_READ_WRITE, existing));
  std::memcpy(existing.address, "still here", 11);
  const auto taken = reinterpret_cast<uintptr_t>(existing.address);
  const uint64_t granularity = shmlink_allocation_granularity();
  shmlink_handle view = 42;
  // Right on it, and overlapping its end from below... and starting inside it.
  EXPECT_STATUS(SHMLINK_ERR_ALREADY_EXISTS,
                shmlink_map_at(second.get(), 0, 0, SHMLINK_ACCESS_READ_WRITE, as_pointer(taken), &view));
  EXPECT_EQ(view, 0u);
  EXPECT_STATUS(SHMLINK_ERR_ALREADY_EXISTS, shmlink_map_at(second.get(), 0, 0, SHMLINK_ACCESS_READ_WRITE,
                                                           as_pointer(taken + granularity), &view));
  EXPECT_STREQ(static_cast<const char*>(existing.address), "still here");
  // Its own memory (the stack) is in use too.
  int local = 0;
  const uintptr_t stack_page = reinterpret_cast<uintptr_t>(&local) / granularity * granularity;
  EXPECT_STATUS(SHMLINK_ERR_ALREADY_EXISTS,
                shmlink_map_at(second.get(), 0, granularity, SHMLINK_ACCESS_READ, as_pointer(stack_page), &view));
  EXPECT_EQ(local, 0);
}

TEST(ViewAtAddress, BadAddressesAndArgumentsGetTheirStatus) {
  const Handle segment = make_segment(unique_name());
  const uint64_t granularity = shmlink_allocation_granularity();
  shmlink_handle view = 42;
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_map_at(segment.get(), 0, 0, SHMLINK_ACCESS_READ, nullptr, &view));
  EXPECT_EQ(view, 0u);
  const uintptr_t somewhere = free_address(segment.get(), kSegmentBytes);
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT,
                shmlink_map_at(segment.get(), 0, 0, SHMLINK_ACCESS_READ, as_pointer(somewhere), nullptr));
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT,
                shmlink_map_at(segment.get(), 0, 0, 0x77, as_pointer(somewhere), &view));
  EXPECT_STATUS(SHMLINK_ERR_BAD_HANDLE,
                shmlink_map_at(0x1234, 0, 0, SHMLINK_ACCESS_READ, as_pointer(somewhere), &view));
  EXPECT_STATUS(SHMLINK_ERR_OUT_OF_RANGE, shmlink_map_at(segment.get(), kSegmentBytes + 1, 0, SHMLINK_ACCESS_READ,
                                                         as_pointer(somewhere), &view));
  // A range that would pass the end of the address space, and (64-bit) one in the kernel's half.
  const uintptr_t last_granule = UINTPTR_MAX / granularity * granularity;
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT,
                shmlink_map_at(segment.get(), 0, 0, SHMLINK_ACCESS_READ, as_pointer(last_granule), &view));
  if (sizeof(void*) == 8) {
    const uintptr_t kernel_half = static_cast<uintptr_t>(UINT64_C(0xFFFF800000000000));
    EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT,
                  shmlink_map_at(segment.get(), 0, 0, SHMLINK_ACCESS_READ, as_pointer(kernel_half), &view));
  }
  EXPECT_EQ(view, 0u);
}

// The use the call is for: a structure linked by plain pointers, built by this process in a
// view at an address, followed by another process that maps the segment at the same address.
// The nodes hold their links as 64-bit numbers, so that a 32-bit and a 64-bit process (the
// interop runs) agree on the layout; the addresses tried first are below 4 GiB for the same
// reason, then ones free here. The peer's address space is laid out otherwise, so it may find
// one in use (or, 32-bit, out of its reach): then the next is tried.
TEST(ViewAtAddress, APointerLinkedListIsFollowedByAnotherProcessAtTheSameAddress) {
  const std::string name = unique_name();
  const Handle segment = make_segment(name);
  struct Node {
    uint64_t next;  // the address of the next node, or 0
    uint64_t value;
  };
  std::vector<uintptr_t> candidates;
  for (uintptr_t low = 0x40000000; low < 0x60000000; low += 0x08000000) candidates.push_back(low);
  const uintptr_t here = free_address(segment.get(), kSegmentBytes);
  for (uintptr_t step = 0; step < 4; ++step) candidates.push_back(here + step * 16 * kSegmentBytes);
  std::vector<std::string> said;
  for (const uintptr_t address : candidates) {
    Handle view;
    if (shmlink_map_at(segment.get(), 0, 0, SHMLINK_ACCESS_READ_WRITE, as_pointer(address), view.out()) != SHMLINK_OK)
      continue;
    auto* nodes = static_cast<Node*>(as_pointer(address));
    for (uint64_t i = 0; i < 5; ++i)
      nodes[i] = {i < 4 ? static_cast<uint64_t>(reinterpret_cast<uintptr_t>(&nodes[i + 1])) : 0, (i + 1) * 11};
    auto peer = start_peer({"follow-list", name, std::to_string(address)});
    const std::optional<std::string> line = peer->read_line();
    ASSERT_TRUE(line.has_value()) << "the peer said nothing";
    said.push_back(*line);
    if (line->find("SHMLINK_ERR_ALREADY_EXISTS") != std::string::npos ||
        line->find("SHMLINK_ERR_INVALID_ARGUMENT") != std::string::npos)
      continue;
    EXPECT_EQ(*line, "list 11 22 33 44 55");
    EXPECT_EQ(peer->wait(), std::optional<int>(0));
    return;
  }
  FAIL() << "no address was free in both processes; the peer said: " << testing::PrintToString(said);
}

}  // namespace
}  // namespace shmlink_test
