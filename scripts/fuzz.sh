#!/usr/bin/env bash
# Fuzzes the channel algorithm (fuzz/channel_ring_fuzzer.cpp) for a bounded time with clang's
# libFuzzer under AddressSanitizer + UndefinedBehaviorSanitizer. Usage:
#   scripts/fuzz.sh [seconds]   default 60
# Exits non-zero on a crash, a sanitizer report, an escaping exception or a hang (10 s per
# input); the input that did it is left in out/fuzz/ as crash-*, timeout-* or oom-*. Reproduce
# with out/fuzz/channel_ring_fuzzer <that file>.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
scripts/install-deps.sh fuzz

cmake -S fuzz -B out/fuzz -DCMAKE_CXX_COMPILER=clang++ >/dev/null
cmake --build out/fuzz -j"$(nproc)"

# New inputs go to a scratch directory; the seeds in fuzz/corpus/ are only read.
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
out/fuzz/channel_ring_fuzzer -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix=out/fuzz/ "$corpus" fuzz/corpus
