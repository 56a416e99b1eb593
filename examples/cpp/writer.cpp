// writer.cpp - the C writer example with shmlink.hpp: creates a named segment, writes a
// length-prefixed message and keeps it alive until standard input ends. Either reader (C or
// C++) reads it.
//
//   usage: cpp_writer [name [message]]
#include "demo_message.h"

#include <shmlink/shmlink.hpp>

#include <cstdint>
#include <cstring>
#include <iostream>
#include <limits>
#include <string>

int main(int argc, char** argv) {
  if (argc > 3) {
    std::cerr << "usage: cpp_writer [name [message]]\n";
    return 2;
  }
  const std::string name = argc > 1 ? argv[1] : DEMO_DEFAULT_NAME;
  const std::string message = argc > 2 ? argv[2] : DEMO_DEFAULT_MESSAGE;
  if (message.size() > DEMO_MAX_MESSAGE) {
    std::cerr << "cpp_writer: the message is too long: at most " << DEMO_MAX_MESSAGE << " bytes fit\n";
    return 1;
  }
  try {
    shmlink::Segment segment = shmlink::Segment::create(name, DEMO_SEGMENT_SIZE);
    shmlink::View view = segment.map();
    const auto length = static_cast<std::uint32_t>(message.size());
    std::memcpy(view.at(0, DEMO_LENGTH_SIZE), &length, DEMO_LENGTH_SIZE);
    std::memcpy(view.at(DEMO_LENGTH_SIZE, length), message.data(), length);

    std::cout << "cpp_writer: ready: segment \"" << name << "\" holds a " << length
              << "-byte message; end standard input to quit" << std::endl;
    std::cin.ignore(std::numeric_limits<std::streamsize>::max());  // until end of file

    // The destructors would close both; closing here reports a failure.
    view.close();
    segment.close();
    return 0;
  } catch (const shmlink::Error& error) {
    std::cerr << "cpp_writer: " << error.what() << '\n';
    return 1;
  }
}
