// Built against an installed shmlink: the installed shmlink.hpp works.
#include <shmlink/shmlink.hpp>

#include <cstring>
#include <iostream>
#include <string>

int main(int argc, char** argv) {
  const std::string name = argc > 1 ? argv[1] : "shmlink-package-consumer-cpp";
  try {
    shmlink::View view = shmlink::Segment::create(name, 64).map();
    std::memcpy(view.data(), "ok", 3);
    std::cout << "consumer_cpp: shmlink " << shmlink_version_string() << " works\n";
    return 0;
  } catch (const shmlink::Error& error) {
    std::cerr << "consumer_cpp: " << error.what() << '\n';
    return 1;
  }
}
