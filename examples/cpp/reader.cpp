// reader.cpp - the C reader example with shmlink.hpp: opens the writer's segment read-only,
// checks the stored length against the segment's size and prints the message.
//
//   usage: cpp_reader [name]
#include "demo_message.h"

#include <shmlink/shmlink.hpp>

#include <cstdint>
#include <cstring>
#include <iostream>
#include <string>

int main(int argc, char** argv) {
  if (argc > 2) {
    std::cerr << "usage: cpp_reader [name]\n";
    return 2;
  }
  const std::string name = argc > 1 ? argv[1] : DEMO_DEFAULT_NAME;
  try {
    shmlink::View view;
    {
      const shmlink::Segment segment = shmlink::Segment::open(name, shmlink::Access::read);
      view = segment.map();
    }  // the segment handle is closed here; the view keeps working
    std::uint32_t length = 0;
    if (view.size() >= DEMO_LENGTH_SIZE) std::memcpy(&length, view.data(), DEMO_LENGTH_SIZE);
    if (view.size() < DEMO_LENGTH_SIZE || length > view.size() - DEMO_LENGTH_SIZE) {
      std::cerr << "cpp_reader: segment \"" << name << "\" does not hold a valid message\n";
      return 1;
    }
    std::cout.write(reinterpret_cast<const char*>(view.data() + DEMO_LENGTH_SIZE), length) << '\n' << std::flush;
    view.close();
    return std::cout ? 0 : 1;
  } catch (const shmlink::Error& error) {
    std::cerr << "cpp_reader: " << error.what() << '\n';
    return 1;
  }
}
