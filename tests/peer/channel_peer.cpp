// The peer helper's channel commands (see peer_protocol.h).
#include "channel_messages.h"
#include "peer_support.h"

#include <shmlink/shmlink.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <thread>
#include <string>
#include <vector>

namespace shmlink_test::peer {
namespace {

void hold_until_stdin_closes() {
  while (std::fgetc(stdin) != EOF) {
  }
}

shmlink_handle open_channel(const char* name, uint32_t roles) {
  shmlink_handle channel = 0;
  check(shmlink_channel_open(name, roles, &channel), "open the channel");
  return channel;
}

// Batches of 1 to kBatch messages (the sizes vary), copied in or written in place.
constexpr uint32_t kBatch = 16;
void send_batches(shmlink_handle channel, uint32_t sender, uint32_t count, uint32_t max_length, bool zero_copy) {
  std::vector<uint8_t> buffers(size_t{kBatch} * max_length);
  shmlink_channel_message messages[kBatch];
  for (uint32_t sequence = 0; sequence < count;) {
    const uint32_t batch = std::min(count - sequence, 1 + sequence % kBatch);
    for (uint32_t i = 0; i < batch; ++i) {
      messages[i].length = stress_length(sender, sequence + i, max_length);
      messages[i].data = buffers.data() + size_t{i} * max_length;
      if (!zero_copy) fill_stress_message(buffers.data() + size_t{i} * max_length, sender, sequence + i,
                                          messages[i].length);
    }
    uint32_t done = 0;
    if (zero_copy) {
      check(shmlink_channel_reserve_batch(channel, messages, batch, SHMLINK_INFINITE, &done), "reserve_batch");
      for (uint32_t i = 0; i < done; ++i)
        fill_stress_message(static_cast<uint8_t*>(messages[i].data), sender, sequence + i, messages[i].length);
      check(shmlink_channel_commit_batch(channel, messages, done), "commit_batch");
    } else {
      check(shmlink_channel_send_batch(channel, messages, batch, SHMLINK_INFINITE, &done), "send_batch");
    }
    sequence += done;
  }
}

// channel-send NAME SENDER COUNT MAX_LENGTH copy|zerocopy|mixed|batch|zerobatch
void send_messages(const char* name, uint32_t sender, uint32_t count, uint32_t max_length, const std::string& mode) {
  const shmlink_handle channel = open_channel(name, SHMLINK_CHANNEL_SENDER);
  say("ready");
  std::vector<uint8_t> message(max_length);
  if (mode == "batch" || mode == "zerobatch") {
    send_batches(channel, sender, count, max_length, mode == "zerobatch");
    check(shmlink_close(channel), "close");
    say("sent " + std::to_string(count));
    return;
  }
  for (uint32_t sequence = 0; sequence < count; ++sequence) {
    const uint32_t length = stress_length(sender, sequence, max_length);
    const bool zero_copy = mode == "zerocopy" || (mode == "mixed" && sequence % 2 == 1);
    if (zero_copy) {
      void* buffer = nullptr;
      // Reserve the most, commit what the message needs: exercises the shorter commit.
      check(shmlink_channel_reserve(channel, max_length, SHMLINK_INFINITE, &buffer), "reserve");
      fill_stress_message(static_cast<uint8_t*>(buffer), sender, sequence, length);
      check(shmlink_channel_commit(channel, length), "commit");
    } else {
      fill_stress_message(message.data(), sender, sequence, length);
      check(shmlink_channel_send(channel, message.data(), length, SHMLINK_INFINITE), "send");
    }
  }
  check(shmlink_close(channel), "close");
  say("sent " + std::to_string(count));
}

// channel-receive NAME MARKS PER_SENDER MAX_LENGTH copy|peek|mixed|batch|peekbatch: receives until CLOSED, checks every
// message and marks it in segment MARKS (one byte per sender and sequence number).
void receive_messages(const char* name, const char* marks_name, uint32_t per_sender, uint32_t max_length,
                      const std::string& mode) {
  const shmlink_handle channel = open_channel(name, SHMLINK_CHANNEL_RECEIVER);
  shmlink_handle marks_segment = 0;
  shmlink_handle marks_view = 0;
  void* address = nullptr;
  check(shmlink_segment_open(marks_name, SHMLINK_ACCESS_READ_WRITE, &marks_segment), "open the marks");
  check(shmlink_map(marks_segment, 0, 0, SHMLINK_ACCESS_READ_WRITE, &marks_view, &address), "map the marks");
  uint64_t marks_bytes = 0;
  check(shmlink_segment_size(marks_segment, &marks_bytes), "size of the marks");
  auto* marks = static_cast<uint8_t*>(address);
  say("ready");
  std::vector<uint8_t> buffer(max_length);
  std::map<uint32_t, uint32_t> next_sequence;  // per sender: sequence numbers only grow
  uint64_t received = 0;
  // Checks one message and marks it.
  auto take = [&](const uint8_t* data, uint32_t length) {
    StressHead head{};
    if (!check_stress_message(data, length, max_length, &head)) {
      say("error corrupt message of " + std::to_string(length) + " bytes");
      std::exit(1);
    }
    const uint64_t mark = uint64_t{head.sender} * per_sender + head.sequence;
    if (head.sequence >= per_sender || mark >= marks_bytes) {
      say("error message out of range: sender " + std::to_string(head.sender) + " #" + std::to_string(head.sequence));
      std::exit(1);
    }
    auto expected = next_sequence.find(head.sender);
    if (expected != next_sequence.end() && head.sequence < expected->second) {
      say("error out of order: sender " + std::to_string(head.sender) + " #" + std::to_string(head.sequence) +
          " after #" + std::to_string(expected->second - 1));
      std::exit(1);
    }
    next_sequence[head.sender] = head.sequence + 1;
    if (__atomic_fetch_add(&marks[mark], 1, __ATOMIC_ACQ_REL) != 0) {
      say("error duplicate: sender " + std::to_string(head.sender) + " #" + std::to_string(head.sequence));
      std::exit(1);
    }
    ++received;
  };
  if (mode == "batch" || mode == "peekbatch") {
    // Batches of 1 to kBatch into buffers of the largest length, or peeked in place.
    std::vector<uint8_t> buffers(size_t{kBatch} * max_length);
    shmlink_channel_message messages[kBatch];
    for (uint64_t index = 0;; ++index) {
      const uint32_t batch = 1 + index % kBatch;
      uint32_t done = 0;
      shmlink_status status;
      if (mode == "batch") {
        for (uint32_t i = 0; i < batch; ++i) messages[i] = {buffers.data() + size_t{i} * max_length, 0, max_length};
        status = shmlink_channel_receive_batch(channel, messages, batch, SHMLINK_INFINITE, &done);
      } else {
        status = shmlink_channel_peek_batch(channel, messages, batch, SHMLINK_INFINITE, &done);
      }
      if (status == SHMLINK_ERR_CLOSED) break;
      check(status, mode == "batch" ? "receive_batch" : "peek_batch");
      for (uint32_t i = 0; i < done; ++i) take(static_cast<const uint8_t*>(messages[i].data), messages[i].length);
      if (mode == "peekbatch") check(shmlink_channel_consume_batch(channel, done), "consume_batch");
    }
  }
  for (uint64_t index = 0; mode != "batch" && mode != "peekbatch"; ++index) {
    const bool peek = mode == "peek" || (mode == "mixed" && index % 2 == 1);
    const uint8_t* data = nullptr;
    uint32_t length = 0;
    shmlink_status status;
    if (peek) {
      const void* peeked = nullptr;
      status = shmlink_channel_peek(channel, SHMLINK_INFINITE, &peeked, &length);
      data = static_cast<const uint8_t*>(peeked);
    } else {
      status = shmlink_channel_receive(channel, buffer.data(), max_length, &length, SHMLINK_INFINITE);
      data = buffer.data();
    }
    if (status == SHMLINK_ERR_CLOSED) break;
    check(status, peek ? "peek" : "receive");
    take(data, length);
    if (peek) check(shmlink_channel_consume(channel), "consume");
  }
  check(shmlink_unmap(marks_view), "unmap the marks");
  check(shmlink_close(marks_segment), "close the marks");
  check(shmlink_close(channel), "close");
  say("received " + std::to_string(received));
}

uint32_t roles_from(const std::string& role) {
  if (role == "sender") return SHMLINK_CHANNEL_SENDER;
  if (role == "receiver") return SHMLINK_CHANNEL_RECEIVER;
  if (role == "both") return SHMLINK_CHANNEL_SENDER | SHMLINK_CHANNEL_RECEIVER;
  usage("a role is sender, receiver or both");
}

}  // namespace

bool run_channel_command(const std::string& command, int argc, char** argv) {
  const char* name = argv[2];
  if (command == "channel-send") {
    if (argc < 7) usage("channel-send NAME SENDER COUNT MAX_LENGTH copy|zerocopy|mixed|batch|zerobatch");
    send_messages(name, static_cast<uint32_t>(number(argv[3])), static_cast<uint32_t>(number(argv[4])),
                  static_cast<uint32_t>(number(argv[5])), argv[6]);
  } else if (command == "channel-receive") {
    if (argc < 7) usage("channel-receive NAME MARKS PER_SENDER MAX_LENGTH copy|peek|mixed|batch|peekbatch");
    receive_messages(name, argv[3], static_cast<uint32_t>(number(argv[4])), static_cast<uint32_t>(number(argv[5])),
                     argv[6]);
  } else if (command == "channel-hold") {
    if (argc < 4) usage("channel-hold NAME sender|receiver|both");
    const shmlink_handle channel = open_channel(name, roles_from(argv[3]));
    say("ready");
    hold_until_stdin_closes();
    check(shmlink_close(channel), "close");
    say("closed");
  } else if (command == "channel-exit-while-receiving") {
    // Creates channel NAME, leaves a thread blocked in a receive on it, and returns from main:
    // the process exits with the channel still in use.
    shmlink_handle channel = 0;
    check(shmlink_channel_create(name, 4096, 64, SHMLINK_CHANNEL_SENDER | SHMLINK_CHANNEL_RECEIVER, &channel),
          "create the channel");
    std::thread([channel] {
      char buffer[64];
      uint32_t length = 0;
      shmlink_channel_receive(channel, buffer, sizeof buffer, &length, SHMLINK_INFINITE);
    }).detach();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the thread is asleep in the receive by now
    say("exiting");
  } else if (command == "channel-reserve-hold") {
    if (argc < 4) usage("channel-reserve-hold NAME LENGTH");
    const shmlink_handle channel = open_channel(name, SHMLINK_CHANNEL_SENDER);
    void* buffer = nullptr;
    check(shmlink_channel_reserve(channel, static_cast<uint32_t>(number(argv[3])), SHMLINK_INFINITE, &buffer),
          "reserve");
    say("reserved");
    hold_until_stdin_closes();
    check(shmlink_close(channel), "close");
    say("closed");
  } else if (command == "channel-peek-hold") {
    const shmlink_handle channel = open_channel(name, SHMLINK_CHANNEL_RECEIVER);
    const void* data = nullptr;
    uint32_t length = 0;
    check(shmlink_channel_peek(channel, SHMLINK_INFINITE, &data, &length), "peek");
    say("peeked " + std::to_string(length));
    hold_until_stdin_closes();
    check(shmlink_close(channel), "close");
    say("closed");
  } else if (command == "channel-receive-once") {
    if (argc < 4) usage("channel-receive-once NAME TIMEOUT_MS");
    const shmlink_handle channel = open_channel(name, SHMLINK_CHANNEL_RECEIVER);
    say("ready");
    std::vector<uint8_t> buffer(1 << 16);
    uint32_t length = 0;
    const std::string timeout = argv[3];
    const shmlink_status status =
        shmlink_channel_receive(channel, buffer.data(), static_cast<uint32_t>(buffer.size()), &length,
                                timeout == "infinite" ? SHMLINK_INFINITE : static_cast<uint32_t>(number(argv[3])));
    say(std::string("receive ") + shmlink_status_name(status) +
        (status == SHMLINK_OK ? " " + std::string(reinterpret_cast<const char*>(buffer.data()), length) : ""));
    check(shmlink_close(channel), "close");
  } else if (command == "channel-send-once") {
    if (argc < 5) usage("channel-send-once NAME TEXT TIMEOUT_MS");
    const shmlink_handle channel = open_channel(name, SHMLINK_CHANNEL_SENDER);
    say("ready");
    const std::string text = argv[3];
    const std::string timeout = argv[4];
    const shmlink_status status =
        shmlink_channel_send(channel, text.data(), static_cast<uint32_t>(text.size()),
                             timeout == "infinite" ? SHMLINK_INFINITE : static_cast<uint32_t>(number(argv[4])));
    say(std::string("send ") + shmlink_status_name(status));
    check(shmlink_close(channel), "close");
  } else {
    return false;
  }
  return true;
}

}  // namespace shmlink_test::peer
