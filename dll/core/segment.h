// Segments and views as the core sees them. A backend supplies SegmentBacking (the OS
// object and its mappings); the core owns the rules: ranges, alignment, access.
#pragma once

#include "access.h"
#include "handle_table.h"

#include <cstdint>
#include <memory>
#include <string>

namespace shmlink {

// One region mapped by the OS, aligned as the OS requires.
struct MappedRegion {
  void* base = nullptr;
  uint64_t length = 0;
};

// Replaces a mapped view's pages with private zero-filled memory (readable and writable),
// keeping the range reserved (each OS backend implements it). Never throws.
enum class Placeholder {
  Kept,          // the view is gone and the placeholder holds its range
  ViewUnmapped,  // the view is gone, but its range could not be kept
  ViewMapped,    // nothing changed: the view is still mapped
};
Placeholder platform_replace_with_placeholder(const MappedRegion& region) noexcept;

// An open segment in the OS: what one successful create/open/from_file call produced. Every
// handle and view on it shares it; the OS object is released when the last of them goes.
class SegmentBacking {
 public:
  virtual ~SegmentBacking() = default;

  virtual uint64_t size() const = 0;
  // The widest access this backing was opened with.
  virtual Access access() const = 0;
  // Maps [aligned_offset, aligned_offset + length) of the data; aligned_offset is a
  // multiple of allocation_granularity(). `at`, if not null, is where the mapping must start
  // (a multiple of the granularity too): never elsewhere, and never over what is mapped
  // there (SHMLINK_ERR_ALREADY_EXISTS). Throws Failure.
  virtual MappedRegion map(uint64_t aligned_offset, uint64_t length, Access access, void* at) = 0;
  virtual void unmap(const MappedRegion& region) noexcept = 0;
  // For a SHMLINK_MAP_KEEP_RANGE view: swaps its pages for a placeholder (platform.h) and
  // forgets the view as unmap does.
  virtual Placeholder retire(const MappedRegion& region) noexcept {
    return platform_replace_with_placeholder(region);
  }
  // Writes the region's modified pages back to the backing store, synchronously.
  virtual void flush(const MappedRegion& region) = 0;
  // Whether an access to the region met the end of its file, truncated by another process
  // after it was mapped: the region reads zeros from there on (Linux: see
  // dll/posix/sigbus_guard.h; a Windows section cannot be truncated while mapped).
  virtual bool truncated(const MappedRegion&) const { return false; }
};

class SegmentObject final : public Object {
 public:
  SegmentObject(std::shared_ptr<SegmentBacking> backing, std::string name)
      : Object(SHMLINK_KIND_SEGMENT), backing_(std::move(backing)), name_(std::move(name)) {}

  const std::shared_ptr<SegmentBacking>& backing() const { return backing_; }
  const std::string& name() const { return name_; }

 private:
  std::shared_ptr<SegmentBacking> backing_;
  std::string name_;  // for messages; "(unnamed)" for unnamed file segments
};

class ViewObject final : public Object {
 public:
  ViewObject(std::shared_ptr<SegmentBacking> backing, MappedRegion region, void* address, uint64_t length,
             Access access, bool keep_range)
      : Object(SHMLINK_KIND_VIEW), backing_(std::move(backing)), region_(region), address_(address),
        length_(length), access_(access), keep_range_(keep_range) {}
  // A SHMLINK_MAP_KEEP_RANGE view leaves a placeholder (kept_ranges.h).
  ~ViewObject() override;

  void* address() const { return address_; }
  uint64_t length() const { return length_; }
  Access access() const { return access_; }
  void flush() { if (access_ != Access::CopyOnWrite) backing_->flush(region_); }
  bool truncated() const { return backing_->truncated(region_); }

 private:
  std::shared_ptr<SegmentBacking> backing_;  // keeps the segment alive while mapped
  MappedRegion region_;
  void* address_;
  uint64_t length_;
  Access access_;
  bool keep_range_;
};

// Maps `length` bytes (0: to the end) at any `offset` of the segment: checks the range and
// the access, aligns, and returns the new view. With `at` not null, the byte at `offset`
// appears at `at`: `at` and `offset` must lie alike within the allocation granularity
// (at % granularity == offset % granularity). Throws Failure.
std::shared_ptr<ViewObject> map_view(const SegmentObject& segment, uint64_t offset, uint64_t length,
                                     Access access, bool keep_range = false, void* at = nullptr);

}  // namespace shmlink
