#!/usr/bin/env bash
# Prints the README's rate-ramp table from a `dq bits --ramps …` run: for each method and ramp C, the cheapest rate R
# (mean over the run's instances) and what it saves against the same method at a constant rate (C = 0).
# Usage: scripts/ramp-table.sh OUT-DIR (the directory the `dq bits` run wrote bits.json to)
set -euo pipefail
python3 - "$1/bits.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
best = {}
for r in d["rows"]:
    if r["bits_per_coordinate_mean"] is None:
        continue
    key = (r["method"], r["ramp_bits"])
    if key not in best or r["bits_per_coordinate_mean"] < best[key]["bits_per_coordinate_mean"]:
        best[key] = r
print(f"{d['problem']}, {d['instances']} instances, ε = {d['eps']:g}; volume floor {d['floor_bits']:.2f} bits per coordinate; each row the cheapest R of its method and ramp:")
print()
print("| method | quantizer | ramp C | R | iterations | bits / coordinate | × floor | against C = 0 |")
print("|---|---|---|---|---|---|---|---|")
for (method, ramp), r in sorted(best.items(), key=lambda kv: (min(b["bits_per_coordinate_mean"] for (m, _), b in best.items() if m == kv[0][0]), kv[0][1])):
    flat = best.get((method, 0))
    saved = "—" if ramp == 0 or flat is None else f"{r['bits_per_coordinate_mean'] - flat['bits_per_coordinate_mean']:+.2f}"
    print(f"| {method} | {r['quantizer']} | {ramp:g} | {r['rate_bits']:g} | {r['iterations_mean']:.2f} | {r['bits_per_coordinate_mean']:.2f} | {r['bits_per_coordinate_mean'] / d['floor_bits']:.3f} | {saved} |")
PY
