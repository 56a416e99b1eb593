// The peer helper's step commands (Linux): a channel handle of the peer's own, made from
// dll/core/channel_ring.cpp compiled into this program once more with SHMLINK_CHANNEL_STEPS
// (tests/CMakeLists.txt), so that the peer stops itself at a named instant inside the
// algorithm - between two stores that no call of the library separates - and the test can
// kill it there (SIGKILL) or keep it stopped (SIGSTOP) and let it go on (SIGCONT). The library
// itself has no such instants: there SHMLINK_STEP is nothing.
//
//   shmlink_peer channel-step-receive PATH STEP
//       attaches as a receiver to the channel in object file PATH (local_object_path of its
//       name), prints "ready", receives one message and consumes it; prints "received LENGTH"
//   shmlink_peer channel-step-send PATH LENGTH STEP
//       attaches as a sender, prints "ready", sends one message of LENGTH bytes ('s');
//       prints "sent"
// When the algorithm reaches STEP (SHMLINK_STEP in channel_ring.cpp: reserve-locked,
// claim-taken, consume-marked) the peer prints "at STEP" and stops itself (SIGSTOP).
//
// The handle is what the library's is on Linux (dll/posix/channel_posix.cpp): a shared flock
// on the object file, the mapping after its header page, an OFD lock on the slot's byte for
// liveness and futex wakes on the wake words.
#include "peer_support.h"

#ifndef _WIN32

#include "core/channel_ring.h"
#include "core/error.h"
#include "core/object_header.h"

#include <fcntl.h>
#include <linux/futex.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <string>
#include <vector>

namespace {

std::string g_stop_at;  // the step to stop at

}  // namespace

namespace shmlink {

void channel_step(const char* step) {
  if (g_stop_at != step) return;
  shmlink_test::peer::say(std::string("at ") + step);
  raise(SIGSTOP);
}

}  // namespace shmlink

namespace shmlink_test::peer {
namespace {

using shmlink::Clock;
namespace channel = shmlink::channel;

// As in dll/posix/channel_posix.cpp: a mismatch would make the library reap this handle at once.
constexpr off_t kSlotLockBase = off_t{1} << 50;
constexpr uint32_t kSleepersBit = 0x80000000u;

[[noreturn]] void die(const std::string& what) {
  say("error " + what + ": " + std::strerror(errno));
  std::exit(1);
}

long futex(uint32_t* word, int operation, uint32_t value, const timespec* timeout) {
  return syscall(SYS_futex, word, operation, value, timeout, nullptr, 0);
}

class StepHost final : public shmlink::ChannelHost {
 public:
  explicit StepHost(int fd) : fd_(fd) {}

  bool claim_slot(channel::Slot&, uint32_t index) override {
    struct flock lock = slot_lock(F_WRLCK, index);
    if (fcntl(fd_, F_OFD_SETLK, &lock) == 0) return true;
    if (errno == EAGAIN || errno == EACCES) return false;
    die("F_OFD_SETLK");
  }
  void release_slot(channel::Slot&, uint32_t index) noexcept override {
    struct flock lock = slot_lock(F_UNLCK, index);
    fcntl(fd_, F_OFD_SETLK, &lock);
  }
  bool slot_alive(const channel::Slot&, uint32_t index) override {
    struct flock lock = slot_lock(F_WRLCK, index);
    if (fcntl(fd_, F_OFD_GETLK, &lock) != 0) return true;
    return lock.l_type != F_UNLCK;
  }
  void wake(channel::WakeWord& word) override {
    uint32_t sequence = __atomic_fetch_add(&word.sequence, 0u, __ATOMIC_ACQ_REL);
    if ((sequence & kSleepersBit) == 0) return;
    while (!__atomic_compare_exchange_n(&word.sequence, &sequence, (sequence + 1) & ~kSleepersBit, false,
                                        __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
    }
    futex(&word.sequence, FUTEX_WAKE, INT_MAX, nullptr);
  }
  uint32_t prepare_sleep(channel::WakeWord& word) override {
    return __atomic_fetch_or(&word.sequence, kSleepersBit, __ATOMIC_ACQ_REL) | kSleepersBit;
  }
  void sleep(channel::WakeWord& word, uint32_t observed, Clock::time_point until) override {
    const auto left = until - Clock::now();
    if (left <= Clock::duration::zero()) return;
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
    const timespec timeout{static_cast<time_t>(ns / 1000000000), static_cast<long>(ns % 1000000000)};
    futex(&word.sequence, FUTEX_WAIT, observed, &timeout);
  }
  void cancel_sleep(channel::WakeWord&) noexcept override {}
  uint64_t coarse_now_ms() noexcept override {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
    return static_cast<uint64_t>(now.tv_sec) * 1000u + static_cast<uint64_t>(now.tv_nsec) / 1000000u;
  }

 private:
  static struct flock slot_lock(short type, uint32_t index) {
    struct flock lock {};
    lock.l_type = type;
    lock.l_whence = SEEK_SET;
    lock.l_start = kSlotLockBase + index;
    lock.l_len = 1;
    return lock;
  }

  int fd_;
};

// Runs `body` on a ring attached with `roles` to the channel in object file `path`.
template <class Body>
void with_ring(const char* path, uint32_t roles, Body&& body) {
  const int fd = open(path, O_RDWR | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) die(std::string("open ") + path);
  if (flock(fd, LOCK_SH) != 0) die("flock");  // a user of the object, as the library's handles are
  shmlink::ObjectHeader header{};
  if (pread(fd, &header, sizeof header, 0) != static_cast<ssize_t>(sizeof header)) die("read the header");
  if (header.magic != shmlink::kHeaderMagic || header.kind != SHMLINK_KIND_CHANNEL ||
      header.data_bytes > (uint64_t{1} << 40)) {
    say("error not a channel object");
    std::exit(1);
  }
  const size_t bytes = shmlink::kHeaderPageBytes + header.data_bytes;
  void* base = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (base == MAP_FAILED) die("mmap");
  try {
    StepHost host(fd);
    shmlink::ChannelRing ring(static_cast<uint8_t*>(base) + shmlink::kHeaderPageBytes, header.data_bytes, host);
    ring.attach(roles);
    say("ready");
    body(ring);
    ring.detach();
  } catch (const shmlink::Failure& failure) {
    say(std::string("error ") + shmlink_status_name(failure.status()) + ": " + failure.detail());
    std::exit(peer_exit_code(failure.status()));
  }
  munmap(base, bytes);
  close(fd);
}

void expect_ok(shmlink_status status, const char* what) {
  if (status == SHMLINK_OK) return;
  say(std::string("error ") + shmlink_status_name(status) + ": " + what);
  std::exit(peer_exit_code(status));
}

}  // namespace

bool run_channel_step_command(const std::string& command, int argc, char** argv) {
  if (command == "channel-step-receive") {
    if (argc < 4) usage("channel-step-receive PATH STEP");
    g_stop_at = argv[3];
    with_ring(argv[2], channel::kRoleReceiver, [](shmlink::ChannelRing& ring) {
      shmlink::ChannelRing::Claim claim;
      uint32_t needed = 0;
      expect_ok(ring.claim(ring.max_message(), SHMLINK_INFINITE, &claim, &needed), "claim");
      ring.consume(claim);
      say("received " + std::to_string(claim.length));
    });
  } else if (command == "channel-step-send") {
    if (argc < 5) usage("channel-step-send PATH LENGTH STEP");
    const auto length = static_cast<uint32_t>(number(argv[3]));
    g_stop_at = argv[4];
    with_ring(argv[2], channel::kRoleSender, [length](shmlink::ChannelRing& ring) {
      if (length > ring.max_message()) usage("LENGTH is above the channel's maximum message");
      shmlink::ChannelRing::Reservation reservation;
      expect_ok(ring.reserve(length, SHMLINK_INFINITE, &reservation), "reserve");
      std::memset(reservation.payload, 's', length);
      ring.commit(reservation, length);
      say("sent");
    });
  } else {
    return false;
  }
  return true;
}

}  // namespace shmlink_test::peer

#else  // no step commands on Windows: SIGSTOP does not exist there

namespace shmlink_test::peer {

bool run_channel_step_command(const std::string&, int, char**) { return false; }

}  // namespace shmlink_test::peer

#endif
