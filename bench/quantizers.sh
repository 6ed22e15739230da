#!/usr/bin/env bash
# Encode + decode throughput of every ranged quantizer at R = 2 and n = 10^4 … 10^7, binary32 floats as the baseline in
# the same BenchmarkDotNet run, and the random rotation alone (hadamard: Θ and Θᵀ once each); prints a Markdown table
# of million coordinates per second (one core): the fastest of the measured iterations, and their mean. Both, since on
# a machine whose cores other tenants share at times a run's slow iterations measure the neighbours, not the code.
# The entropy-coded codes, a thousand times slower, run in a second suite with the short job's three iterations.
set -euo pipefail
cd "$(dirname "$0")/.."
iterations=15
fast=$(bench/benchmark-report.sh QuantizerBenchmarks quantizers --iterationCount "$iterations")
slow=$(bench/benchmark-report.sh EntropyCodeBenchmarks entropy-codes)
python3 - "$iterations" "$fast" "$slow" <<'PY'
import json, sys
iterations, reports = int(sys.argv[1]), [json.load(open(path)) for path in sys.argv[2:]]
cells = {}
for b in (b for report in reports for b in report["Benchmarks"]):
    p = dict(kv.split("=") for kv in b["Parameters"].split("&"))
    n, s = int(p["N"]), b["Statistics"]
    cells[(p["Kind"], n)] = (n / s["Min"] * 1000, n / s["Mean"] * 1000)
kinds = list(dict.fromkeys(k for k, _ in cells))
sizes = sorted({n for _, n in cells})
rate = lambda r: f"{r:,.1f}" if r < 10 else f"{r:,.0f}"
print(f"Encode + decode of one vector at R = 2 (float32: 32 bits), million coordinates per second on one core, measured by `bench/quantizers.sh` (BenchmarkDotNet, {iterations} iterations a cell — the entropy-coded rows 3 —, {reports[0]['HostEnvironmentInfo']['ProcessorName'].strip()}); each cell is the fastest iteration / the mean of the iterations:")
print()
print("| quantizer | " + " | ".join(f"n = {n:,}" for n in sizes) + " |")
print("|---|" + "---:|" * len(sizes))
for k in kinds:
    print(f"| {k} | " + " | ".join(f"{rate(cells[(k, n)][0])} / {rate(cells[(k, n)][1])}" for n in sizes) + " |")
PY
