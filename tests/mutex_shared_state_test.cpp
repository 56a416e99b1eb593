// Mutexes on Linux keep their state in the data page of their object in /dev/shm, which any
// process able to open the object can write. Whatever it writes there, the library must not
// crash, spin or write outside the object, and must answer within the time limit; an owner
// that dies holding several levels hands over exactly one; the state is laid out alike in
// 32- and 64-bit processes (the interop runs of tests/interop give these tests a peer of the
// other width); and an object of another mutex layout is refused.
#ifndef _WIN32

#include <shmlink/shmlink.h>

#include "support/fixtures.h"
#include "support/names.h"
#include "support/peer_output.h"
#include "support/process.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <future>
#include <string>
#include <thread>
#include <vector>

namespace shmlink_test {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr uint32_t kLongWaitMs = 20000;
// A state that can be judged at once must be judged at once, not when the limit runs out.
constexpr milliseconds kAtOnce{5000};

// Where the words of a mutex lie in its object: the data page follows the 4 KiB header page
// (MutexLayout in dll/core/sync_layout.h).
constexpr size_t kDataPage = 4096;
constexpr size_t kLockWord = 0;
constexpr size_t kOwnerWord = 4;
constexpr size_t kRecursionWord = 8;
constexpr size_t kWakeWord = 12;
constexpr size_t kProtocolWord = 16;
constexpr size_t kHeaderDataBytes = 24;  // ObjectHeader::data_bytes

constexpr uint32_t kFutexWaiters = 0x80000000u;
constexpr uint32_t kFutexOwnerDied = 0x40000000u;
constexpr uint32_t kNoSuchThread = 0x3FFFFFFFu;  // above any pid_max (at most 2^22)

// The object file of the Local mutex `name`, mapped as a peer that writes it directly would.
class ObjectFile {
 public:
  explicit ObjectFile(const std::string& name) {
    fd_ = ::open(local_object_path(name).c_str(), O_RDWR | O_CLOEXEC);
    if (fd_ >= 0) base_ = mmap(nullptr, kBytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
  }
  ~ObjectFile() {
    if (base_ != MAP_FAILED) munmap(base_, kBytes);
    if (fd_ >= 0) ::close(fd_);
  }
  ObjectFile(const ObjectFile&) = delete;
  ObjectFile& operator=(const ObjectFile&) = delete;

  bool mapped() const { return base_ != MAP_FAILED; }
  void write_data(size_t offset, uint32_t value) { __atomic_store_n(data_word(offset), value, __ATOMIC_SEQ_CST); }
  uint32_t read_data(size_t offset) const { return __atomic_load_n(data_word(offset), __ATOMIC_SEQ_CST); }
  void write_data64(size_t offset, uint64_t value) {
    __atomic_store_n(reinterpret_cast<uint64_t*>(bytes() + kDataPage + offset), value, __ATOMIC_SEQ_CST);
  }
  void write_header64(size_t offset, uint64_t value) { std::memcpy(bytes() + offset, &value, sizeof value); }

 private:
  static constexpr size_t kBytes = 2 * 4096;
  unsigned char* bytes() const { return static_cast<unsigned char*>(base_); }
  uint32_t* data_word(size_t offset) const { return reinterpret_cast<uint32_t*>(bytes() + kDataPage + offset); }

  int fd_ = -1;
  void* base_ = MAP_FAILED;
};

Handle create_mutex(const std::string& name) {
  Handle mutex;
  EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_create(name.c_str(), 0, mutex.out()));
  return mutex;
}

struct Outcome {
  shmlink_status status;
  milliseconds took;
};

// Runs `call` on a new thread (which is not the mutex's owner) and times it.
template <class Call>
Outcome on_another_thread(Call call) {
  return std::async(std::launch::async, [&] {
           const auto start = Clock::now();
           const shmlink_status status = call();
           return Outcome{status, std::chrono::duration_cast<milliseconds>(Clock::now() - start)};
         })
      .get();
}

// Locks the mutex on a new thread and, if that took it, unlocks it there.
Outcome lock_and_unlock_on_another_thread(const Handle& mutex, uint32_t timeout_ms) {
  return on_another_thread([&] {
    const shmlink_status status = shmlink_mutex_lock(mutex.get(), timeout_ms);
    if (SHMLINK_SUCCEEDED(status)) {
      EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get()));
    }
    return status;
  });
}

// The same through shmlink_wait_any beside an unset signal.
Outcome wait_any_and_unlock_on_another_thread(const Handle& mutex, uint32_t timeout_ms) {
  Handle signal;
  EXPECT_STATUS(SHMLINK_OK, shmlink_signal_create(unique_name().c_str(), 0, signal.out()));
  return on_another_thread([&] {
    const shmlink_handle handles[] = {signal.get(), mutex.get()};
    uint32_t index = 77;
    const shmlink_status status = shmlink_wait_any(handles, 2, timeout_ms, &index);
    if (SHMLINK_SUCCEEDED(status)) {
      EXPECT_EQ(index, 1u);
      EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get()));
    }
    return status;
  });
}

// ---- Words written by a hostile or broken peer ----

TEST(MutexSharedState, LinksWrittenWhereGlibcKeptItsRobustListMakeTheOwnerWriteNothingElsewhere) {
  // A glibc robust mutex keeps its robust-list links at these offsets (x86_64), and its
  // owner's unlock writes through them: a peer could make it write anywhere in the owner's
  // process. Point them at memory of ours and see whether anything there changes.
  const std::string name = unique_name();
  const Handle mutex = create_mutex(name);
  ObjectFile file(name);
  ASSERT_TRUE(file.mapped());
  alignas(8) uint64_t target[16];
  for (size_t i = 0; i < 16; ++i) target[i] = 0x5A5A5A5A00000000ull + i;
  const uint64_t link = reinterpret_cast<uintptr_t>(&target[8]);
  target[8] = link;  // a list that ends in itself, should the kernel walk it
  uint64_t expected[16];
  std::memcpy(expected, target, sizeof target);

  std::thread([&] {  // its end makes the kernel walk its robust list too
    EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_lock(mutex.get(), 0));
    file.write_data64(24, link);  // __list.__prev
    file.write_data64(32, link);  // __list.__next
    EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get()));
  }).join();
  for (size_t i = 0; i < 16; ++i) EXPECT_EQ(target[i], expected[i]) << "written through a link from shared memory: " << i;
  EXPECT_STATUS(SHMLINK_OK, lock_and_unlock_on_another_thread(mutex, 0).status) << "and still usable";
}

struct HostileState {
  const char* what;
  uint32_t lock;
  uint32_t owner;
  uint32_t recursion;
  uint32_t wake;
  shmlink_status expected;  // of the next lock, from a thread that does not hold it
};

// States of a free or held mutex that no correct peer leaves, each of which the library can
// judge at once (the kernel answers for the lock word).
const HostileState kStatesJudgedAtOnce[] = {
    {"a lock word naming a thread that does not exist", kNoSuchThread, 0, 0, 0, SHMLINK_ABANDONED},
    {"a lock word of all ones", 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, SHMLINK_ABANDONED},
    {"the waiters bit without an owner", kFutexWaiters, 0, 0, 0, SHMLINK_OK},
    {"the owner-died bit without an owner", kFutexOwnerDied, 0, 0, 0, SHMLINK_OK},
    {"an owner field on a free mutex", 0, 12345, 1, 0, SHMLINK_ABANDONED},
    {"a level count on a free mutex", 0, 0, 0xFFFFFFFFu, 0, SHMLINK_OK},
    {"a wake word of all ones", 0, 0, 0, 0xFFFFFFFFu, SHMLINK_OK},
};

TEST(MutexSharedState, HostileWordsAreJudgedAtOnceAndLeaveAUsableMutex) {
  for (const HostileState& state : kStatesJudgedAtOnce) {
    for (const bool through_wait_any : {false, true}) {
      SCOPED_TRACE(std::string(state.what) + (through_wait_any ? ", through wait_any" : ", through lock"));
      const std::string name = unique_name();
      const Handle mutex = create_mutex(name);
      ObjectFile file(name);
      ASSERT_TRUE(file.mapped());
      file.write_data(kLockWord, state.lock);
      file.write_data(kOwnerWord, state.owner);
      file.write_data(kRecursionWord, state.recursion);
      file.write_data(kWakeWord, state.wake);
      const Outcome outcome = through_wait_any ? wait_any_and_unlock_on_another_thread(mutex, kLongWaitMs)
                                               : lock_and_unlock_on_another_thread(mutex, kLongWaitMs);
      EXPECT_STATUS(state.expected, outcome.status);
      EXPECT_LT(outcome.took, kAtOnce);
      // Unlocked normally: free, not abandoned, for this thread and for another.
      EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_lock(mutex.get(), 0));
      EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, lock_and_unlock_on_another_thread(mutex, 0).status);
      EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get()));
      EXPECT_STATUS(SHMLINK_OK, lock_and_unlock_on_another_thread(mutex, 0).status);
    }
  }
}

TEST(MutexSharedState, ALockWordNamingALiveThreadThatDoesNotHoldItTimesOutAndIsCorruptToThatThread) {
  // Indistinguishable from a mutex that thread holds, for everybody but that thread.
  const std::string name = unique_name();
  const Handle mutex = create_mutex(name);
  ObjectFile file(name);
  ASSERT_TRUE(file.mapped());
  file.write_data(kLockWord, static_cast<uint32_t>(getpid()));  // this, the main thread
  const Outcome locked = lock_and_unlock_on_another_thread(mutex, 200);
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, locked.status);
  EXPECT_LT(locked.took, kAtOnce);
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, wait_any_and_unlock_on_another_thread(mutex, 200).status);
  // The main thread is named, but does not hold it.
  EXPECT_STATUS(SHMLINK_ERR_CORRUPT, shmlink_mutex_lock(mutex.get(), 0));
  EXPECT_STATUS(SHMLINK_ERR_CORRUPT, shmlink_mutex_lock(mutex.get(), kLongWaitMs));
  // Put right by the peer, it works again.
  file.write_data(kLockWord, 0);
  EXPECT_STATUS(SHMLINK_OK, lock_and_unlock_on_another_thread(mutex, 0).status);
}

TEST(MutexSharedState, LevelsOrOwnerOverwrittenWhileHeldMakeTheUnlockCorruptButRelease) {
  for (const size_t word : {kRecursionWord, kOwnerWord}) {
    SCOPED_TRACE(word == kRecursionWord ? "levels" : "owner");
    const std::string name = unique_name();
    const Handle mutex = create_mutex(name);
    ObjectFile file(name);
    ASSERT_TRUE(file.mapped());
    ASSERT_STATUS(SHMLINK_OK, shmlink_mutex_lock(mutex.get(), 0));
    file.write_data(word, word == kRecursionWord ? 0 : 12345);
    EXPECT_STATUS(SHMLINK_ERR_CORRUPT, shmlink_mutex_unlock(mutex.get()));
    EXPECT_STATUS(SHMLINK_ERR_NOT_OWNER, shmlink_mutex_unlock(mutex.get()));
    EXPECT_STATUS(SHMLINK_OK, lock_and_unlock_on_another_thread(mutex, 0).status);
  }
}

TEST(MutexSharedState, ALockWordTakenFromItsOwnerMakesItsUnlockNotOwner) {
  const std::string name = unique_name();
  const Handle mutex = create_mutex(name);
  ObjectFile file(name);
  ASSERT_TRUE(file.mapped());
  ASSERT_STATUS(SHMLINK_OK, shmlink_mutex_lock(mutex.get(), 0));
  file.write_data(kLockWord, kNoSuchThread);
  EXPECT_STATUS(SHMLINK_ERR_NOT_OWNER, shmlink_mutex_unlock(mutex.get()));
  EXPECT_STATUS(SHMLINK_ABANDONED, lock_and_unlock_on_another_thread(mutex, kLongWaitMs).status);
  EXPECT_STATUS(SHMLINK_OK, lock_and_unlock_on_another_thread(mutex, 0).status);
}

TEST(MutexSharedState, ALevelCountAtItsMaximumRefusesOneMoreLevel) {
  const std::string name = unique_name();
  const Handle mutex = create_mutex(name);
  ObjectFile file(name);
  ASSERT_TRUE(file.mapped());
  ASSERT_STATUS(SHMLINK_OK, shmlink_mutex_lock(mutex.get(), 0));
  file.write_data(kRecursionWord, 0x7FFFFFFFu);
  EXPECT_STATUS(SHMLINK_ERR_NO_RESOURCES, shmlink_mutex_lock(mutex.get(), 0));
  file.write_data(kRecursionWord, 1);
  EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get()));
}

// ---- Owners that die holding several levels ----

TEST(MutexSharedState, PeerKilledHoldingThreeLevelsWhileWeWaitHandsOverOneLevel) {
  const std::string name = unique_name();
  const Handle mutex = create_mutex(name);
  auto peer = start_peer({"mutex-hold", name, "3"});
  ASSERT_NO_FATAL_FAILURE(expect_line(*peer, "locked SHMLINK_OK"));
  std::promise<void> let_go;
  auto waiter = std::async(std::launch::async, [&] {
    const shmlink_status status = shmlink_mutex_lock(mutex.get(), kLongWaitMs);
    // One level, whatever the dead owner held.
    const shmlink_status unlocked = shmlink_mutex_unlock(mutex.get());
    const shmlink_status unlocked_again = shmlink_mutex_unlock(mutex.get());
    return std::vector<shmlink_status>{status, unlocked, unlocked_again};
  });
  std::this_thread::sleep_for(milliseconds(100));  // let it block (the outcome is the same if not)
  peer->kill();
  ASSERT_TRUE(peer->wait().has_value());
  const std::vector<shmlink_status> statuses = waiter.get();
  EXPECT_STATUS(SHMLINK_ABANDONED, statuses[0]);
  EXPECT_STATUS(SHMLINK_OK, statuses[1]);
  EXPECT_STATUS(SHMLINK_ERR_NOT_OWNER, statuses[2]);
  EXPECT_STATUS(SHMLINK_OK, lock_and_unlock_on_another_thread(mutex, 0).status) << "free, not abandoned";
}

TEST(MutexSharedState, PeerKilledHoldingThreeLevelsWithNobodyWaitingHandsOverOneLevel) {
  const std::string name = unique_name();
  const Handle mutex = create_mutex(name);
  auto peer = start_peer({"mutex-hold", name, "3"});
  ASSERT_NO_FATAL_FAILURE(expect_line(*peer, "locked SHMLINK_OK"));
  peer->kill();
  ASSERT_TRUE(peer->wait().has_value());
  EXPECT_STATUS(SHMLINK_ABANDONED, shmlink_mutex_lock(mutex.get(), kLongWaitMs));
  EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_lock(mutex.get(), 0)) << "and this thread's own second level";
  EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get()));
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, lock_and_unlock_on_another_thread(mutex, 0).status);
  EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get()));
  EXPECT_STATUS(SHMLINK_ERR_NOT_OWNER, shmlink_mutex_unlock(mutex.get()));
  EXPECT_STATUS(SHMLINK_OK, lock_and_unlock_on_another_thread(mutex, 0).status);
}

// ---- Layouts ----

// What a peer says when it opens the mutex `name`: "locked ..." or "error ...".
std::string first_words_of_a_peer_opening(const std::string& name) {
  auto peer = start_peer({"mutex-hold", name});
  const std::optional<std::string> line = peer->read_line();
  peer->close_stdin();
  peer->wait();
  if (!line) return "nothing";
  const size_t colon = line->find(':');
  return colon == std::string::npos ? *line : line->substr(0, colon);
}

TEST(MutexSharedState, AMutexObjectOfAnotherLayoutIsIncompatible) {
  // A pthread_mutex_t of earlier versions (40 bytes on x86_64, 24 on i386), or another
  // protocol in this layout's size.
  const std::string name = unique_name();
  const Handle mutex = create_mutex(name);
  ObjectFile file(name);
  ASSERT_TRUE(file.mapped());
  for (const uint64_t pthread_size : {40u, 24u}) {
    file.write_header64(kHeaderDataBytes, pthread_size);
    EXPECT_EQ(first_words_of_a_peer_opening(name), "error SHMLINK_ERR_INCOMPATIBLE") << pthread_size;
  }
  file.write_header64(kHeaderDataBytes, 32);
  EXPECT_EQ(first_words_of_a_peer_opening(name), "locked SHMLINK_OK");
  file.write_data(kProtocolWord, file.read_data(kProtocolWord) + 1);
  EXPECT_EQ(first_words_of_a_peer_opening(name), "error SHMLINK_ERR_INCOMPATIBLE");
}

// ---- 32-bit and 64-bit processes ----

// The peers come from peer_program(): this build's own, or in the interop runs
// (tests/interop, SHMLINK_PEER_DIR) the peer of the other width's build.

TEST(MutexSharedState, APeerSharesTheMutexAndItsAbandonment) {
  const ProgramFile peer_path = peer_program();
  const std::string name = unique_name();
  const Handle mutex = create_mutex(name);

  // It waits for us, gets the mutex when we let go, and keeps it from us.
  ASSERT_STATUS(SHMLINK_OK, shmlink_mutex_lock(mutex.get(), 0));
  auto peer = std::make_unique<Process>(peer_path, std::vector<std::string>{"mutex-hold", name, "2"});
  std::this_thread::sleep_for(milliseconds(100));
  ASSERT_STATUS(SHMLINK_OK, shmlink_mutex_unlock(mutex.get()));
  ASSERT_NO_FATAL_FAILURE(expect_line(*peer, "locked SHMLINK_OK"));
  EXPECT_STATUS(SHMLINK_ERR_TIMEOUT, shmlink_mutex_lock(mutex.get(), 50));
  // Killed while we wait: abandoned to us, with one level.
  auto waiter = std::async(std::launch::async, [&] {
    const shmlink_status status = shmlink_mutex_lock(mutex.get(), kLongWaitMs);
    const shmlink_status unlocked = shmlink_mutex_unlock(mutex.get());
    return std::make_pair(status, unlocked);
  });
  std::this_thread::sleep_for(milliseconds(100));
  peer->kill();
  ASSERT_TRUE(peer->wait().has_value());
  const auto [status, unlocked] = waiter.get();
  EXPECT_STATUS(SHMLINK_ABANDONED, status);
  EXPECT_STATUS(SHMLINK_OK, unlocked);

  // We die holding it (a thread that ends), with nobody waiting: abandoned to the peer.
  run_on_a_thread_that_ends([&] { EXPECT_STATUS(SHMLINK_OK, shmlink_mutex_lock(mutex.get(), 0)); });
  auto second = std::make_unique<Process>(peer_path, std::vector<std::string>{"mutex-hold", name});
  ASSERT_NO_FATAL_FAILURE(expect_line(*second, "locked SHMLINK_ABANDONED"));
  ASSERT_NO_FATAL_FAILURE(release(*second));
  EXPECT_STATUS(SHMLINK_OK, lock_and_unlock_on_another_thread(mutex, 0).status);
}

TEST(MutexSharedState, PeerProcessesCountingUnderTheMutexLoseNoIncrement) {
  const ProgramFile peer_path = peer_program();
  constexpr uint64_t kIterations = 50000;
  const std::string mutex_name = unique_name();
  const std::string segment_name = unique_name();
  const std::string start_name = unique_name();
  const Handle mutex = create_mutex(mutex_name);
  Handle segment;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(segment_name.c_str(), sizeof(uint64_t), 0, segment.out()));
  Handle start;
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_create(start_name.c_str(), SHMLINK_SIGNAL_MANUAL_RESET, start.out()));
  const std::vector<std::string> arguments = {"mutex-count", mutex_name, segment_name, std::to_string(kIterations),
                                              start_name};
  std::vector<std::unique_ptr<Process>> peers;
  peers.push_back(std::make_unique<Process>(peer_path, arguments));
  peers.push_back(start_peer(arguments));
  for (auto& peer : peers) ASSERT_NO_FATAL_FAILURE(expect_line(*peer, "ready"));
  ASSERT_STATUS(SHMLINK_OK, shmlink_signal_set(start.get()));
  for (auto& peer : peers) {
    const std::optional<std::string> line = peer->read_line(std::chrono::minutes(3));
    ASSERT_TRUE(line.has_value()) << "a peer did not finish counting";
    EXPECT_EQ(*line, "counted");
    EXPECT_EQ(peer->wait(), std::optional<int>(0));
  }
  View view;
  ASSERT_STATUS(SHMLINK_OK, map_view(segment.get(), 0, 0, SHMLINK_ACCESS_READ, view));
  uint64_t count = 0;
  std::memcpy(&count, view.bytes(), sizeof count);
  EXPECT_EQ(count, 2 * kIterations);
}

}  // namespace
}  // namespace shmlink_test

#endif  // _WIN32
