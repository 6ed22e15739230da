#!/usr/bin/env bash
# Regenerates every number and figure in README.md from the dq commands:
#   dq figure3 (full defaults: 500 instances, R = 1..12, GD/NQ-GD/DQ-GD) on the Gaussian ensemble and on ash958,
#   dq figure3 with the rotated code and with its entropy-coded variant, adaptive ranges, on the Gaussian ensemble
#   (R = 0.5..6 step 0.25),
#   dq bits (defaults: 20 instances, all nine methods, cube, dithered, rotated, rotated-ec, rotated-tcq, e8 and d8 under
#   worst-case and adaptive ranges, R = 0.5..12 step 0.25) on both, and dq bits --ramps with the trellis code (rate ramps),
#   scripts/rates-table.sh (single runs of every method), dq quantizers and bench/quantizers.sh (every quantizer's
#   error and speed),
#   bench/figure3-vs-numpy.sh (the default Fig. 3 sweep against its NumPy baseline, side by side; needs python3-numpy),
#   dq train --compare for softmax regression and the MLP on Fashion-MNIST (needs dataset-fashion-mnist), for the
#   synchronous compressors and the asynchronous double-quantization methods, scripts/downlink-table.sh and
#   scripts/equal-bits-table.sh, bench/cluster-vs-inprocess.sh (the same runs in-process and on 2 silo processes),
#   bench/cluster-fault.sh (the workers' or the server's silo killed mid-run against an undisturbed run) and
#   bench/cluster-sparse.sh (n = 10^6 sparse least squares in-process and on 2 silos).
# Outputs go to dq-out/readme/; the figures are copied to docs/ and the Markdown tables spliced into
# README.md between <!-- generated:NAME --> and <!-- end:NAME --> markers.
set -euo pipefail
cd "$(dirname "$0")/.."
ash958="${ASH958:-data/ash958.mtx}"
out=dq-out/readme
dotnet build src/DiffQuant.Cli -c Release -v quiet -nologo >/dev/null
dq() { dotnet src/DiffQuant.Cli/bin/Release/net10.0/DiffQuant.Cli.dll "$@"; }
mkdir -p "$out" docs
dq figure3 --out "$out/figure3-gaussian" --quiet
dq figure3 --matrix "$ash958" --out "$out/figure3-ash958" --quiet
dq figure3 --quantizer rotated --ranges adaptive --rates 0.5:6:0.25 --out "$out/figure3-rotated" --quiet
dq figure3 --quantizer rotated-ec --ranges adaptive --rates 0.5:6:0.25 --out "$out/figure3-rotated-ec" --quiet
dq bits --out "$out/bits-gaussian" --quiet
dq bits --matrix "$ash958" --out "$out/bits-ash958" --quiet
dq bits --methods dq-gd,dq-hb,dqm-hb,dqm-agd --quantizers rotated-tcq --ranges adaptive --rates 1:2.2:0.05 --ramps 0,0.5,1,1.5 --instances 50 --out "$out/bits-ramp-gaussian" --quiet
dq bits --matrix "$ash958" --methods dq-gd,dq-hb,dqm-hb,dqm-agd --quantizers rotated-tcq --ranges adaptive --rates 0.5:1.6:0.05 --ramps 0,0.5,1,1.5 --out "$out/bits-ramp-ash958" --quiet
scripts/rates-table.sh > "$out/rates.md"
dq quantizers --out "$out/quantizers" >/dev/null
cp "$out/quantizers/quantizers.md" "$out/quantizers.md"
bench/quantizers.sh > "$out/quantizers-speed.md"
bench/figure3-vs-numpy.sh 500 > "$out/speed.md"
dq train --compare --model softmax --out "$out/train-softmax" --quiet
dq train --compare --model mlp --epochs 3 --out "$out/train-mlp" --quiet
dq train --model mlp --epochs 1 --out "$out/train-epoch" --json 2>/dev/null > "$out/train-epoch.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("One epoch of the MLP, {} workers, method {}, on {} threads: {:.2f} s wall, evaluations included (`dq train --model mlp --epochs 1 --json`, wall_seconds).".format(d["workers"], d["method"], __import__("os").cpu_count(), d["wall_seconds"]))' "$out/train-epoch.json" > "$out/train-speed.md"
bench/compressors.sh >> "$out/train-speed.md"
asynchronous=svrg,qsvrg,halp,asylpg,sparse-asylpg,acc-asylpg,df-asylpg
dq train --compare --model softmax --methods "$asynchronous" --out "$out/dq-softmax" --quiet
dq train --compare --model mlp --epochs 3 --lr 0.2 --methods "$asynchronous" --out "$out/dq-mlp" --quiet
dq train --compare --positive-class 0 --model softmax --methods "$asynchronous" --out "$out/dq-logistic" --quiet
scripts/downlink-table.sh "$out" > "$out/dq-downlink.md"
scripts/equal-bits-table.sh "$out" > "$out/dq-equal-bits.md"
bench/cluster-vs-inprocess.sh > "$out/cluster.md"
bench/cluster-fault.sh > "$out/cluster-fault.md"
bench/cluster-sparse.sh > "$out/cluster-sparse.md"
cp "$out/dq-logistic/compare.md" "$out/dq-logistic.md"
for name in dq-softmax dq-mlp; do
  cp "$out/$name/compare.md" "$out/$name.md"
  for stem in accuracy-uplink accuracy-downlink loss-uplink loss-downlink; do
    cp "$out/$name/$stem.png" "docs/$name-$stem.png"
  done
done
for name in train-softmax train-mlp; do
  cp "$out/$name/frontier.png" "docs/$name.png"
  cp "$out/$name/compare.md" "$out/$name.md"
done
for name in figure3-gaussian figure3-ash958; do
  cp "$out/$name/figure3.png" "docs/$name.png"
  cp "$out/$name/figure3.md" "$out/$name.md"
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("Measured by this run: {} instances, {} runs, {} iterations in {:.2f} s on {} threads ({:.2f} µs per iteration per thread, instance setup included).".format(d["instances"], d["run_count"], d["iterations_total"], d["elapsed_seconds"], d["threads"], d["microseconds_per_iteration"]))' "$out/$name/figure3.json" >> "$out/$name.md"
done
for name in figure3-rotated figure3-rotated-ec; do
  cp "$out/$name/figure3.png" "docs/$name.png"
  sed -n '1,/^$/p' "$out/$name/figure3.md" | sed '/^$/d' > "$out/$name.md"
done
for name in bits-gaussian bits-ash958; do
  cp "$out/$name/bits.png" "docs/$name.png"
  cp "$out/$name/bits.md" "$out/$name.md"
done
for name in bits-ramp-gaussian bits-ramp-ash958; do
  scripts/ramp-table.sh "$out/$name" > "$out/$name.md"
done
python3 scripts/splice.py "$out" figure3-gaussian figure3-ash958 figure3-rotated figure3-rotated-ec bits-gaussian bits-ash958 bits-ramp-gaussian bits-ramp-ash958 rates quantizers quantizers-speed speed train-softmax train-mlp train-speed dq-softmax dq-logistic dq-mlp dq-downlink dq-equal-bits cluster cluster-fault cluster-sparse
echo "README.md, docs/*.png regenerated from $out"
