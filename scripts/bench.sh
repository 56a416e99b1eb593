#!/usr/bin/env bash
# Runs the channel benchmarks and redraws bench/channels.png: installs what is missing, builds
# the benchmarks (warnings as errors, as the linux preset) in out/bench, runs them, and keeps
# their output and CSV files in out/bench/results. Takes about a minute on the 2-core VM.
#   scripts/bench.sh [round_trips (default 100000)] [throughput_scale (default 1)]
set -euo pipefail
cd "$(dirname "$0")/.."

trips=${1:-100000}
scale=${2:-1}
scripts/install-deps.sh bench

build=out/bench
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSHMLINK_WERROR=ON -DSHMLINK_BUILD_BENCH=ON \
  -DSHMLINK_BUILD_TESTS=OFF -DSHMLINK_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "$build" --target signal_pingpong channel_pingpong channel_throughput -j"$(nproc)"

results=$build/results
mkdir -p "$results"
"$build/bin/channel_pingpong" "$trips" --csv "$results/channel_pingpong.csv" | tee "$results/channel_pingpong.txt"
"$build/bin/channel_throughput" "$scale" --csv "$results/channel_throughput.csv" |
  tee "$results/channel_throughput.txt"
# Debian's python3, where python3-matplotlib is installed (a python3 earlier on PATH may lack it).
/usr/bin/python3 bench/plot_channels.py "$results/channel_pingpong.csv" "$results/channel_throughput.csv" \
  bench/channels.png
echo "Wrote bench/channels.png; output and CSV files in $results"
