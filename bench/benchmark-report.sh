#!/usr/bin/env bash
# Runs the BenchmarkDotNet class CLASS of bench/DiffQuant.Benchmarks (short job, JSON exporter) into dq-out/bench/NAME
# and prints the path of its full JSON report, for the table scripts beside it.
# Usage: bench/benchmark-report.sh CLASS NAME
set -euo pipefail
cd "$(dirname "$0")/.."
artifacts="dq-out/bench/$2"
dotnet run -c Release --project bench/DiffQuant.Benchmarks -- --filter "*$1*" --job short --exporters json --artifacts "$artifacts" >/dev/null
ls "$artifacts"/results/*"$1"*-report-full-compressed.json
