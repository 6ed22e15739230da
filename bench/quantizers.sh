#!/usr/bin/env bash
# Encode + decode throughput of every ranged quantizer at R = 2 and n = 10^4 … 10^7, binary32 floats as the baseline in
# the same BenchmarkDotNet run, and the random rotation alone (hadamard: Θ and Θᵀ once each); prints a Markdown table
# of million coordinates per second (one core).
set -euo pipefail
cd "$(dirname "$0")/.."
report=$(bench/benchmark-report.sh QuantizerBenchmarks quantizers)
python3 - "$report" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
cells = {}
for b in report["Benchmarks"]:
    p = dict(kv.split("=") for kv in b["Parameters"].split("&"))
    cells[(p["Kind"], int(p["N"]))] = int(p["N"]) / b["Statistics"]["Mean"] * 1000
kinds = list(dict.fromkeys(k for k, _ in cells))
sizes = sorted({n for _, n in cells})
print(f"Encode + decode of one vector at R = 2 (float32: 32 bits), million coordinates per second on one core, measured by `bench/quantizers.sh` (BenchmarkDotNet, short job, {report['HostEnvironmentInfo']['ProcessorName'].strip()}):")
print()
print("| quantizer | " + " | ".join(f"n = {n:,}" for n in sizes) + " |")
print("|---|" + "---:|" * len(sizes))
for k in kinds:
    print(f"| {k} | " + " | ".join(f"{cells[(k, n)]:,.1f}" if cells[(k, n)] < 10 else f"{cells[(k, n)]:,.0f}" for n in sizes) + " |")
PY
