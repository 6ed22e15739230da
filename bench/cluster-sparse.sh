#!/usr/bin/env bash
# Sparse least squares with n = 10^6 unknowns and 10^7 non-zeros (`dq run --problem sparse`), R = 2, run in-process and
# with its server and workers as grains on 2 silo processes on loopback, side by side in one run, for 1 and 8 workers
# and for a float64, a float32 and a relay downlink (each worker's replica of the server applies the other workers'
# messages instead of receiving x̂): milliseconds a round, rounds a second, bytes Orleans moved a second in the server's
# silo, and where a round's time goes (server; workers computing, as their grains measured it; transport = the rest of
# the wait for the workers; both summed over the workers, which answer at once on the cluster).
# Each side runs REPEATS times, alternating, and the faster is kept. Prints a Markdown table.
# Usage: bench/cluster-sparse.sh [ROUNDS] [REPEATS] (defaults 40 and 2).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-40}
repeats=${2:-2}
dotnet build src/DiffQuant.Cli -c Release -v quiet -nologo >/dev/null
dq() { dotnet src/DiffQuant.Cli/bin/Release/net10.0/DiffQuant.Cli.dll "$@"; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
problem=(--problem sparse --m 1000000 --n 1000000 --nnz-per-row 10 --rate 2 --range adaptive --iterations "$rounds")
echo "| workers, downlink | in-process ms/round | 2 silos ms/round | ratio | cluster rounds/s | cluster MB/s on the wire | cluster round: server / workers computing / transport (ms) |"
echo "|---|---:|---:|---:|---:|---:|---|"
for workers in 1 8; do
  for downlink in float64 float32 relay; do
    for repeat in $(seq "$repeats"); do
      dq run "${problem[@]}" --workers "$workers" --downlink "$downlink" --json > "$out/local-$repeat.json"
      dq run "${problem[@]}" --workers "$workers" --downlink "$downlink" --silos 2 --json 2>/dev/null > "$out/cluster-$repeat.json"
    done
    python3 - "$out" "$repeats" "$workers" "$downlink" <<'PY'
import json, sys
out, repeats, workers, downlink = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
# Best of the repeats for each side: this shared machine's noise only ever adds time.
local = min((json.load(open(f"{out}/local-{r}.json")) for r in range(1, repeats + 1)), key=lambda run: run["round_seconds"])
cluster = min((json.load(open(f"{out}/cluster-{r}.json")) for r in range(1, repeats + 1)), key=lambda run: run["round_seconds"])
assert local["bits_total"] == cluster["bits_total"] and local["relative_error"] == cluster["relative_error"], "the cluster run differs"
t = cluster["iterations"]
per = {name: run["round_seconds"] / t * 1e3 for name, run in (("local", local), ("cluster", cluster))}
wire = (cluster["wire_bytes_sent"] + cluster["wire_bytes_received"]) / cluster["round_seconds"] / 1e6
server = cluster["server_seconds"] / t * 1e3
compute = cluster["worker_compute_seconds"] / t * 1e3
transport = (cluster["worker_seconds"] - cluster["worker_compute_seconds"]) / t * 1e3
print(f"| {workers}, {downlink} | {per['local']:.1f} | {per['cluster']:.1f} | {per['cluster'] / per['local']:.2f}× | {1e3 / per['cluster']:.1f} | {wire:.0f} | {server:.1f} / {compute:.1f} / {transport:.1f} |")
PY
  done
done
