// What creating and opening a named object costs beside many other files in /dev/shm (issue
// 12, point 14): every create used to read all of /dev/shm looking for objects crashed
// processes left, so its cost grew with the number of files there, anyone's.
//
//   create_cost [max_files] [rounds]     (defaults: 100000 files, 2000 rounds per row)
//
// For 0, 1,000, 10,000 and 100,000 files (up to max_files) of another user (chowned to
// nobody when run as root; otherwise this user's, named for another user id), and for 2,000
// live objects of this user held open by this process, it measures the median and 99th
// percentile of: a signal's create + close, a segment's create + close, an open + close of a
// held signal, and as the alternative a user would write by hand, shm_open + ftruncate + mmap
// + munmap + close + shm_unlink of a plain POSIX shared memory object.
// Every file it makes is removed before it exits, also when a step fails.
#include "bench_support.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

// The filler files this run made, removed at exit whatever happens (atexit runs on bench::die).
std::vector<std::string>& filler_files() {
  static std::vector<std::string> files;
  return files;
}
void remove_filler_files() {
  for (const std::string& path : filler_files()) unlink(path.c_str());
  filler_files().clear();
}

void add_filler_files(size_t count, const std::string& prefix) {
  const bool root = geteuid() == 0;
  while (filler_files().size() < count) {
    const std::string path = prefix + std::to_string(filler_files().size());
    const int fd = open(path.c_str(), O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) bench::fail("creating a filler file in /dev/shm");
    filler_files().push_back(path);
    if (root && fchown(fd, 65534, 65534) != 0) bench::fail("fchown");
    close(fd);
  }
}

struct Percentiles {
  double median_us;
  double p99_us;
};

Percentiles measure(int rounds, const std::function<void()>& step) {
  std::vector<double> samples;
  samples.reserve(static_cast<size_t>(rounds));
  for (int i = 0; i < rounds; ++i) {
    const auto start = Clock::now();
    step();
    samples.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
  }
  std::sort(samples.begin(), samples.end());
  return {samples[samples.size() / 2], samples[std::min(samples.size() - 1, samples.size() * 99 / 100)]};
}

void print_row(const char* situation, size_t files, const char* operation, Percentiles p) {
  std::printf("| %-34s | %7zu | %-30s | %9.1f | %9.1f |\n", situation, files, operation, p.median_us, p.p99_us);
  std::fflush(stdout);
}

void measure_all(const char* situation, size_t files, int rounds, const std::string& tag) {
  const std::string signal_name = "bench-create-" + tag + "-signal";
  const std::string segment_name = "bench-create-" + tag + "-segment";
  print_row(situation, files, "signal create + close", measure(rounds, [&] {
              shmlink_handle signal = 0;
              bench::check(shmlink_signal_create(signal_name.c_str(), SHMLINK_SIGNAL_AUTO_RESET, &signal),
                           "shmlink_signal_create");
              shmlink_close(signal);
            }));
  print_row(situation, files, "segment (64 KiB) create + close", measure(rounds, [&] {
              shmlink_handle segment = 0;
              bench::check(shmlink_segment_create(segment_name.c_str(), 65536, SHMLINK_CREATE_NEW, &segment),
                           "shmlink_segment_create");
              shmlink_close(segment);
            }));
  shmlink_handle held = 0;
  bench::check(shmlink_signal_create(signal_name.c_str(), SHMLINK_SIGNAL_AUTO_RESET, &held), "shmlink_signal_create");
  print_row(situation, files, "signal open + close", measure(rounds, [&] {
              shmlink_handle opened = 0;
              bench::check(shmlink_signal_open(signal_name.c_str(), &opened), "shmlink_signal_open");
              shmlink_close(opened);
            }));
  shmlink_close(held);
  const std::string plain = "/bench-create-" + tag + "-plain";
  print_row(situation, files, "plain shm_open..shm_unlink", measure(rounds, [&] {
              const int fd = shm_open(plain.c_str(), O_CREAT | O_EXCL | O_RDWR, 0600);
              if (fd < 0) bench::fail("shm_open");
              if (ftruncate(fd, 65536) != 0) bench::fail("ftruncate");
              void* memory = mmap(nullptr, 65536, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
              if (memory == MAP_FAILED) bench::fail("mmap");
              munmap(memory, 65536);
              close(fd);
              shm_unlink(plain.c_str());
            }));
}

}  // namespace

int main(int argc, char** argv) {
  const size_t max_files = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 100000;
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 2000;
  if (rounds <= 0) {
    std::fprintf(stderr, "usage: create_cost [max_files] [rounds > 0]\n");
    return 2;
  }
  std::atexit(remove_filler_files);
  const std::string tag = std::to_string(getpid());
  // Named like another user's objects: shmlink.<uid>.*, with a user id that is not ours.
  const std::string other_user = std::to_string(geteuid() == 65534 ? 65533 : 65534);
  const std::string prefix = "/dev/shm/shmlink." + other_user + ".bench-" + tag + "-";

  std::printf("| situation | files in /dev/shm | operation | median us | p99 us |\n");
  std::printf("| --- | ---: | --- | ---: | ---: |\n");
  for (size_t files : {size_t{0}, size_t{1000}, size_t{10000}, size_t{100000}}) {
    if (files > max_files) break;
    add_filler_files(files, prefix);
    measure_all(geteuid() == 0 ? "beside another user's files" : "beside files named for another user", files,
                rounds, tag);
  }
  remove_filler_files();

  // 2,000 live objects of this user, held by this process (the old scan opened and tried to
  // lock every one of them on each create).
  const size_t live = std::min<size_t>(2000, max_files);
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < live + 256) {
    limit.rlim_cur = std::min<rlim_t>(limit.rlim_max, live + 256);
    setrlimit(RLIMIT_NOFILE, &limit);
  }
  std::vector<shmlink_handle> held;
  for (size_t i = 0; i < live; ++i) {
    shmlink_handle signal = 0;
    const std::string name = "bench-create-" + tag + "-live-" + std::to_string(i);
    bench::check(shmlink_signal_create(name.c_str(), SHMLINK_SIGNAL_AUTO_RESET, &signal), "holding live objects");
    held.push_back(signal);
  }
  measure_all("beside this user's live objects", live, rounds, tag);
  for (shmlink_handle handle : held) shmlink_close(handle);
  return 0;
}
