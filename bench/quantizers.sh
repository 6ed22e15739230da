#!/usr/bin/env bash
# Encode + decode throughput of every ranged quantizer at R = 2 and n = 10^4 … 10^7, binary32 floats as the baseline in
# the same BenchmarkDotNet run, and the random rotation alone (hadamard: Θ and Θᵀ once each); prints a Markdown table
# of million coordinates per second (one core): the fastest of the measured iterations, and their mean. Both, since on
# a machine whose cores other tenants share at times a run's slow iterations measure the neighbours, not the code.
set -euo pipefail
cd "$(dirname "$0")/.."
iterations=15
report=$(bench/benchmark-report.sh QuantizerBenchmarks quantizers --iterationCount "$iterations")
python3 - "$report" "$iterations" <<'PY'
import json, sys
report, iterations = json.load(open(sys.argv[1])), int(sys.argv[2])
cells = {}
for b in report["Benchmarks"]:
    p = dict(kv.split("=") for kv in b["Parameters"].split("&"))
    n, s = int(p["N"]), b["Statistics"]
    cells[(p["Kind"], n)] = (n / s["Min"] * 1000, n / s["Mean"] * 1000)
kinds = list(dict.fromkeys(k for k, _ in cells))
sizes = sorted({n for _, n in cells})
rate = lambda r: f"{r:,.1f}" if r < 10 else f"{r:,.0f}"
print(f"Encode + decode of one vector at R = 2 (float32: 32 bits), million coordinates per second on one core, measured by `bench/quantizers.sh` (BenchmarkDotNet, short job with {iterations} iterations, {report['HostEnvironmentInfo']['ProcessorName'].strip()}); each cell is the fastest iteration / the mean of the iterations:")
print()
print("| quantizer | " + " | ".join(f"n = {n:,}" for n in sizes) + " |")
print("|---|" + "---:|" * len(sizes))
for k in kinds:
    print(f"| {k} | " + " | ".join(f"{rate(cells[(k, n)][0])} / {rate(cells[(k, n)][1])}" for n in sizes) + " |")
PY
