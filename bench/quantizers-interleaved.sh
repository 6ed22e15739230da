#!/usr/bin/env bash
# The cells of bench/quantizers.sh (encode + decode at R = 2, every fast kind at n = 10^4 … 10^7), a process a kind,
# its sizes measured round-robin, each sample between two timings of a control kernel that stays in the first-level
# cache (a Hadamard transform of 4096 floats): the control measures how fast the core runs at that moment, so the
# samples taken while it ran at its fastest show the code's speed on a core of its own, and the rest show what the
# neighbours left it.
# Prints a Markdown table of million coordinates per second; the JSON it came from is kept in dq-out/bench/interleaved.
# Usage: bench/quantizers-interleaved.sh [ROUNDS]   (default 160, about five minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p dq-out/bench/interleaved
json=dq-out/bench/interleaved/report.json
trap 'rm -f "$json.tmp"' EXIT # a failed run leaves the last report as it was
dotnet run -c Release --project bench/DiffQuant.Benchmarks -- interleaved "$@" >"$json.tmp"
mv "$json.tmp" "$json"
python3 - "$json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
sizes = sorted({c["n"] for k in r["kinds"] for c in k["cells"]})
rate = lambda x: "–" if x is None else (f"{x:,.1f}" if x < 10 else f"{x:,.0f}")
processor = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "unknown processor")
quiet = [k["quiet_fraction"] for k in r["kinds"]]
slowest = max(k["control_nanoseconds_slowest"] for k in r["kinds"]) / r["control_nanoseconds_fastest"]
print(f"Encode + decode at R = {r['measured_rate']:g}, million coordinates per second on one core, measured by `bench/quantizers-interleaved.sh` ({processor}): "
      f"a process a kind, its sizes visited {r['rounds']} times each in a random order, a sample {r['sample_seconds'] * 1000:g} ms of repeats, "
      f"between two timings of a control (a 4096-float Hadamard transform in the first-level cache, fastest {r['control_nanoseconds_fastest']:,.0f} ns in the run). "
      f"A sample is quiet when the slower of its two control timings is within {r['quiet_tolerance']:.0%} of that ({min(quiet):.0%}–{max(quiet):.0%} of a kind's samples were; the slowest timing took {slowest:.1f}× as long). "
      "Each cell is the median of its quiet samples (their number) / the median of all its samples / its fastest sample:")
print()
print("| quantizer | " + " | ".join(f"n = {n:,}" for n in sizes) + " |")
print("|---|" + "---:|" * len(sizes))
for k in r["kinds"]:
    cells = {c["n"]: c for c in k["cells"]}
    print(f"| {k['kind']} | " + " | ".join(f"{rate(c['quiet_median'])} ({c['quiet_samples']}) / {rate(c['median'])} / {rate(c['fastest'])}" for c in (cells[n] for n in sizes)) + " |")
PY
