// The peer helper's step commands: a channel handle of the peer's own, made from
// dll/core/channel_ring.cpp compiled into this program once more with SHMLINK_CHANNEL_STEPS
// (tests/CMakeLists.txt), so that the peer stops at a named instant inside the algorithm -
// between two stores that no call of the library separates - and the test can kill it there
// (SIGKILL / TerminateProcess) or keep it stopped, alive, and let it go on. The library itself
// has no such instants: there SHMLINK_STEP is nothing.
//
//   shmlink_peer channel-step-receive CHANNEL STEP
//       attaches as a receiver to the channel CHANNEL, prints "ready", receives one message
//       and consumes it; prints "received LENGTH"
//   shmlink_peer channel-step-send CHANNEL LENGTH STEP
//       attaches as a sender, prints "ready", sends one message of LENGTH bytes ('s');
//       prints "sent"
// CHANNEL is, on Linux, the channel's object file (local_object_path of its name); on Windows
// its name without namespace (a Local\ name). When the algorithm reaches STEP (SHMLINK_STEP in
// channel_ring.cpp: reserve-locked, claim-taken, consume-marked) the peer prints "at STEP" and
// stops: on Linux it stops itself (SIGSTOP; the test sends SIGCONT), on Windows, which has no
// such signal, it blocks reading a line from stdin (the test writes one to let it go on). Either
// way it is alive and holds what it held at the step.
//
// The handle is what the library's is on each system: on Linux (dll/posix/channel_posix.cpp) a
// shared flock on the object file, the mapping after its header page, an OFD lock on the slot's
// byte for liveness and futex wakes on the wake words; on Windows (dll/win32/channel_win32.cpp)
// the section "Local\x/shmlink.channel", the semaphores ".data" and ".space" for wakes and a
// slot holder word of process id and creation time for liveness.
#include "peer_support.h"

#include "core/channel_ring.h"
#include "core/error.h"

#ifdef _WIN32
#include "win32/channel_host_win32.h"

#include <windows.h>

#include <iostream>
#else
#include "core/object_header.h"

#include <fcntl.h>
#include <linux/futex.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#endif

#include <cerrno>
#include <climits>
#include <cstring>
#include <string>

namespace {

std::string g_stop_at;  // the step to stop at

}  // namespace

namespace shmlink_test::peer {
namespace {

namespace channel = shmlink::channel;

// Stays at the step, alive, until the test lets it go on (or kills it).
void stay_at_step();

// Runs `body` on a ring attached with `roles` to the channel at `where` (CHANNEL above).
template <class Body>
void with_ring(const char* where, uint32_t roles, Body&& body);

// Runs `body` on a ring in the channel memory `region` (of `region_bytes`) attached with
// `roles` through `host`, once it has said "ready"; exits with the status of a failure.
template <class Body>
void run_on_ring(void* region, uint64_t region_bytes, shmlink::ChannelHost& host, uint32_t roles, Body&& body) {
  try {
    shmlink::ChannelRing ring(region, region_bytes, host);
    ring.attach(roles);
    say("ready");
    body(ring);
    ring.detach();
  } catch (const shmlink::Failure& failure) {
    say(std::string("error ") + shmlink_status_name(failure.status()) + ": " + failure.detail());
    std::exit(peer_exit_code(failure.status()));
  }
}

}  // namespace
}  // namespace shmlink_test::peer

namespace shmlink {

void channel_step(const char* step) {
  if (g_stop_at != step) return;
  shmlink_test::peer::say(std::string("at ") + step);
  shmlink_test::peer::stay_at_step();
}

}  // namespace shmlink

#ifndef _WIN32

namespace shmlink_test::peer {
namespace {

using shmlink::Clock;

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

void stay_at_step() { raise(SIGSTOP); }

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
  StepHost host(fd);
  run_on_ring(static_cast<uint8_t*>(base) + shmlink::kHeaderPageBytes, header.data_bytes, host, roles, body);
  munmap(base, bytes);
  close(fd);
}

}  // namespace
}  // namespace shmlink_test::peer

#else  // _WIN32

namespace shmlink_test::peer {
namespace {

[[noreturn]] void die(const std::string& what) {
  say("error " + what + ": Windows error " + std::to_string(GetLastError()));
  std::exit(1);
}

std::wstring kernel_name(const char* name) {
  std::wstring wide;
  for (const char* c = name; *c != '\0'; ++c) {
    if (static_cast<unsigned char>(*c) >= 0x80) usage("CHANNEL must be an ASCII name here");
    wide += static_cast<wchar_t>(*c);
  }
  return L"Local\\" + wide;
}

HANDLE open_semaphore(const std::wstring& name) {
  HANDLE semaphore = OpenSemaphoreW(SYNCHRONIZE | SEMAPHORE_MODIFY_STATE, FALSE, name.c_str());
  if (semaphore == nullptr) die("OpenSemaphoreW");
  return semaphore;
}

void stay_at_step() {
  std::string line;
  std::getline(std::cin, line);  // the test's line, or the end of stdin: either lets it go on
}

template <class Body>
void with_ring(const char* name, uint32_t roles, Body&& body) {
  const std::wstring kernel = kernel_name(name);
  HANDLE section = OpenFileMappingW(FILE_MAP_WRITE, FALSE, (kernel + L"/shmlink.channel").c_str());
  if (section == nullptr) die("OpenFileMappingW");
  // The test made the channel before it started this peer: its layout is complete.
  void* base = MapViewOfFile(section, FILE_MAP_WRITE, 0, 0, 0);
  if (base == nullptr) die("MapViewOfFile");
  MEMORY_BASIC_INFORMATION region{};
  if (VirtualQuery(base, &region, sizeof region) == 0) die("VirtualQuery");
  auto* control = static_cast<channel::Control*>(base);
  const uint64_t ring_bytes = __atomic_load_n(&control->ring_bytes, __ATOMIC_ACQUIRE);
  if (!shmlink::channel_initialized(base) || ring_bytes == 0 ||
      channel::region_bytes_for(ring_bytes) > region.RegionSize) {
    say("error not a channel section");
    std::exit(1);
  }
  HANDLE data = open_semaphore(kernel + L"/shmlink.data");
  HANDLE space = open_semaphore(kernel + L"/shmlink.space");
  shmlink::win32::Win32ChannelHost host(control, data, space);
  run_on_ring(base, channel::region_bytes_for(ring_bytes), host, roles, body);
  CloseHandle(space);
  CloseHandle(data);
  UnmapViewOfFile(base);
  CloseHandle(section);
}

}  // namespace
}  // namespace shmlink_test::peer

#endif  // _WIN32

namespace shmlink_test::peer {
namespace {

void expect_ok(shmlink_status status, const char* what) {
  if (status == SHMLINK_OK) return;
  say(std::string("error ") + shmlink_status_name(status) + ": " + what);
  std::exit(peer_exit_code(status));
}

}  // namespace

bool run_channel_step_command(const std::string& command, int argc, char** argv) {
  if (command == "channel-step-receive") {
    if (argc < 4) usage("channel-step-receive CHANNEL STEP");
    g_stop_at = argv[3];
    with_ring(argv[2], channel::kRoleReceiver, [](shmlink::ChannelRing& ring) {
      shmlink::ChannelRing::Claim claim;
      uint32_t needed = 0;
      expect_ok(ring.claim(ring.max_message(), SHMLINK_INFINITE, &claim, &needed), "claim");
      ring.consume(claim);
      say("received " + std::to_string(claim.length));
    });
  } else if (command == "channel-step-send") {
    if (argc < 5) usage("channel-step-send CHANNEL LENGTH STEP");
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

