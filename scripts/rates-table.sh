#!/usr/bin/env bash
# Prints the README's "rates at a few R" table: one `dq run --json` per method and rate on the
# default problem (Gaussian 1000 x 100, seed 1), stopping at relative error 1e-12.
# Usage: scripts/rates-table.sh [extra dq run options...]
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build src/DiffQuant.Cli -c Release -v quiet -nologo >/dev/null
dq() { dotnet src/DiffQuant.Cli/bin/Release/net10.0/DiffQuant.Cli.dll "$@"; }
echo "| method | R | iterations | empirical rate | bound | converse | uplink bits/coord | overloads |"
echo "|---|---|---|---|---|---|---|---|"
for method in gd nq-gd dq-gd agd nq-agd dq-agd hb nq-hb dq-hb; do
  case "$method" in nq-*|dq-*) rates="4 6 8 10";; *) rates="64";; esac
  for rate in $rates; do
    dq run --method "$method" --rate "$rate" --eps 1e-12 --json "$@" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print("| {method} | {rate_bits:g} | {iterations} | {empirical_rate:.4f} | {bound:.4f} | {converse:.4f} | {bits_per_coordinate:.1f} | {overloads} |".format(**d))'
  done
done
