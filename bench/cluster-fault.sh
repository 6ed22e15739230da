#!/usr/bin/env bash
# What losing a silo costs: the same `dq train --silos 3` run undisturbed, with the workers' silo killed (SIGKILL) right
# after the checkpoint of update 150, and with the server's silo killed there, side by side. Prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build src/DiffQuant.Cli -c Release -v quiet -nologo >/dev/null
dll=src/DiffQuant.Cli/bin/Release/net10.0/DiffQuant.Cli.dll
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
args=(train --silos 3 --model softmax --method ef-topk-sign --epochs 2 --checkpoint-every 50 --json)
dotnet "$dll" "${args[@]}" --checkpoint "$out/undisturbed.ckpt" --out "$out/undisturbed" 2>/dev/null > "$out/undisturbed.json"

# A killed run: read its log for the server's silo ("server on silo 127.0.0.1:PORT@GEN"), wait for its checkpoint
# line, then kill the silo child that $1 names: "server" (the server's port) or "workers" (neither the server's nor the
# primary's, which holds the loopback membership table).
killed_run() {
  local which=$1 server_port="" victim=""
  coproc DQ { dotnet "$dll" "${args[@]}" --checkpoint "$out/$which.ckpt" --out "$out/$which" 2>&1 >"$out/$which.json"; }
  local dq_pid=$DQ_PID
  while IFS= read -r line <&"${DQ[0]}"; do
    echo "$line" >> "$out/$which.log"
    if [[ -z "$server_port" && "$line" =~ ^server\ on\ silo\ [0-9.]+:([0-9]+)@ ]]; then
      server_port=${BASH_REMATCH[1]}
    fi
    if [[ -z "$victim" && "$line" == *"checkpoint of update 150 written"* ]]; then
      for child in $(pgrep -P "$(pgrep -P "$dq_pid" -f DiffQuant.Cli.dll | head -1)" -f " silo" || true); do
        if python3 -c 'import sys; a=open(f"/proc/{sys.argv[1]}/cmdline").read().split("\0"); port=a[a.index("--silo-port")+1]; sys.exit(not (port == sys.argv[3] if sys.argv[2] == "server" else port not in (sys.argv[3], a[a.index("--primary-port")+1])))' "$child" "$which" "$server_port"; then
          victim=$child
          kill -9 "$victim"
          break
        fi
      done
    fi
  done
  wait "$dq_pid" || { echo "the run with the $which silo killed failed:" >&2; cat "$out/$which.log" >&2; exit 1; }
  [[ -n "$victim" ]] || { echo "no $which silo was killed" >&2; exit 1; }
}
killed_run workers
killed_run server
python3 - "$out/undisturbed.json" "$out/workers.json" "$out/server.json" <<'PY'
import json, sys
rows = [("undisturbed", json.load(open(sys.argv[1]))), ("workers' silo killed after update 150", json.load(open(sys.argv[2]))), ("server's silo killed after update 150", json.load(open(sys.argv[3])))]
print("| `dq train --silos 3 --model softmax --method ef-topk-sign --epochs 2 --checkpoint-every 50` | worker recoveries | server recoveries | updates made again (reported) | uplink bits discarded | wall s | test accuracy | uplink bits (as applied) |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
for name, r in rows:
    print(f"| {name} | {r['recoveries']} | {r['server_recoveries']} | {r['steps_redone']} | {r['uplink_bits_discarded']:,} | {r['wall_seconds']:.2f} | {100 * r['test_accuracy']:.2f}% | {r['uplink_bits_total']:,} |")
PY
