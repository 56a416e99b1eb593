#!/usr/bin/env python3
"""Draws bench/channels.png from the CSV files channel_pingpong and channel_throughput write.

Usage: plot_channels.py PINGPONG_CSV THROUGHPUT_CSV OUTPUT_PNG   (needs python3-matplotlib)
"""
import csv
import sys

import matplotlib

matplotlib.use("Agg")  # no display needed
import matplotlib.pyplot as plt  # noqa: E402

MECHANISMS = {
    "channel": "channel\nblocking",
    "channel-poll": "channel\nbusy-poll",
    "futex": "raw futex",
    "spin": "raw spin",
    "pipe": "pipe",
    "uds": "Unix\nsocket",
    "boost-mq": "Boost\nmessage_queue",
}
PLACEMENTS = {"same-core": "both on CPU 0 (spinners yield)", "cross-core": "peer on CPU 1"}
THROUGHPUT = {  # key: (label, line style: a colour per path, solid = blocking, dashed = polled)
    "channel-copy": ("channel send/receive (2 copies), blocking", "C0-"),
    "channel-copy-poll": ("channel send/receive (2 copies), polled", "C0--"),
    "channel-zero-copy": ("channel reserve/commit + peek/consume, blocking", "C1-"),
    "channel-zero-copy-poll": ("channel reserve/commit + peek/consume, polled", "C1--"),
    "memcpy": ("memcpy, one thread", "C2:"),
}


def read(path):
    with open(path, newline="") as file:
        return list(csv.DictReader(file))


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    pingpong, throughput, output = read(sys.argv[1]), read(sys.argv[2]), sys.argv[3]
    figure, (latency, bandwidth) = plt.subplots(1, 2, figsize=(14, 5.5))

    p50 = {(row["placement"], row["mechanism"]): float(row["p50_us"]) for row in pingpong}
    width = 0.4
    for i, (placement, label) in enumerate(PLACEMENTS.items()):
        xs = [x + (i - 0.5) * width for x in range(len(MECHANISMS))]
        values = [p50.get((placement, key), float("nan")) for key in MECHANISMS]
        bars = latency.bar(xs, values, width, label=label)
        latency.bar_label(bars, fmt="%.2g", fontsize=7)
    latency.set_yscale("log")
    finite = [value for value in p50.values() if value == value]
    if finite:  # headroom above the tallest bar for the legend
        latency.set_ylim(min(finite) / 2, max(finite) * 20)
    latency.set_xticks(range(len(MECHANISMS)))
    latency.set_xticklabels(MECHANISMS.values(), fontsize=8)
    latency.set_ylabel("round trip p50 (microseconds, log scale)")
    latency.set_title("Two-process ping-pong, 64 B messages")
    latency.legend(fontsize=8, loc="upper left")

    sizes = sorted({int(row["size_bytes"]) for row in throughput})
    for key, (label, style) in THROUGHPUT.items():
        rate = {int(row["size_bytes"]): float(row["gb_per_s"]) for row in throughput if row["mechanism"] == key}
        bandwidth.plot(sizes, [rate.get(size, float("nan")) for size in sizes], style, marker="o", label=label)
    bandwidth.set_xscale("log", base=2)
    bandwidth.set_yscale("log")
    bandwidth.set_xticks(sizes)
    bandwidth.set_xticklabels([f"{s} B" if s < 1024 else f"{s // 1024} KiB" if s < 1 << 20 else f"{s >> 20} MiB"
                               for s in sizes])
    bandwidth.set_xlabel("message size")
    bandwidth.set_ylabel("GB/s (log scale)")
    bandwidth.set_title("One-way throughput, sender on CPU 1, receiver on CPU 0")
    bandwidth.legend(fontsize=8)

    figure.tight_layout()
    figure.savefig(output, dpi=100)


if __name__ == "__main__":
    main()
