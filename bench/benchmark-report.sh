#!/usr/bin/env bash
# Runs the BenchmarkDotNet class CLASS of bench/DiffQuant.Benchmarks (short job, JSON exporter) into dq-out/bench/NAME
# and prints the path of its full JSON report, for the table scripts beside it; further arguments go to BenchmarkDotNet
# (e.g. --iterationCount 15).
# Usage: bench/benchmark-report.sh CLASS NAME [BENCHMARKDOTNET ARGUMENTS...]
set -euo pipefail
cd "$(dirname "$0")/.."
class=$1
artifacts="dq-out/bench/$2"
shift 2
dotnet run -c Release --project bench/DiffQuant.Benchmarks -- --filter "*$class*" --job short --exporters json --artifacts "$artifacts" "$@" >/dev/null
ls "$artifacts"/results/*"$class"*-report-full-compressed.json
