#!/usr/bin/env bash
# The Fig. 3 sweep (`dq figure3`, Gaussian 1000 x 100, R = 1..12, GD / NQ-GD paper and worst case / DQ-GD)
# against its plain NumPy baseline (bench/numpy/figure3_baseline.py), run side by side on this machine:
# dq on one thread and on every core, NumPy on one (Debian's NumPy uses the reference BLAS, single-threaded).
# Both time their sweep in-process, instance generation and setup included, interpreter and runtime start-up
# excluded. Prints a Markdown table of times and speed-ups, then the mean rates of both at a few rates (the
# random streams differ, so they agree to sampling error). Usage: bench/figure3-vs-numpy.sh [instances=500]
set -euo pipefail
cd "$(dirname "$0")/.."
instances="${1:-500}"
python=""
for candidate in "${PYTHON:-python3}" python3 /usr/bin/python3; do
  if command -v "$candidate" >/dev/null && "$candidate" -c 'import numpy' 2>/dev/null; then python="$candidate"; break; fi
done
if [ -z "$python" ]; then
  echo "error: no Python with NumPy found; install it with 'apt-get install python3-numpy' or set PYTHON." >&2
  exit 2
fi
out=dq-out/bench
mkdir -p "$out"
dotnet build src/DiffQuant.Cli -c Release -v quiet -nologo >/dev/null
dq() { dotnet src/DiffQuant.Cli/bin/Release/net10.0/DiffQuant.Cli.dll "$@"; }
"$python" bench/numpy/figure3_baseline.py --instances "$instances" > "$out/numpy.json"
dq figure3 --instances "$instances" --threads 1 --json --out "$out/dq-1" 2>/dev/null > "$out/dq-1.json"
dq figure3 --instances "$instances" --json --out "$out/dq-all" 2>/dev/null > "$out/dq-all.json"
"$python" - "$out" <<'PY'
import json, pathlib, sys
out = pathlib.Path(sys.argv[1])
numpy = json.loads((out / "numpy.json").read_text())
runs = [("NumPy (" + numpy["implementation"] + ")", 1, numpy)]
for name in ["dq-1", "dq-all"]:
    d = json.loads((out / f"{name}.json").read_text())
    runs.append(("dq figure3", d["threads"], d))
base = numpy["elapsed_seconds"]
print(f"Fig. 3 sweep, {numpy['problem']}, {numpy['instances']} instances, {len(numpy['rows'])} method/range/rate cells, measured by `bench/figure3-vs-numpy.sh {numpy['instances']}`:")
print()
print("| implementation | threads | runs | iterations | seconds | µs per iteration | speed-up over NumPy |")
print("|---|---:|---:|---:|---:|---:|---:|")
for name, threads, d in runs:
    print(f"| {name} | {threads} | {d['run_count']} | {d['iterations_total']} | {d['elapsed_seconds']:.2f} | {d['elapsed_seconds'] * 1e6 / d['iterations_total']:.2f} | {base / d['elapsed_seconds']:.1f}× |")
print()
print("Mean empirical rates of the same cells (independent random streams, so equal to sampling error):")
print()
print("| method | range | R | dq | NumPy |")
print("|---|---|---:|---:|---:|")
dq_rows = {(r["method"], r["range"], r["rate_bits"]): r["empirical_rate_mean"] for r in json.loads((out / "dq-all.json").read_text())["rows"]}
for r in numpy["rows"]:
    key = (r["method"], r["range"], r["rate_bits"])
    if r["rate_bits"] in (4, 6, 8, 64) and key in dq_rows:
        print(f"| {key[0]} | {key[1]} | {key[2] if key[2] != 64 else '—'} | {dq_rows[key]:.4f} | {r['empirical_rate_mean']:.4f} |")
PY
