#!/usr/bin/env bash
# The same `dq train` runs in-process and with their workers as grains on 2 silo processes on loopback, side by side in
# one run: training seconds (wall time less the setup: silo start-up, and workers loading their shards), updates per
# second, and the bytes Orleans moved in the server's silo against the channel's information bytes (less the
# checkpoints returned to the submitting process, and the worker state fetched for them). Prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build src/DiffQuant.Cli -c Release -v quiet -nologo >/dev/null
dq() { dotnet src/DiffQuant.Cli/bin/Release/net10.0/DiffQuant.Cli.dll "$@"; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "| run (1 epoch, 8 workers) | updates | in-process training s | 2 silos training s | ratio | cluster setup s | cluster updates/s | wire bytes ÷ information bytes (down, up; checkpoints excluded) | checkpoint MB (worker state fetched + returned) |"
echo "|---|---:|---:|---:|---:|---:|---:|---|---:|"
for args in "--model softmax --method sgd" "--model softmax --method asylpg" "--model mlp --method sgd" "--model mlp --method ef-topk-sign"; do
  # shellcheck disable=SC2086
  dq train $args --epochs 1 --json --out "$out/local" 2>/dev/null > "$out/local.json"
  # shellcheck disable=SC2086
  dq train $args --epochs 1 --silos 2 --json --out "$out/cluster" 2>/dev/null > "$out/cluster.json"
  python3 - "$out/local.json" "$out/cluster.json" "$args" <<'PY'
import json, sys
local, cluster, args = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3]
assert local["uplink_bits_total"] == cluster["uplink_bits_total"] and local["test_accuracy"] == cluster["test_accuracy"], "the cluster run differs"
down = (cluster["wire_bytes_sent"] - cluster["checkpoint_bytes_returned"]) / (cluster["downlink_bits_total"] / 8)
up = (cluster["wire_bytes_received"] - cluster["state_bytes"]) / (cluster["uplink_bits_total"] / 8)
train = {name: run["wall_seconds"] - run["setup_seconds"] for name, run in (("local", local), ("cluster", cluster))}
print(f"| `{args}` | {cluster['steps']} | {train['local']:.2f} | {train['cluster']:.2f} | {train['cluster'] / train['local']:.1f}× | {cluster['setup_seconds']:.2f} | {cluster['steps'] / train['cluster']:.0f} | {down:.3f}, {up:.3f} | {cluster['state_bytes'] / 1e6:.1f} + {cluster['checkpoint_bytes_returned'] / 1e6:.1f} |")
PY
done
