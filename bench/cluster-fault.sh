#!/usr/bin/env bash
# What losing a worker silo costs: the same `dq train --silos 3` run undisturbed and with one worker silo killed
# (SIGKILL) right after the checkpoint of update 150, side by side. Prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build src/DiffQuant.Cli -c Release -v quiet -nologo >/dev/null
dll=src/DiffQuant.Cli/bin/Release/net10.0/DiffQuant.Cli.dll
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
args=(train --silos 3 --model softmax --method ef-topk-sign --epochs 1 --checkpoint-every 50 --json)
dotnet "$dll" "${args[@]}" --checkpoint "$out/undisturbed.ckpt" --out "$out/undisturbed" 2>/dev/null > "$out/undisturbed.json"

# The killed run: wait for its checkpoint line, then kill a silo child that is not the primary (its --silo-port differs
# from its --primary-port; the primary holds the loopback membership table).
coproc DQ { dotnet "$dll" "${args[@]}" --checkpoint "$out/killed.ckpt" --out "$out/killed" 2>&1 >"$out/killed.json"; }
dq_pid=$DQ_PID
victim=""
while IFS= read -r line <&"${DQ[0]}"; do
  if [[ -z "$victim" && "$line" == *"checkpoint of update 150 written"* ]]; then
    for child in $(pgrep -P "$(pgrep -P "$dq_pid" -f DiffQuant.Cli.dll | head -1)" -f " silo" || true); do
      if python3 -c 'import sys; a=open(f"/proc/{sys.argv[1]}/cmdline").read().split("\0"); sys.exit(a[a.index("--silo-port")+1] == a[a.index("--primary-port")+1])' "$child"; then
        victim=$child
        kill -9 "$victim"
        break
      fi
    done
  fi
done
wait "$dq_pid" || true
[[ -n "$victim" ]] || { echo "no worker silo was killed" >&2; exit 1; }
python3 - "$out/undisturbed.json" "$out/killed.json" <<'PY'
import json, sys
rows = [("undisturbed", json.load(open(sys.argv[1]))), ("worker silo killed after update 150", json.load(open(sys.argv[2])))]
print("| `dq train --silos 3 --model softmax --method ef-topk-sign --epochs 1 --checkpoint-every 50` | recoveries | updates made again | uplink bits discarded | wall s | test accuracy | uplink bits (as applied) |")
print("|---|---:|---:|---:|---:|---:|---:|")
for name, r in rows:
    print(f"| {name} | {r['recoveries']} | {r['steps_redone']} | {r['uplink_bits_discarded']:,} | {r['wall_seconds']:.2f} | {100 * r['test_accuracy']:.2f}% | {r['uplink_bits_total']:,} |")
PY
