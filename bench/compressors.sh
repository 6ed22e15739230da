#!/usr/bin/env bash
# Encode + decode throughput of every gradient compressor on one MLP-sized gradient (d = 101,770), binary32 as the
# baseline in the same BenchmarkDotNet run; prints a Markdown table of mean times and coordinates per second (one core).
set -euo pipefail
cd "$(dirname "$0")/.."
report=$(bench/benchmark-report.sh CompressorBenchmarks compressors)
python3 - "$report" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
d = 101_770
print(f"Encode + decode of one gradient of d = {d:,} coordinates, measured by `bench/compressors.sh` (BenchmarkDotNet, short job, {report['HostEnvironmentInfo']['ProcessorName'].strip()}):")
print()
print("| compressor | mean time | million coordinates / s |")
print("|---|---:|---:|")
for b in report["Benchmarks"]:
    name = b["Parameters"].split("=")[1]
    mean_ns = b["Statistics"]["Mean"]
    print(f"| {name} | {mean_ns / 1000:,.1f} µs | {d / mean_ns * 1000:,.0f} |")
PY
