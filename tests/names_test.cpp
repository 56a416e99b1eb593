// Object names: Local\ by default, Global\ apart, 1..200 bytes, no '/', '\', control
// characters or invalid UTF-8.
#include <shmlink/shmlink.h>

#include "support/fixtures.h"
#include "support/names.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>

namespace shmlink_test {
namespace {

// Expects every function that takes a name to refuse `name` with INVALID_NAME.
void expect_invalid_name(const std::string& name) {
  SCOPED_TRACE("name \"" + name + "\" (" + std::to_string(name.size()) + " bytes)");
  shmlink_handle segment = 42;
  EXPECT_STATUS(SHMLINK_ERR_INVALID_NAME, shmlink_segment_create(name.c_str(), 100, 0, &segment));
  EXPECT_EQ(segment, 0u);
  segment = 42;
  EXPECT_STATUS(SHMLINK_ERR_INVALID_NAME, shmlink_segment_create(name.c_str(), 100, SHMLINK_OPEN_OR_CREATE, &segment));
  EXPECT_EQ(segment, 0u);
  segment = 42;
  EXPECT_STATUS(SHMLINK_ERR_INVALID_NAME, shmlink_segment_open(name.c_str(), SHMLINK_ACCESS_READ, &segment));
  EXPECT_EQ(segment, 0u);
  TempDir directory;
  const std::string path = directory.path("file.bin");
  segment = 42;
  EXPECT_STATUS(SHMLINK_ERR_INVALID_NAME, shmlink_segment_from_file(path.c_str(), name.c_str(), 100,
                                                                    SHMLINK_ACCESS_READ_WRITE, 0, &segment));
  EXPECT_EQ(segment, 0u);
  for (const uint32_t flags : {SHMLINK_CREATE_NEW, SHMLINK_OPEN_OR_CREATE}) {
    shmlink_handle handle = 42;
    EXPECT_STATUS(SHMLINK_ERR_INVALID_NAME, shmlink_signal_create(name.c_str(), flags, &handle));
    EXPECT_EQ(handle, 0u);
    handle = 42;
    EXPECT_STATUS(SHMLINK_ERR_INVALID_NAME, shmlink_mutex_create(name.c_str(), flags, &handle));
    EXPECT_EQ(handle, 0u);
    handle = 42;
    EXPECT_STATUS(SHMLINK_ERR_INVALID_NAME, shmlink_semaphore_create(name.c_str(), 0, 1, flags, &handle));
    EXPECT_EQ(handle, 0u);
  }
  shmlink_handle handle = 42;
  EXPECT_STATUS(SHMLINK_ERR_INVALID_NAME, shmlink_signal_open(name.c_str(), &handle));
  EXPECT_EQ(handle, 0u);
  handle = 42;
  EXPECT_STATUS(SHMLINK_ERR_INVALID_NAME, shmlink_mutex_open(name.c_str(), &handle));
  EXPECT_EQ(handle, 0u);
  handle = 42;
  EXPECT_STATUS(SHMLINK_ERR_INVALID_NAME, shmlink_semaphore_open(name.c_str(), &handle));
  EXPECT_EQ(handle, 0u);
}

// Creates `name`, checks it works, and closes it.
void expect_valid_name(const std::string& name) {
  SCOPED_TRACE("name \"" + name + "\" (" + std::to_string(name.size()) + " bytes)");
  Handle created;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(name.c_str(), 100, SHMLINK_CREATE_NEW, created.out()));
  Handle opened;
  EXPECT_STATUS(SHMLINK_OK, shmlink_segment_open(name.c_str(), SHMLINK_ACCESS_READ, opened.out()));
}

TEST(Names, LocalIsTheDefaultNamespace) {
  const std::string name = unique_name();
  Handle bare;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(name.c_str(), 100, 0, bare.out()));
  const std::string local = "Local\\" + name;
  Handle prefixed;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_open(local.c_str(), SHMLINK_ACCESS_READ_WRITE, prefixed.out()));
  shmlink_handle refused = 0;
  EXPECT_STATUS(SHMLINK_ERR_ALREADY_EXISTS, shmlink_segment_create(local.c_str(), 100, 0, &refused));
  View a;
  View b;
  ASSERT_STATUS(SHMLINK_OK, map_view(bare.get(), 0, 0, SHMLINK_ACCESS_READ_WRITE, a));
  ASSERT_STATUS(SHMLINK_OK, map_view(prefixed.get(), 0, 0, SHMLINK_ACCESS_READ, b));
  std::memcpy(a.bytes(), "same", 4);
  EXPECT_EQ(std::string(b.bytes(), 4), "same");
}

TEST(Names, LocalPrefixedNameIsOpenedWithoutThePrefix) {
  const std::string name = unique_name();
  Handle prefixed;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(("Local\\" + name).c_str(), 100, 0, prefixed.out()));
  Handle bare;
  EXPECT_STATUS(SHMLINK_OK, shmlink_segment_open(name.c_str(), SHMLINK_ACCESS_READ, bare.out()));
}

TEST(Names, GlobalIsAnotherNamespace) {
  const std::string name = unique_name();
  const std::string global = "Global\\" + name;
  Handle local;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(name.c_str(), 100, 0, local.out()));
  shmlink_handle missing = 42;
  EXPECT_STATUS(SHMLINK_ERR_NOT_FOUND, shmlink_segment_open(global.c_str(), SHMLINK_ACCESS_READ, &missing));
  EXPECT_EQ(missing, 0u);
  Handle in_global;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_create(global.c_str(), 200, SHMLINK_CREATE_NEW, in_global.out()));
  uint64_t size = 0;
  Handle global_again;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_open(global.c_str(), SHMLINK_ACCESS_READ, global_again.out()));
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_size(global_again.get(), &size));
  EXPECT_EQ(size, 200u);
  Handle local_again;
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_open(name.c_str(), SHMLINK_ACCESS_READ, local_again.out()));
  ASSERT_STATUS(SHMLINK_OK, shmlink_segment_size(local_again.get(), &size));
  EXPECT_EQ(size, 100u);
}

TEST(Names, TwoHundredBytesAreAllowed) {
  std::string name = unique_name();
  name.resize(200, 'n');
  expect_valid_name(name);
  expect_valid_name("Local\\" + name);
  expect_valid_name("Global\\" + name);
}

TEST(Names, TwoHundredAndOneBytesAreTooLong) {
  std::string name = unique_name();
  name.resize(201, 'n');
  expect_invalid_name(name);
  expect_invalid_name("Local\\" + name);
  expect_invalid_name("Global\\" + name);
}

TEST(Names, TwoHundredBytesOfMultiByteCharactersAreAllowed) {
  std::string name = unique_name();
  while (name.size() + 3 <= 200) name += "\xE6\x97\xA5";  // U+65E5, 3 bytes
  name.resize(200, 'x');
  expect_valid_name(name);
  name += "x";
  expect_invalid_name(name);
}

TEST(Names, UnicodeNamesWork) {
  expect_valid_name(unique_name() + "-Gr\xC3\xBC\xC3\x9F" "e-\xF0\x9F\x98\x80");  // "Grüße-😀"
}

TEST(Names, PunctuationAndSpacesAreAllowed) {
  expect_valid_name(unique_name() + " with spaces.and:dots;*?");
  expect_valid_name(unique_name() + "..");
}

#ifndef _WIN32
TEST(Names, DotAndDotDotAreOrdinaryNames) {
  // On Linux a Local\ name becomes a file name in the user's directory: "." and ".." must not
  // be taken for the directory itself or the one above. (Not unique to this test process: no
  // other test uses them.)
  for (const char* name : {".", "..", "Local\\.", "Global\\.."}) expect_valid_name(name);
}
#endif

TEST(Names, EmptyNamesAreInvalid) {
  expect_invalid_name("");
  expect_invalid_name("Local\\");
  expect_invalid_name("Global\\");
}

TEST(Names, SlashesAreInvalid) {
  const std::string name = unique_name();
  expect_invalid_name(name + "/x");
  expect_invalid_name("/" + name);
  expect_invalid_name(name + "\\x");
  expect_invalid_name("\\" + name);
  expect_invalid_name("Local\\Local\\" + name);
  expect_invalid_name("Global\\Local\\" + name);
  expect_invalid_name("Session\\1\\" + name);
  expect_invalid_name("..\\" + name);
  expect_invalid_name("../" + name);
}

TEST(Names, ControlCharactersAreInvalid) {
  const std::string name = unique_name();
  for (const char* control : {"\x01", "\t", "\n", "\r", "\x1B", "\x1F", "\x7F"}) expect_invalid_name(name + control);
  expect_invalid_name("Local\\\x01" + name);
}

TEST(Names, InvalidUtf8IsInvalid) {
  const std::string name = unique_name();
  for (const char* bad : {
           "\xFF",              // never valid
           "\x80",              // continuation byte without a lead
           "\xC3",              // truncated two-byte sequence
           "\xE6\x97",          // truncated three-byte sequence
           "\xC0\xAF",          // overlong '/'
           "\xE0\x80\xAF",      // overlong '/'
           "\xED\xA0\x80",      // UTF-16 surrogate
           "\xF4\x90\x80\x80",  // past U+10FFFF
           "\xF8\x88\x80\x80\x80",
       }) {
    expect_invalid_name(name + bad);
    expect_invalid_name(name + bad + "tail");
  }
}

TEST(Names, NullNameIsAnInvalidArgument) {
  // A NULL name to a create makes an unnamed object (signals since 1.4, segments, mutexes and
  // semaphores since 1.5: signal_test.cpp, unnamed_objects_test.cpp); there is nothing to
  // open or to open-or-create by name.
  shmlink_handle segment = 42;
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_segment_create(nullptr, 100, SHMLINK_OPEN_OR_CREATE, &segment));
  EXPECT_EQ(segment, 0u);
  segment = 42;
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_segment_open(nullptr, SHMLINK_ACCESS_READ, &segment));
  EXPECT_EQ(segment, 0u);
  shmlink_handle created = 42;
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_signal_create(nullptr, SHMLINK_OPEN_OR_CREATE, &created));
  EXPECT_EQ(created, 0u);
  created = 42;
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_mutex_create(nullptr, SHMLINK_OPEN_OR_CREATE, &created));
  EXPECT_EQ(created, 0u);
  created = 42;
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_semaphore_create(nullptr, 0, 1, SHMLINK_OPEN_OR_CREATE, &created));
  EXPECT_EQ(created, 0u);
  shmlink_handle handle = 42;
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_signal_open(nullptr, &handle));
  EXPECT_EQ(handle, 0u);
  handle = 42;
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_mutex_open(nullptr, &handle));
  EXPECT_EQ(handle, 0u);
  handle = 42;
  EXPECT_STATUS(SHMLINK_ERR_INVALID_ARGUMENT, shmlink_semaphore_open(nullptr, &handle));
  EXPECT_EQ(handle, 0u);
}

TEST(Names, PrefixesAreCaseSensitive) {
  // Only the exact prefixes are namespaces; anything else with a '\' is an invalid name.
  expect_invalid_name("local\\" + unique_name());
  expect_invalid_name("GLOBAL\\" + unique_name());
}

// The kinds of named object, each with its create (CREATE_NEW or OPEN_OR_CREATE) and open.
struct NamedKind {
  const char* what;
  int32_t kind;
  shmlink_status (*create)(const char* name, uint32_t flags, shmlink_handle* out);
  shmlink_status (*open)(const char* name, shmlink_handle* out);
};

const NamedKind kNamedKinds[] = {
    {"segment", SHMLINK_KIND_SEGMENT,
     [](const char* name, uint32_t flags, shmlink_handle* out) { return shmlink_segment_create(name, 4096, flags, out); },
     [](const char* name, shmlink_handle* out) { return shmlink_segment_open(name, SHMLINK_ACCESS_READ_WRITE, out); }},
    {"signal", SHMLINK_KIND_SIGNAL, shmlink_signal_create, shmlink_signal_open},
    {"mutex", SHMLINK_KIND_MUTEX, shmlink_mutex_create, shmlink_mutex_open},
    {"semaphore", SHMLINK_KIND_SEMAPHORE,
     [](const char* name, uint32_t flags, shmlink_handle* out) { return shmlink_semaphore_create(name, 1, 1, flags, out); },
     shmlink_semaphore_open},
};

TEST(Names, OneNamespaceForAllKinds) {
  for (const NamedKind& holder : kNamedKinds) {
    for (const char* prefix : {"", "Local\\", "Global\\"}) {
      const std::string name = prefix + unique_name();
      Handle held;
      ASSERT_STATUS(SHMLINK_OK, holder.create(name.c_str(), SHMLINK_CREATE_NEW, held.out()));
      EXPECT_EQ(shmlink_handle_kind(held.get()), holder.kind);
      for (const NamedKind& other : kNamedKinds) {
        SCOPED_TRACE(std::string("\"") + name + "\" is a " + holder.what + "; as a " + other.what);
        shmlink_handle handle = 42;
        if (&other == &holder) {
          EXPECT_STATUS(SHMLINK_ERR_ALREADY_EXISTS, other.create(name.c_str(), SHMLINK_CREATE_NEW, &handle));
          EXPECT_EQ(handle, 0u);
          continue;
        }
        EXPECT_STATUS(SHMLINK_ERR_WRONG_KIND, other.create(name.c_str(), SHMLINK_CREATE_NEW, &handle));
        EXPECT_EQ(handle, 0u);
        handle = 42;
        EXPECT_STATUS(SHMLINK_ERR_WRONG_KIND, other.create(name.c_str(), SHMLINK_OPEN_OR_CREATE, &handle));
        EXPECT_EQ(handle, 0u);
        handle = 42;
        EXPECT_STATUS(SHMLINK_ERR_WRONG_KIND, other.open(name.c_str(), &handle));
        EXPECT_EQ(handle, 0u);
      }
      // The holder is untouched and still opens as itself.
      Handle again;
      EXPECT_STATUS(SHMLINK_OK, holder.open(name.c_str(), again.out()));
      EXPECT_EQ(shmlink_handle_kind(again.get()), holder.kind);
    }
  }
}

TEST(Names, NameOfAClosedObjectCanBeTakenByAnotherKind) {
  const std::string name = unique_name();
  for (const NamedKind& kind : kNamedKinds) {
    SCOPED_TRACE(kind.what);
    Handle handle;
    ASSERT_STATUS(SHMLINK_OK, kind.create(name.c_str(), SHMLINK_CREATE_NEW, handle.out()));
    EXPECT_EQ(shmlink_handle_kind(handle.get()), kind.kind);
  }
}

}  // namespace
}  // namespace shmlink_test
