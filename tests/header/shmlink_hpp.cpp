// shmlink.hpp alone (nothing before it), compiled as C++17 with -pedantic -Werror, and a short
// run through the RAII layer: versions, create / open_or_create / open, views outliving their
// segment, handles closing themselves, and Error carrying the library's status and message;
// then every template of the synchronisation and channel classes instantiated once, so that the
// strict warnings see them too (tests/cpp_wrapper_test.cpp tests their behaviour).
#include <shmlink/shmlink.hpp>

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <functional>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace {

int failures = 0;

void expect(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "FAILED: %s\n", what);
    ++failures;
  }
}

// A name no other run uses at the same time.
std::string unique_name() {
  const auto ticks = std::chrono::steady_clock::now().time_since_epoch().count();
  return "shmlink-headertest-" + std::to_string(std::random_device{}()) + "-" +
         std::to_string(static_cast<unsigned long long>(ticks));
}

template <class Function>
shmlink_status status_thrown(Function function) {
  try {
    function();
  } catch (const shmlink::Error& error) {
    expect(std::strlen(error.what()) > 0, "Error::what() says something");
    expect(std::strcmp(error.status_name(), shmlink_status_name(error.status())) == 0,
           "Error::status_name() is shmlink_status_name(status())");
    return error.status();
  }
  return SHMLINK_OK;
}

void segments_and_views() {
  const std::string name = unique_name();
  const char text[] = "written through shmlink.hpp";
  shmlink::View view;
  shmlink_handle segment_handle = 0;
  {
    shmlink::Segment segment = shmlink::Segment::create(name, 100);
    segment_handle = segment.handle().get();
    expect(segment.size() == 100, "Segment::size() is the size created");
    expect(segment.access() == shmlink::Access::read_write, "a created segment is read-write");

    auto [again, created] = shmlink::Segment::open_or_create(name, 100);
    expect(!created, "open_or_create reports an existing segment as not created");
    expect(static_cast<bool>(again), "open_or_create gives a segment");

    view = segment.map(10);
    expect(view.size() == 90, "a view from offset 10 to the end has 90 bytes");
    std::memcpy(view.data(), text, sizeof text);
    view.flush();
  }  // both segment handles are closed here
  expect(shmlink_handle_kind(segment_handle) == SHMLINK_ERR_BAD_HANDLE, "~Segment closes its handle");
  expect(std::memcmp(view.data(), text, sizeof text) == 0, "the view outlives its segment");

  {
    const shmlink::Segment reader = shmlink::Segment::open(name, shmlink::Access::read);
    const shmlink::View read_view = reader.map(10, sizeof text);
    expect(read_view.size() == sizeof text, "a view has the length asked for");
    expect(std::memcmp(read_view.data(), text, sizeof text) == 0, "another view sees the data");
    expect(status_thrown([&] { (void)reader.map(0, 0, shmlink::Access::read_write); }) == SHMLINK_ERR_ACCESS_DENIED,
           "a read-write view of a read-only segment throws ACCESS_DENIED");
  }

  expect(status_thrown([&] { (void)view.at(80, 11); }) == SHMLINK_ERR_OUT_OF_RANGE, "View::at checks bounds");
  expect(view.at(80, 10) == view.data() + 80, "View::at gives the byte asked for");

  shmlink::View moved = std::move(view);
  expect(!view && view.data() == nullptr && view.size() == 0, "a moved-from view is empty");
  expect(moved.size() == 90, "the moved-to view has the mapping");
  moved.close();
  expect(!moved, "View::close empties the view");

  // The last view is gone, so is the segment.
  expect(status_thrown([&] { (void)shmlink::Segment::open(name); }) == SHMLINK_ERR_NOT_FOUND,
         "the segment is gone with its last handle and view");
}

void open_or_create_creates() {
  const std::string name = unique_name();
  auto [segment, created] = shmlink::Segment::open_or_create(name, 64);
  expect(created, "open_or_create reports a new segment as created");
  expect(segment.size() == 64, "the created segment has the size asked for");
}

void errors_and_handles() {
  const std::string missing = unique_name();
  expect(status_thrown([&] { (void)shmlink::Segment::open(missing); }) == SHMLINK_ERR_NOT_FOUND,
         "opening a missing segment throws NOT_FOUND");
  try {
    (void)shmlink::Segment::open(missing);
  } catch (const shmlink::Error& error) {
    expect(error.message().find(missing) != std::string::npos, "Error::message() names the object");
  }
  expect(status_thrown([] { (void)shmlink::Segment::create(std::string("a\0b", 3), 1); }) ==
             SHMLINK_ERR_INVALID_ARGUMENT,
         "a name with a NUL byte is refused, not truncated");

  shmlink_handle raw = 0;
  expect(shmlink_segment_create(unique_name().c_str(), 1, SHMLINK_CREATE_NEW, &raw) == SHMLINK_OK,
         "shmlink_segment_create succeeds");
  {
    shmlink::Handle handle(raw);
    shmlink::Handle moved(std::move(handle));
    expect(!handle && moved.get() == raw, "moving a Handle moves ownership");
    expect(shmlink_handle_kind(raw) == SHMLINK_KIND_SEGMENT, "the handle is open while owned");
  }
  expect(shmlink_handle_kind(raw) == SHMLINK_ERR_BAD_HANDLE, "~Handle closes the handle");
}


void sync_objects_and_channels() {
  using namespace std::chrono_literals;
  const shmlink::Signal signal = shmlink::Signal::create(unique_name(), shmlink::Signal::Reset::automatic);
  expect(!signal.wait(0ms), "a new signal is not set");
  signal.set();
  expect(signal.wait(std::chrono::microseconds(1500)), "a set signal releases a wait (any duration)");
  expect(shmlink::Timeout(std::chrono::duration<double>(0.0015)).milliseconds() == 2, "timeouts round up");

  shmlink::Mutex mutex = shmlink::Mutex::create(unique_name());
  {
    const std::lock_guard<shmlink::Mutex> guard(mutex);
    const shmlink::MutexLock again(mutex, 1s);
    expect(again.owns_lock() && !again.abandoned(), "a MutexLock locks recursively for the owning thread");
  }
  expect(mutex.try_lock_for(std::chrono::nanoseconds(1)), "the guards unlocked the mutex");
  mutex.unlock();

  const shmlink::Semaphore semaphore = shmlink::Semaphore::create(unique_name(), 0, 2);
  expect(semaphore.release() == 0, "Semaphore::release gives the previous count");
  const std::optional<shmlink::WaitAnyResult> woken = shmlink::wait_any({signal, semaphore}, shmlink::forever);
  expect(woken && woken->index == 1 && !woken->abandoned, "wait_any gives the index of the available object");
  const std::vector<std::reference_wrapper<const shmlink::Waitable>> objects{signal, semaphore};
  expect(!shmlink::wait_any(objects, 0ms), "wait_any gives nullopt when its time runs out");

  shmlink::Channel channel =
      shmlink::Channel::create(unique_name(), 4096, 1000, shmlink::Channel::Role::both);
  channel.send(std::string("text"));
  expect(channel.send(std::vector<std::byte>(300, std::byte{7}), 0ms), "a message of bytes is sent");
  channel.send("literal");
  expect(channel.receive_string() == "text", "receive_string gives the first message");
  const std::optional<std::vector<std::byte>> bytes = channel.receive(0ms);
  expect(bytes && bytes->size() == 300 && (*bytes)[299] == std::byte{7}, "receive gives a long message whole");
  expect(channel.receive_string(std::chrono::duration<double>(0.5)) == std::optional<std::string>("literal"),
         "receive_string takes any duration");
  shmlink::Channel::Reservation reservation = channel.reserve(5);
  std::memcpy(reservation.data(), "hello", 5);
  reservation.commit();
  {
    const shmlink::Channel::Message message = channel.peek();
    expect(message.as_string_view() == "hello", "peek gives the committed message in place");
  }
  expect(!channel.peek(0ms), "the Message's end consumed it");
}

}  // namespace

int main() {
  expect(shmlink_version_number() == SHMLINK_VERSION_NUMBER, "compile-time and run-time versions match");
  try {
    segments_and_views();
    open_or_create_creates();
    errors_and_handles();
    sync_objects_and_channels();
  } catch (const shmlink::Error& error) {
    std::fprintf(stderr, "FAILED: unexpected shmlink::Error: %s\n", error.what());
    ++failures;
  }
  if (failures == 0) std::printf("shmlink.hpp: all checks passed\n");
  return failures == 0 ? 0 : 1;
}
