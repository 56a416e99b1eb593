// channel_consumer.cpp - the C channel consumer with shmlink.hpp: receives channel_producer's
// messages in place (zero copy: peek, then consume) and prints one per line ("received
// message 1"), until the producer is gone and the channel is empty. Start it before or after
// the producer; the protocol is in examples/c/channel_producer.c.
//
//   usage: cpp_channel_consumer [name]      default: "shmlink-channel-demo"
//
// Exit codes: 0 after SHMLINK_ERR_CLOSED (everything received), 1 on a failure, 3 if no
// message came for 30 s.
#include <shmlink/shmlink.hpp>

#include <chrono>
#include <iostream>
#include <optional>
#include <string>

int main(int argc, char** argv) {
  using namespace std::chrono_literals;
  if (argc > 2) {
    std::cerr << "usage: cpp_channel_consumer [name]\n";
    return 2;
  }
  const std::string name = argc > 1 ? argv[1] : "shmlink-channel-demo";
  try {
    // Opened or created: the producer may start before or after this consumer.
    const shmlink::Channel channel =
        shmlink::Channel::open_or_create(name, 64 * 1024, 4096, shmlink::Channel::Role::receiver).channel;
    for (;;) {
      std::optional<shmlink::Channel::Message> message = channel.peek(30s);
      if (!message) {
        std::cerr << "cpp_channel_consumer: no message for 30 s\n";
        return 3;
      }
      // The bytes lie in shared memory another process wrote: printed as they are, never
      // trusted to end in a NUL.
      std::cout << "received " << message->as_string_view() << '\n';
      message->consume();
    }
  } catch (const shmlink::Error& error) {
    if (error.status() == SHMLINK_ERR_CLOSED) return std::cout.flush() ? 0 : 1;  // the producer left
    std::cerr << "cpp_channel_consumer: " << error.what() << '\n';
    return 1;
  }
}
