#!/usr/bin/env bash
# The demo on a fresh Debian machine: installs what is missing, builds the library and the
# examples, then runs the writer and the reader as two processes sharing one named segment.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh demo
cmake -S . -B out/demo -DSHMLINK_BUILD_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build out/demo -j"$(nproc)" >/dev/null
bin=out/demo/bin

work=$(mktemp -d)
writer_pid=
cleanup() {
  exec 3>&- 2>/dev/null || true
  [ -n "$writer_pid" ] && kill "$writer_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

name="shmlink-demo-$$"
message="Hello from the writer process (pid $$), through shared memory."

# The writer keeps its segment until its standard input ends: hold it open on fd 3.
mkfifo "$work/writer-input"
"$bin/shmlink_writer" "$name" "$message" <"$work/writer-input" >"$work/writer-output" &
writer_pid=$!
exec 3>"$work/writer-input"

for _ in $(seq 100); do
  grep -q . "$work/writer-output" 2>/dev/null && break
  sleep 0.1
done
head -1 "$work/writer-output"

"$bin/shmlink_reader" "$name"

exec 3>&-  # end of the writer's input: it closes its segment and exits
wait "$writer_pid"
writer_pid=
tail -n +2 "$work/writer-output"
