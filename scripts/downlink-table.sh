#!/usr/bin/env bash
# Prints the README's "model codes down" table: the MLP (3 epochs, 8 workers, 3 seeds) with QSGD s = 15 up and each
# model code down, one `dq train --compare --methods qsgd --levels 15 --downlink …` per row; the gap is to binary32 down.
# Usage: scripts/downlink-table.sh OUT_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:?usage: scripts/downlink-table.sh OUT_DIR}"
dotnet build src/DiffQuant.Cli -c Release -v quiet -nologo >/dev/null
dq() { dotnet src/DiffQuant.Cli/bin/Release/net10.0/DiffQuant.Cli.dll "$@"; }
rows=(
  "float32|--downlink float32"
  "scaled, b = 4, one δ a read|--downlink scaled --model-bits 4"
  "scaled, b = 4, one δ per 256|--downlink scaled --model-bits 4 --model-block 256"
  "differential, b ≥ 4, one δ a read|--downlink differential --model-bits 4"
  "differential, b ≥ 2, one δ per 256|--downlink differential --model-bits 2 --model-block 256"
)
for i in "${!rows[@]}"; do
  IFS='|' read -r label args <<< "${rows[$i]}"
  # shellcheck disable=SC2086
  dq train --compare --model mlp --epochs 3 --methods qsgd --levels 15 $args --out "$out/downlink-$i" --quiet 2>/dev/null
  echo "$label" > "$out/downlink-$i/label.txt"
done
python3 - "$out" "${#rows[@]}" <<'PY'
import json, sys
out, count = sys.argv[1], int(sys.argv[2])
rows = []
for i in range(count):
    row = json.load(open(f"{out}/downlink-{i}/compare.json"))["rows"][0]
    rows.append((open(f"{out}/downlink-{i}/label.txt").read().strip(), row))
base = rows[0][1]
print("| model code down | test accuracy (mean ± std) | vs binary32 down (points) | train loss | downlink bits | downlink bits per coordinate |")
print("|---|---|---:|---:|---:|---:|")
for label, r in rows:
    # binary32 reads take 32 bits a coordinate, so this is 32 × the ratio of downlink bits (the one binary32 opening included).
    per_coordinate = 32 * r["downlink_bits_mean"] / base["downlink_bits_mean"]
    print(f"| {label} | {100 * r['test_accuracy_mean']:.2f}% ± {100 * r['test_accuracy_std']:.2f} | {100 * (r['test_accuracy_mean'] - base['test_accuracy_mean']):+.2f} | {r['train_loss_mean']:.4f} | {r['downlink_bits_mean']:.3e} | {per_coordinate:.2f} |")
PY
