#!/usr/bin/env bash
# The demo on a fresh Debian machine: installs what is missing, builds the library and the
# examples, then runs two scenarios as separate processes:
#  1. the chat: chat_server reads lines from examples/data/chat_script.txt and hands each one
#     to chat_client through a shared segment, two named signals keeping the turns;
#  2. the writer and the reader sharing one named segment;
#  3. a producer and a consumer exchanging whole messages over a channel.
# Scenario 2 also shows the `shmlink` command (ls, dump) looking at the live segment.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh demo
cmake -S . -B out/demo -DSHMLINK_BUILD_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build out/demo -j"$(nproc)" >/dev/null
bin=out/demo/bin

work=$(mktemp -d)
pids=()
cleanup() {
  exec 3>&- 2>/dev/null || true
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# Waits (at most 10 s) until the file has a first line.
wait_for_line() {
  for _ in $(seq 100); do
    grep -q . "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "demo: $2 did not start" >&2
  return 1
}

echo "== 1. chat: server fed from examples/data/chat_script.txt =="
chat="shmlink-chat-demo-$$"
"$bin/shmlink_chat_server" "$chat" <examples/data/chat_script.txt >"$work/server-output" &
server_pid=$!
pids+=("$server_pid")
wait_for_line "$work/server-output" chat_server
head -1 "$work/server-output"
"$bin/shmlink_chat_client" "$chat"
wait "$server_pid"
tail -n +2 "$work/server-output"

echo
echo "== 2. writer and reader sharing one named segment =="
name="shmlink-demo-$$"
message="Hello from the writer process (pid $$), through shared memory."
# The writer keeps its segment until its standard input ends: hold it open on fd 3.
mkfifo "$work/writer-input"
"$bin/shmlink_writer" "$name" "$message" <"$work/writer-input" >"$work/writer-output" &
writer_pid=$!
pids+=("$writer_pid")
exec 3>"$work/writer-input"
wait_for_line "$work/writer-output" writer
head -1 "$work/writer-output"
"$bin/shmlink_reader" "$name"
echo "-- the shmlink command (docs/cli.md) sees it, with the writer as its holder:"
"$bin/shmlink" ls | grep -F -e KIND -e "$name"
"$bin/shmlink" dump "$name" --length 64
exec 3>&-  # end of the writer's input: it closes its segment and exits
wait "$writer_pid"
tail -n +2 "$work/writer-output"

echo
echo "== 3. producer and consumer: whole messages over a channel =="
channel="shmlink-channel-demo-$$"
"$bin/shmlink_channel_producer" "$channel" 5 >"$work/producer-output" &
producer_pid=$!
pids+=("$producer_pid")
wait_for_line "$work/producer-output" channel_producer
echo "producer: $(head -1 "$work/producer-output"): channel \"$channel\" created, waiting for a consumer"
"$bin/shmlink_channel_consumer" "$channel"
wait "$producer_pid"
tail -n +2 "$work/producer-output"
