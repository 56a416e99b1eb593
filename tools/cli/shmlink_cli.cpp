// The `shmlink` command: see, inspect, clean up and talk to named objects from a shell
// (docs/cli.md). Only the public C API: what it can do, any program can.
#include <shmlink/shmlink.h>

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <functional>
#include <iostream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#ifdef _WIN32
#include <fcntl.h>
#include <io.h>
#define isatty _isatty
#define fileno _fileno
#else
#include <unistd.h>
#endif

namespace {

// Exit codes, one per class of failure (docs/cli.md).
enum Exit : int {
  kOk = 0,
  kFailed = 1,         // any other failure (the message says which)
  kUsage = 2,          // bad arguments
  kNotFound = 3,       // no object of that name
  kAccessDenied = 4,   // permissions, wrong kind of object
  kInUse = 5,          // rm without --force while processes hold the object
  kTimeout = 6,        // recv / signal wait ran out of time
  kClosed = 7,         // the channel's other side is gone
  kNotSupported = 8,   // not available on this platform
  kCorrupt = 9,        // the object failed validation, or another layout version made it
  kBadInput = 10,      // send --binary: stdin is not a sequence of valid records
};

int exit_code_for(shmlink_status status) {
  switch (status) {
    case SHMLINK_ERR_INVALID_ARGUMENT:
    case SHMLINK_ERR_INVALID_NAME:
    case SHMLINK_ERR_TOO_LARGE: return kUsage;
    case SHMLINK_ERR_NOT_FOUND: return kNotFound;
    case SHMLINK_ERR_ACCESS_DENIED:
    case SHMLINK_ERR_WRONG_KIND: return kAccessDenied;
    case SHMLINK_ERR_TIMEOUT: return kTimeout;
    case SHMLINK_ERR_CLOSED: return kClosed;
    case SHMLINK_ERR_NOT_SUPPORTED: return kNotSupported;
    case SHMLINK_ERR_CORRUPT:
    case SHMLINK_ERR_INCOMPATIBLE: return kCorrupt;
    default: return kFailed;
  }
}

// Thrown to leave a verb with an exit code, after its message was printed.
struct Exit_ {
  int code;
};

[[noreturn]] void quit(int code, const std::string& message) {
  std::fprintf(stderr, "shmlink: %s\n", message.c_str());
  throw Exit_{code};
}

// Leaves with the library's message and the exit code of its status, if `status` failed.
shmlink_status check(shmlink_status status, const std::string& what) {
  if (SHMLINK_SUCCEEDED(status)) return status;
  quit(exit_code_for(status), what + ": " + shmlink_last_error_message());
}

// ---- Arguments ----

struct VerbHelp {
  const char* usage;
  const char* text;
};

const std::map<std::string, VerbHelp>& verbs() {
  static const std::map<std::string, VerbHelp> table = {
      {"ls", {"ls [--all-users] [--json]",
              "Lists the objects this user can see: this user's Local\\ objects and the Global\\ ones it may\n"
              "open (--all-users: every Global\\ object, and other users' Local\\ ones where allowed, as root).\n"
              "STALE marks objects no process holds any more (gc removes them)."}},
      {"info", {"info NAME [--json]", "Describes one object without joining it: kind, size, owner, holders and,\n"
                                      "per kind, its state (signal set, mutex owner, semaphore count, channel queue and peers)."}},
      {"dump", {"dump NAME [--offset N] [--length N]", "Prints a segment's bytes in hex and text (default: its first 256 bytes)."}},
      {"send", {"send NAME [MESSAGE|-] [--binary] [--timeout MS]",
                "Sends MESSAGE to the channel NAME; with - (or none) sends each line of stdin as one message.\n"
                "--binary: stdin holds records, each a 4-byte little-endian length and that many bytes, and\n"
                "each record is one message. A truncated record or one longer than the channel's maximum\n"
                "stops it (exit 10) before anything of that record is sent."}},
      {"recv", {"recv NAME [--count N] [--timeout MS] [--binary]",
                "Receives N messages (default 1; 0 = until the senders are gone) and prints each on a line.\n"
                "--timeout is per message (default: wait forever). --binary: writes each message as a 4-byte\n"
                "little-endian length and its bytes instead (the records send --binary reads)."}},
      {"signal", {"signal set|reset|wait NAME [--timeout MS]", "Sets, resets or waits for the signal NAME."}},
      {"rm", {"rm NAME [--force]", "Removes the name NAME. Refuses while processes hold the object (naming them),\n"
                                   "unless --force: the holders keep what they have, the name is free for a new object."}},
      {"gc", {"gc", "Removes every object of this user that no process holds any more (what crashed processes left)."}},
      {"watch", {"watch NAME [--interval MS] [--count N]",
                 "Shows an object's state every second (in place on a terminal, one line each otherwise);\n"
                 "for a channel the queue depth, its change per second, and the attached peers."}},
      {"bench", {"bench [--messages N]",
                 "A quick check of this machine: channel round trip and throughput, signal round trip."}},
  };
  return table;
}

void print_usage(FILE* out) {
  std::fprintf(out, "usage: shmlink VERB [ARGUMENTS]   (shmlink VERB --help for one verb)\n\nverbs:\n");
  for (const auto& [verb, help] : verbs()) std::fprintf(out, "  %s\n", help.usage);
  std::fprintf(out,
               "\nexit codes: 0 ok, 1 other failure, 2 bad arguments, 3 not found, 4 access denied or wrong kind,\n"
               "5 in use (rm), 6 timeout, 7 channel closed, 8 not supported here, 9 corrupt or incompatible,\n"
               "10 bad input (send --binary)\n");
}

class Arguments {
 public:
  Arguments(const std::string& verb, std::vector<std::string> words) : verb_(verb), words_(std::move(words)) {}

  // Takes --name (a flag without a value).
  bool flag(const std::string& name) {
    for (auto it = words_.begin(); it != words_.end(); ++it) {
      if (*it == name) {
        words_.erase(it);
        return true;
      }
    }
    return false;
  }
  // Takes --name VALUE as a number.
  bool number(const std::string& name, uint64_t& value) {
    for (auto it = words_.begin(); it != words_.end(); ++it) {
      if (*it != name) continue;
      if (it + 1 == words_.end()) usage(name + " needs a number");
      const std::string text = *(it + 1);
      char* end = nullptr;
      const unsigned long long parsed = std::strtoull(text.c_str(), &end, 10);
      if (text.empty() || text[0] == '-' || *end != '\0') usage(name + " needs a number, not \"" + text + "\"");
      value = parsed;
      words_.erase(it, it + 2);
      return true;
    }
    return false;
  }
  // Takes the next positional word, or fails (`what` names it).
  std::string positional(const char* what) {
    for (auto it = words_.begin(); it != words_.end(); ++it) {
      if (it->size() > 1 && (*it)[0] == '-' && (*it)[1] == '-') usage("unknown option " + *it);
      const std::string word = *it;
      words_.erase(it);
      return word;
    }
    usage(std::string("missing ") + what);
  }
  bool has_positional() const {
    for (const auto& word : words_)
      if (!(word.size() > 1 && word[0] == '-' && word[1] == '-')) return true;
    return false;
  }
  // Fails on anything left over.
  void done() {
    if (words_.empty()) return;
    const std::string& word = words_.front();
    usage((word.size() > 1 && word[0] == '-' ? "unknown option " : "unexpected argument ") + word);
  }
  [[noreturn]] void usage(const std::string& why) const {
    quit(kUsage, why + "\nusage: shmlink " + verbs().at(verb_).usage);
  }

 private:
  std::string verb_;
  std::vector<std::string> words_;
};

uint32_t timeout_from(Arguments& arguments) {
  uint64_t timeout = SHMLINK_INFINITE;
  if (arguments.number("--timeout", timeout) && timeout >= SHMLINK_INFINITE) arguments.usage("--timeout is too large");
  return static_cast<uint32_t>(timeout);
}

// ---- Descriptions ----

shmlink_object_description blank_description() {
  shmlink_object_description description{};
  description.struct_size = sizeof description;
  return description;
}

const char* kind_text(int32_t kind) {
  switch (kind) {
    case SHMLINK_KIND_SEGMENT: return "segment";
    case SHMLINK_KIND_SIGNAL: return "signal";
    case SHMLINK_KIND_MUTEX: return "mutex";
    case SHMLINK_KIND_SEMAPHORE: return "semaphore";
    case SHMLINK_KIND_CHANNEL: return "channel";
    default: return "?";
  }
}

std::string share_text(uint32_t share) {
  if (share & SHMLINK_SHARE_ALL_USERS) return "all";
  if (share & SHMLINK_SHARE_GROUP) return "group";
  return "user";
}

std::string state_text(const shmlink_object_description& d) {
  std::string text;
  const auto add = [&](const char* word) { text += text.empty() ? word : std::string(",") + word; };
  if (d.flags & SHMLINK_OBJECT_STALE) add("STALE");
  if (d.flags & SHMLINK_OBJECT_UNREADABLE) add("unreadable");
  if (d.flags & SHMLINK_OBJECT_CORRUPT) add("CORRUPT");
  if (d.flags & SHMLINK_OBJECT_INCOMPATIBLE) add("incompatible");
  if (d.flags & SHMLINK_OBJECT_FILE_BACKED) add("file-backed");
  if (d.flags & SHMLINK_OBJECT_OTHER_USER) add("other-user");
  if (d.flags & SHMLINK_OBJECT_MUTEX_ABANDONED) add("abandoned");
  else if (d.flags & SHMLINK_OBJECT_MUTEX_HELD) add("held");
  return text.empty() ? "live" : text;
}

std::string age_text(uint64_t created_ms) {
  if (created_ms == 0) return "?";
  const uint64_t now_ms = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  const uint64_t seconds = now_ms > created_ms ? (now_ms - created_ms) / 1000 : 0;
  if (seconds < 120) return std::to_string(seconds) + "s";
  if (seconds < 7200) return std::to_string(seconds / 60) + "m";
  if (seconds < 172800) return std::to_string(seconds / 3600) + "h";
  return std::to_string(seconds / 86400) + "d";
}

// A number the library could not learn (SHMLINK_UNKNOWN) as "?".
std::string number_text(uint32_t value) { return value == SHMLINK_UNKNOWN ? "?" : std::to_string(value); }

std::string holders_text(const shmlink_object_description& d) {
  if (d.holder_count == SHMLINK_UNKNOWN) return "?";
  std::string text = std::to_string(d.holder_count);
  // No process has id 0: a first id of 0 means the OS told how many, not which (Windows).
  const uint32_t shown = d.holder_pids[0] == 0                         ? 0
                         : d.holder_count < SHMLINK_DESCRIBE_MAX_PIDS ? d.holder_count
                                                                       : SHMLINK_DESCRIBE_MAX_PIDS;
  for (uint32_t i = 0; i < shown; ++i) text += (i == 0 ? " (" : " ") + std::to_string(d.holder_pids[i]);
  if (shown > 0) text += d.holder_count > shown ? " ...)" : ")";
  return text;
}

std::string json_string(const char* text) {
  std::string out = "\"";
  for (const unsigned char* c = reinterpret_cast<const unsigned char*>(text); *c != 0; ++c) {
    if (*c == '"' || *c == '\\') {
      out += '\\';
      out += static_cast<char>(*c);
    } else if (*c < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", *c);
      out += escaped;
    } else {
      out += static_cast<char>(*c);
    }
  }
  return out + "\"";
}

std::string json(const shmlink_object_description& d) {
  std::string out = "{\"name\":" + json_string(d.name) + ",\"kind\":\"" + kind_text(d.kind) + "\"";
  const auto field = [&](const char* key, uint64_t value) { out += std::string(",\"") + key + "\":" + std::to_string(value); };
  field("size", d.size);
  if (d.owner_uid == SHMLINK_UNKNOWN) out += ",\"owner_uid\":null";
  else field("owner_uid", d.owner_uid);
  out += ",\"share\":\"" + share_text(d.share_flags) + "\"";
  out += ",\"state\":\"" + state_text(d) + "\"";
  out += std::string(",\"stale\":") + ((d.flags & SHMLINK_OBJECT_STALE) ? "true" : "false");
  if (d.holder_count == SHMLINK_UNKNOWN) {
    out += ",\"holders\":null";
  } else {
    field("holders", d.holder_count);
    out += ",\"holder_pids\":[";
    for (uint32_t i = 0; i < d.holder_count && i < SHMLINK_DESCRIBE_MAX_PIDS && d.holder_pids[0] != 0; ++i)
      out += (i ? "," : "") + std::to_string(d.holder_pids[i]);
    out += "]";
  }
  field("created_unix_ms", d.created_unix_ms);
  switch (d.kind) {
    case SHMLINK_KIND_SIGNAL:
      if (d.signal_set == SHMLINK_UNKNOWN) {
        out += ",\"set\":null,\"mode\":null";  // this user may not query it (Windows)
        break;
      }
      out += std::string(",\"set\":") + (d.signal_set ? "true" : "false");
      out += std::string(",\"mode\":\"") + (d.signal_manual_reset ? "manual" : "auto") + "\"";
      break;
    case SHMLINK_KIND_MUTEX:
      if (d.mutex_owner_tid == SHMLINK_UNKNOWN) out += ",\"owner_tid\":null";
      else field("owner_tid", d.mutex_owner_tid);
      field("recursion", d.mutex_recursion);
      out += std::string(",\"abandoned\":") + ((d.flags & SHMLINK_OBJECT_MUTEX_ABANDONED) ? "true" : "false");
      break;
    case SHMLINK_KIND_SEMAPHORE:
      field("count", d.semaphore_count);
      field("max", d.semaphore_max);
      break;
    case SHMLINK_KIND_CHANNEL: {
      field("max_message", d.channel_max_message);
      field("senders", d.channel_senders);
      field("receivers", d.channel_receivers);
      field("messages_queued", d.channel_messages_queued);
      field("bytes_queued", d.channel_bytes_queued);
      out += ",\"peers\":[";
      for (uint32_t i = 0; i < d.channel_peer_count && i < SHMLINK_DESCRIBE_MAX_PEERS; ++i) {
        const shmlink_object_peer& peer = d.channel_peers[i];
        out += std::string(i ? "," : "") + "{\"pid\":" + std::to_string(peer.pid) + ",\"role\":\"" +
               ((peer.flags & SHMLINK_PEER_SENDER) && (peer.flags & SHMLINK_PEER_RECEIVER) ? "both"
                : (peer.flags & SHMLINK_PEER_SENDER)                                       ? "sender"
                                                                                           : "receiver") +
               "\",\"alive\":" + ((peer.flags & SHMLINK_PEER_ALIVE) ? "true" : "false") + "}";
      }
      out += "]";
      field("messages_sent", d.channel_messages_sent);
      field("bytes_sent", d.channel_bytes_sent);
      field("sends_waited", d.channel_sends_waited);
      field("messages_received", d.channel_messages_received);
      field("bytes_received", d.channel_bytes_received);
      field("receives_waited", d.channel_receives_waited);
      field("peers_died", d.channel_peers_died);
      break;
    }
    default: break;
  }
  return out + "}";
}

shmlink_object_description describe(const std::string& name) {
  shmlink_object_description description = blank_description();
  check(shmlink_object_describe(name.c_str(), &description), name);
  return description;
}

// ---- Verbs ----

int verb_ls(Arguments& arguments) {
  const uint32_t flags = arguments.flag("--all-users") ? SHMLINK_LIST_ALL_USERS : 0;
  const bool as_json = arguments.flag("--json");
  arguments.done();
  std::vector<shmlink_object_description> found;
  uint32_t count = 0;
  shmlink_status status = SHMLINK_ERR_BUFFER_TOO_SMALL;
  for (int attempt = 0; attempt < 8 && status == SHMLINK_ERR_BUFFER_TOO_SMALL; ++attempt) {
    found.assign(count + 16, blank_description());
    status = shmlink_object_list(flags, found.data(), sizeof found[0], static_cast<uint32_t>(found.size()), &count);
  }
  if (status == SHMLINK_ERR_NOT_SUPPORTED)
    quit(kNotSupported, std::string("ls cannot list objects here: ") + shmlink_last_error_message() +
                            " (docs/cli.md); use info/send/recv/signal with a name you know");
  check(status, "listing objects");
  found.resize(count);
  if (as_json) {
    std::printf("[");
    for (std::size_t i = 0; i < found.size(); ++i) std::printf("%s%s", i ? ",\n " : "", json(found[i]).c_str());
    std::printf("]\n");
    return kOk;
  }
  std::printf("%-9s %-32s %12s %6s %-5s %-20s %5s %s\n", "KIND", "NAME", "SIZE", "OWNER", "SHARE", "HOLDERS", "AGE",
              "STATE");
  for (const auto& d : found)
    std::printf("%-9s %-32s %12" PRIu64 " %6s %-5s %-20s %5s %s\n", kind_text(d.kind), d.name, d.size,
                number_text(d.owner_uid).c_str(),
                share_text(d.share_flags).c_str(), holders_text(d).c_str(), age_text(d.created_unix_ms).c_str(),
                state_text(d).c_str());
  return kOk;
}

void print_info(const shmlink_object_description& d) {
  std::printf("name:      %s\nkind:      %s\nstate:     %s\n", d.name, kind_text(d.kind), state_text(d).c_str());
  std::printf("owner:     uid %s, shared with %s\n", number_text(d.owner_uid).c_str(), share_text(d.share_flags).c_str());
  std::printf("holders:   %s\nage:       %s\n", holders_text(d).c_str(), age_text(d.created_unix_ms).c_str());
  switch (d.kind) {
    case SHMLINK_KIND_SEGMENT: std::printf("size:      %" PRIu64 " bytes\n", d.size); break;
    case SHMLINK_KIND_SIGNAL:
      if (d.signal_set == SHMLINK_UNKNOWN)
        std::printf("signal:    state unknown (this user may not query it)\n");
      else
        std::printf("signal:    %s, %s-reset\n", d.signal_set ? "set" : "reset",
                    d.signal_manual_reset ? "manual" : "auto");
      break;
    case SHMLINK_KIND_MUTEX:
      if (d.flags & SHMLINK_OBJECT_MUTEX_HELD)
        std::printf("mutex:     held by thread %s (%u level(s))%s\n", number_text(d.mutex_owner_tid).c_str(),
                    d.mutex_recursion, (d.flags & SHMLINK_OBJECT_MUTEX_ABANDONED) ? ", ABANDONED: its owner is gone" : "");
      else if (d.flags & SHMLINK_OBJECT_MUTEX_ABANDONED)  // Windows: the kernel released it for the dead owner
        std::printf("mutex:     free, ABANDONED: its last owner ended holding it (the next lock returns ABANDONED)\n");
      else
        std::printf("mutex:     free\n");
      break;
    case SHMLINK_KIND_SEMAPHORE: std::printf("semaphore: count %u of %u\n", d.semaphore_count, d.semaphore_max); break;
    case SHMLINK_KIND_CHANNEL:
      std::printf("ring:      %" PRIu64 " bytes, messages up to %u bytes\n", d.size, d.channel_max_message);
      std::printf("queued:    %u message(s)%s, %" PRIu64 " bytes\n", d.channel_messages_queued,
                  (d.flags & SHMLINK_OBJECT_QUEUE_PARTIAL) ? " or more" : "", d.channel_bytes_queued);
      std::printf("sent:      %" PRIu64 " message(s), %" PRIu64 " bytes; %" PRIu64 " send(s) waited for room\n",
                  d.channel_messages_sent, d.channel_bytes_sent, d.channel_sends_waited);
      std::printf("received:  %" PRIu64 " message(s), %" PRIu64 " bytes; %" PRIu64 " receive(s) waited\n",
                  d.channel_messages_received, d.channel_bytes_received, d.channel_receives_waited);
      std::printf("died:      %" PRIu64 " peer(s) counted out after their process died\n", d.channel_peers_died);
      std::printf("attached:  %u sender(s), %u receiver(s)\n", d.channel_senders, d.channel_receivers);
      for (uint32_t i = 0; i < d.channel_peer_count && i < SHMLINK_DESCRIBE_MAX_PEERS; ++i) {
        const shmlink_object_peer& peer = d.channel_peers[i];
        const std::string pid = peer.pid ? std::to_string(peer.pid) : std::string("?");
        std::printf("  peer pid %-8s %-8s %s\n", pid.c_str(),
                    (peer.flags & SHMLINK_PEER_SENDER) && (peer.flags & SHMLINK_PEER_RECEIVER) ? "both"
                    : (peer.flags & SHMLINK_PEER_SENDER)                                       ? "sender"
                                                                                               : "receiver",
                    (peer.flags & SHMLINK_PEER_ALIVE) ? "alive" : "DEAD (not yet noticed by a peer)");
      }
      break;
    default: break;
  }
}

int verb_info(Arguments& arguments) {
  const bool as_json = arguments.flag("--json");
  const std::string name = arguments.positional("NAME");
  arguments.done();
  const shmlink_object_description d = describe(name);
  if (as_json) std::printf("%s\n", json(d).c_str());
  else print_info(d);
  return kOk;
}

int verb_dump(Arguments& arguments) {
  uint64_t offset = 0, length = 256;
  arguments.number("--offset", offset);
  const bool length_given = arguments.number("--length", length);
  const std::string name = arguments.positional("NAME");
  arguments.done();
  shmlink_handle segment = 0;
  check(shmlink_segment_open(name.c_str(), SHMLINK_ACCESS_READ, &segment), "opening segment " + name);
  uint64_t size = 0;
  check(shmlink_segment_size(segment, &size), name);
  if (offset > size) quit(kUsage, "--offset " + std::to_string(offset) + " is past the segment's end (" +
                                      std::to_string(size) + " bytes)");
  if (!length_given || length > size - offset) length = size - offset < length ? size - offset : length;
  if (length == 0) {
    shmlink_close(segment);
    return kOk;
  }
  shmlink_handle view = 0;
  void* address = nullptr;
  check(shmlink_map(segment, offset, length, SHMLINK_ACCESS_READ, &view, &address), "mapping " + name);
  const unsigned char* bytes = static_cast<const unsigned char*>(address);
  for (uint64_t line = 0; line < length; line += 16) {
    std::printf("%08" PRIx64 "  ", offset + line);
    for (uint64_t i = 0; i < 16; ++i) {
      if (line + i < length) std::printf("%02x ", bytes[line + i]);
      else std::printf("   ");
      if (i == 7) std::printf(" ");
    }
    std::printf(" |");
    for (uint64_t i = 0; i < 16 && line + i < length; ++i) {
      const unsigned char c = bytes[line + i];
      std::putchar(c >= 0x20 && c < 0x7F ? c : '.');
    }
    std::printf("|\n");
  }
  shmlink_unmap(view);
  shmlink_close(segment);
  return kOk;
}

// Records of send --binary / recv --binary: a 4-byte little-endian length, then the bytes.
constexpr std::size_t kRecordLengthBytes = 4;

// The standard streams carry bytes, not text: no CR LF translation on Windows.
void binary_mode(FILE* stream) {
#ifdef _WIN32
  _setmode(_fileno(stream), _O_BINARY);
#else
  (void)stream;
#endif
}

// Reads exactly `length` bytes from stdin; how many it got (less only at the end of input).
std::size_t read_stdin(void* into, std::size_t length) {
  std::size_t got = 0;
  while (got < length) {
    const std::size_t read = std::fread(static_cast<char*>(into) + got, 1, length - got, stdin);
    if (read == 0) break;
    got += read;
  }
  return got;
}

// Sends each record of stdin. A record is checked whole (its length against the channel's
// maximum before its bytes are read, then that they are all there) before it is sent, so a
// bad one stops the input with nothing of it sent; the records before it were sent.
void send_binary_records(shmlink_handle channel, const std::string& name, uint32_t timeout) {
  uint32_t max_message = 0;
  check(shmlink_channel_info(channel, &max_message, nullptr, nullptr), name);
  binary_mode(stdin);
  std::vector<unsigned char> message;
  for (uint64_t record = 1;; ++record) {
    unsigned char length_bytes[kRecordLengthBytes];
    const std::size_t got = read_stdin(length_bytes, sizeof length_bytes);
    if (got == 0) return;  // the end of input, between records
    const std::string which = "record " + std::to_string(record);
    if (got < sizeof length_bytes)
      quit(kBadInput, which + " is truncated: " + std::to_string(got) + " of the 4 length bytes (nothing of it sent)");
    const uint32_t length = uint32_t{length_bytes[0]} | uint32_t{length_bytes[1]} << 8 |
                            uint32_t{length_bytes[2]} << 16 | uint32_t{length_bytes[3]} << 24;
    if (length > max_message)
      quit(kBadInput, which + " is " + std::to_string(length) + " bytes, longer than the channel's maximum of " +
                          std::to_string(max_message) + " (nothing of it sent)");
    message.resize(length);
    const std::size_t body = read_stdin(message.data(), length);
    if (body < length)
      quit(kBadInput, which + " is truncated: " + std::to_string(body) + " of its " + std::to_string(length) +
                          " bytes (nothing of it sent)");
    check(shmlink_channel_send(channel, message.data(), length, timeout), "sending " + which + " to " + name);
  }
}

int verb_send(Arguments& arguments) {
  const uint32_t timeout = timeout_from(arguments);
  const bool binary = arguments.flag("--binary");
  const std::string name = arguments.positional("NAME");
  const std::string message = arguments.has_positional() ? arguments.positional("MESSAGE") : std::string("-");
  arguments.done();
  if (binary && message != "-") arguments.usage("--binary reads the records from stdin: give - or no MESSAGE");
  shmlink_handle channel = 0;
  check(shmlink_channel_open(name.c_str(), SHMLINK_CHANNEL_SENDER, &channel), "opening channel " + name);
  const auto send = [&](const std::string& text) {
    check(shmlink_channel_send(channel, text.data(), static_cast<uint32_t>(text.size()), timeout), "sending to " + name);
  };
  if (binary) {
    send_binary_records(channel, name, timeout);
  } else if (message != "-") {
    send(message);
  } else {
    std::string line;
    while (std::getline(std::cin, line)) send(line);
  }
  shmlink_close(channel);
  return kOk;
}

int verb_recv(Arguments& arguments) {
  uint64_t count = 1;
  arguments.number("--count", count);
  const uint32_t timeout = timeout_from(arguments);
  const bool binary = arguments.flag("--binary");
  const std::string name = arguments.positional("NAME");
  arguments.done();
  shmlink_handle channel = 0;
  check(shmlink_channel_open(name.c_str(), SHMLINK_CHANNEL_RECEIVER, &channel), "opening channel " + name);
  if (binary) binary_mode(stdout);
  std::vector<char> buffer(4096);
  for (uint64_t received = 0; count == 0 || received < count; ++received) {
    uint32_t length = 0;
    shmlink_status status =
        shmlink_channel_receive_whole(channel, buffer.data(), static_cast<uint32_t>(buffer.size()), &length, timeout);
    if (status == SHMLINK_ERR_BUFFER_TOO_SMALL) {
      buffer.resize(length);
      status = shmlink_channel_receive_whole(channel, buffer.data(), length, &length, 0);
    }
    if (status == SHMLINK_ERR_CLOSED && count == 0) break;  // until the senders are gone
    check(status, "receiving from " + name);
    if (binary) {
      const unsigned char length_bytes[kRecordLengthBytes] = {
          static_cast<unsigned char>(length), static_cast<unsigned char>(length >> 8),
          static_cast<unsigned char>(length >> 16), static_cast<unsigned char>(length >> 24)};
      std::fwrite(length_bytes, 1, sizeof length_bytes, stdout);
      std::fwrite(buffer.data(), 1, length, stdout);
    } else {
      std::fwrite(buffer.data(), 1, length, stdout);
      std::fputc('\n', stdout);
    }
    std::fflush(stdout);
  }
  shmlink_close(channel);
  return kOk;
}

int verb_signal(Arguments& arguments) {
  const uint32_t timeout = timeout_from(arguments);
  const std::string action = arguments.positional("set|reset|wait");
  const std::string name = arguments.positional("NAME");
  arguments.done();
  if (action != "set" && action != "reset" && action != "wait") arguments.usage("the action is set, reset or wait");
  shmlink_handle signal = 0;
  check(shmlink_signal_open(name.c_str(), &signal), "opening signal " + name);
  if (action == "set") check(shmlink_signal_set(signal), "setting " + name);
  else if (action == "reset") check(shmlink_signal_reset(signal), "resetting " + name);
  else check(shmlink_wait(signal, timeout), "waiting for " + name);
  shmlink_close(signal);
  return kOk;
}

int verb_rm(Arguments& arguments) {
  const bool force = arguments.flag("--force");
  const std::string name = arguments.positional("NAME");
  arguments.done();
  const shmlink_object_description d = describe(name);
#ifdef _WIN32
  // Nothing can take a kernel object's name away from its handles (docs/cli.md, "Windows").
  quit(kNotSupported, name + " cannot be removed on Windows: a kernel object's name goes with its last handle (" +
                          number_text(d.holder_count) +
                          " other handle(s) open now); it is gone once the processes holding it close it or end");
#endif
  if (!force && d.holder_count != 0 && d.holder_count != SHMLINK_UNKNOWN)
    quit(kInUse, name + " is in use: held by " + holders_text(d) +
                     " (processes, with their ids); it goes when they close it (or use --force: they keep what "
                     "they hold)");
  const shmlink_status status = shmlink_object_remove(name.c_str(), force ? SHMLINK_REMOVE_FORCE : 0);
  if (status == SHMLINK_ERR_ACCESS_DENIED && !force && d.holder_count != 0)
    quit(kInUse, name + ": " + shmlink_last_error_message());
  check(status, "removing " + name);
  return kOk;
}

int verb_gc(Arguments& arguments) {
  arguments.done();
  uint32_t removed = 0;
  const shmlink_status status = shmlink_object_collect(0, &removed);
  if (status == SHMLINK_ERR_NOT_SUPPORTED) {  // Windows: the kernel frees what dead processes held
    std::printf("nothing to collect: %s\n", shmlink_last_error_message());
    return kOk;
  }
  check(status, "collecting");
  std::printf("removed %u object(s) that no process held\n", removed);
  return kOk;
}

int verb_watch(Arguments& arguments) {
  uint64_t interval_ms = 1000, count = 0;
  arguments.number("--interval", interval_ms);
  arguments.number("--count", count);
  const std::string name = arguments.positional("NAME");
  arguments.done();
  if (interval_ms == 0) arguments.usage("--interval must be above 0");
  const bool in_place = isatty(fileno(stdout)) != 0;
  bool first = true;
  shmlink_object_description previous{};
  for (uint64_t shown = 0; count == 0 || shown < count; ++shown) {
    if (shown > 0) std::this_thread::sleep_for(std::chrono::milliseconds(interval_ms));
    const shmlink_object_description d = describe(name);
    std::string line = std::string(kind_text(d.kind)) + " " + d.name + ": " + state_text(d) +
                       ", holders " + holders_text(d);
    if (d.kind == SHMLINK_KIND_CHANNEL) {
      // Rates from the counters (a 1.4 peer's messages are not counted: docs/cli.md).
      const auto rate = [&](uint64_t now, uint64_t before) {
        return first || now < before ? 0.0 : static_cast<double>(now - before) * 1000.0 / static_cast<double>(interval_ms);
      };
      char text[300];
      std::snprintf(text, sizeof text,
                    ", queued %u msg / %" PRIu64 " B, sent %.0f msg/s %.0f B/s, received %.0f msg/s %.0f B/s, "
                    "%u sender(s), %u receiver(s)",
                    d.channel_messages_queued, d.channel_bytes_queued,
                    rate(d.channel_messages_sent, previous.channel_messages_sent),
                    rate(d.channel_bytes_sent, previous.channel_bytes_sent),
                    rate(d.channel_messages_received, previous.channel_messages_received),
                    rate(d.channel_bytes_received, previous.channel_bytes_received), d.channel_senders,
                    d.channel_receivers);
      line += text;
      previous = d;
    } else if (d.kind == SHMLINK_KIND_SIGNAL) {
      line += d.signal_set ? ", set" : ", reset";
    } else if (d.kind == SHMLINK_KIND_SEMAPHORE) {
      line += ", count " + std::to_string(d.semaphore_count) + "/" + std::to_string(d.semaphore_max);
    }
    if (in_place) std::printf("\r\033[K%s", line.c_str());
    else std::printf("%s\n", line.c_str());
    std::fflush(stdout);
    first = false;
  }
  if (in_place) std::printf("\n");
  return kOk;
}

std::string bench_name(const char* what) {
  return std::string("shmlink-bench-") + what + "-" + std::to_string(static_cast<unsigned long long>(
                                                        std::chrono::steady_clock::now().time_since_epoch().count()));
}

int verb_bench(Arguments& arguments) {
  uint64_t messages = 100000;
  arguments.number("--messages", messages);
  arguments.done();
  if (messages == 0) arguments.usage("--messages must be above 0");
  using Clock = std::chrono::steady_clock;
  const auto seconds = [](Clock::duration d) { return std::chrono::duration<double>(d).count(); };

  // Channel throughput: one sender thread, one receiver thread, 64-byte messages.
  {
    const std::string name = bench_name("throughput");
    shmlink_handle sender = 0, receiver = 0;
    check(shmlink_channel_create(name.c_str(), 1 << 20, 64, SHMLINK_CHANNEL_SENDER, &sender), "bench channel");
    check(shmlink_channel_open(name.c_str(), SHMLINK_CHANNEL_RECEIVER, &receiver), "bench channel");
    const auto start = Clock::now();
    std::thread producer([&] {
      char message[64] = {};
      for (uint64_t i = 0; i < messages; ++i) shmlink_channel_send(sender, message, sizeof message, SHMLINK_INFINITE);
    });
    char buffer[64];
    uint32_t length = 0;
    for (uint64_t i = 0; i < messages; ++i) check(shmlink_channel_receive(receiver, buffer, sizeof buffer, &length, 10000), "bench receive");
    producer.join();
    const double elapsed = seconds(Clock::now() - start);
    std::printf("channel throughput (64 B messages): %.2f M msg/s, %.1f MB/s\n", messages / elapsed / 1e6,
                messages * 64.0 / elapsed / 1e6);
    shmlink_close(sender);
    shmlink_close(receiver);
  }
  // Channel and signal round trips between two threads (ping-pong).
  const uint64_t trips = messages / 10 > 0 ? messages / 10 : 1;
  {
    const std::string ping = bench_name("ping"), pong = bench_name("pong");
    shmlink_handle ping_send = 0, ping_receive = 0, pong_send = 0, pong_receive = 0;
    check(shmlink_channel_create(ping.c_str(), 65536, 64, SHMLINK_CHANNEL_SENDER, &ping_send), "bench channel");
    check(shmlink_channel_open(ping.c_str(), SHMLINK_CHANNEL_RECEIVER, &ping_receive), "bench channel");
    check(shmlink_channel_create(pong.c_str(), 65536, 64, SHMLINK_CHANNEL_SENDER, &pong_send), "bench channel");
    check(shmlink_channel_open(pong.c_str(), SHMLINK_CHANNEL_RECEIVER, &pong_receive), "bench channel");
    std::thread echo([&] {
      char buffer[64];
      uint32_t length = 0;
      for (uint64_t i = 0; i < trips; ++i) {
        if (shmlink_channel_receive(ping_receive, buffer, sizeof buffer, &length, 10000) != SHMLINK_OK) return;
        shmlink_channel_send(pong_send, buffer, length, SHMLINK_INFINITE);
      }
    });
    char buffer[64] = {};
    uint32_t length = 0;
    const auto start = Clock::now();
    for (uint64_t i = 0; i < trips; ++i) {
      check(shmlink_channel_send(ping_send, buffer, 8, SHMLINK_INFINITE), "bench send");
      check(shmlink_channel_receive(pong_receive, buffer, sizeof buffer, &length, 10000), "bench receive");
    }
    const double elapsed = seconds(Clock::now() - start);
    echo.join();
    std::printf("channel round trip (8 B): %.2f us\n", elapsed / trips * 1e6);
    for (const shmlink_handle h : {ping_send, ping_receive, pong_send, pong_receive}) shmlink_close(h);
  }
  {
    const std::string ping = bench_name("sping"), pong = bench_name("spong");
    shmlink_handle ping_signal = 0, pong_signal = 0;
    check(shmlink_signal_create(ping.c_str(), SHMLINK_SIGNAL_AUTO_RESET, &ping_signal), "bench signal");
    check(shmlink_signal_create(pong.c_str(), SHMLINK_SIGNAL_AUTO_RESET, &pong_signal), "bench signal");
    std::thread echo([&] {
      for (uint64_t i = 0; i < trips; ++i) {
        if (shmlink_wait(ping_signal, 10000) != SHMLINK_OK) return;
        shmlink_signal_set(pong_signal);
      }
    });
    const auto start = Clock::now();
    for (uint64_t i = 0; i < trips; ++i) {
      check(shmlink_signal_set(ping_signal), "bench set");
      check(shmlink_wait(pong_signal, 10000), "bench wait");
    }
    const double elapsed = seconds(Clock::now() - start);
    echo.join();
    std::printf("signal round trip: %.2f us\n", elapsed / trips * 1e6);
    shmlink_close(ping_signal);
    shmlink_close(pong_signal);
  }
  std::printf("(threads of one process; bench/RESULTS.md has the cross-process numbers and the method)\n");
  return kOk;
}

int run(int argc, char** argv) {
  if (argc < 2) {
    print_usage(stderr);
    return kUsage;
  }
  const std::string verb = argv[1];
  if (verb == "--help" || verb == "-h" || verb == "help") {
    print_usage(stdout);
    return kOk;
  }
  if (verb == "--version") {
    std::printf("shmlink %s\n", shmlink_version_string());
    return kOk;
  }
  const auto found = verbs().find(verb);
  if (found == verbs().end()) {
    std::fprintf(stderr, "shmlink: unknown verb \"%s\"\n", verb.c_str());
    print_usage(stderr);
    return kUsage;
  }
  std::vector<std::string> words(argv + 2, argv + argc);
  for (const auto& word : words) {
    if (word == "--help" || word == "-h") {
      std::printf("usage: shmlink %s\n\n%s\n", found->second.usage, found->second.text);
      return kOk;
    }
  }
  Arguments arguments(verb, words);
  static const std::map<std::string, std::function<int(Arguments&)>> run_verb = {
      {"ls", verb_ls},     {"info", verb_info}, {"dump", verb_dump}, {"send", verb_send},   {"recv", verb_recv},
      {"signal", verb_signal}, {"rm", verb_rm}, {"gc", verb_gc},     {"watch", verb_watch}, {"bench", verb_bench},
  };
  return run_verb.at(verb)(arguments);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const Exit_& exit) {
    return exit.code;
  }
}
