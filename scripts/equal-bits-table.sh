#!/usr/bin/env bash
# Prints the README's "equal bits" table: softmax regression (2 epochs, 8 workers, 3 seeds) with AsyLPG, this project's
# df-asylpg (differential reads down, differential feedback up) and Sparse-AsyLPG at b = 2, 3, 4 bits both ways, one
# `dq train --compare --model-bits b --grad-bits b` per b; "total vs asylpg" compares within the same b.
# Usage: scripts/equal-bits-table.sh OUT_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:?usage: scripts/equal-bits-table.sh OUT_DIR}"
dotnet build src/DiffQuant.Cli -c Release -v quiet -nologo >/dev/null
dq() { dotnet src/DiffQuant.Cli/bin/Release/net10.0/DiffQuant.Cli.dll "$@"; }
for b in 2 3 4; do
  dq train --compare --model softmax --model-bits "$b" --grad-bits "$b" --methods asylpg,df-asylpg,sparse-asylpg --out "$out/equal-bits-$b" --quiet 2>/dev/null
done
python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
print("| b (model and gradient) | method | test accuracy (mean ± std) | vs asylpg (points) | train loss | uplink bits | downlink bits | total bits | total vs asylpg |")
print("|---:|---|---|---:|---:|---:|---:|---:|---:|")
for b in (2, 3, 4):
    rows = json.load(open(f"{out}/equal-bits-{b}/compare.json"))["rows"]
    first = rows[0]
    total = lambda r: r["uplink_bits_mean"] + r["downlink_bits_mean"]
    for r in rows:
        print(f"| {b} | {r['method']} | {100 * r['test_accuracy_mean']:.2f}% ± {100 * r['test_accuracy_std']:.2f} | {100 * (r['test_accuracy_mean'] - first['test_accuracy_mean']):+.2f} | {r['train_loss_mean']:.4f} | {r['uplink_bits_mean']:.3e} | {r['downlink_bits_mean']:.3e} | {total(r):.3e} | {total(first) / total(r):.2f}× |")
PY
