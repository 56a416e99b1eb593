// Inspection on Windows: kernel objects have no portable enumeration (docs/cli.md), and a
// kernel object's name lives exactly as long as its handles, so there is nothing to remove.
#include "../core/inspect.h"

#include "../core/error.h"

namespace shmlink {

namespace {
[[noreturn]] void not_on_windows(const char* what) {
  fail(SHMLINK_ERR_NOT_SUPPORTED, std::string(what) + " is not available on Windows yet (docs/cli.md)");
}
}  // namespace

std::vector<shmlink_object_description> list_objects(uint32_t) { not_on_windows("listing objects"); }
shmlink_object_description describe_object(const ObjectName&) { not_on_windows("describing an object"); }
void remove_named_object(const ObjectName&, bool) {
  not_on_windows("removing a name (a kernel object's name goes with its last handle)");
}
uint32_t collect_dead_objects() { not_on_windows("collecting objects (the kernel frees them)"); }

}  // namespace shmlink
