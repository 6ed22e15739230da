#!/usr/bin/env bash
# docs/status.png: the live status page of `dq train --model mlp --epochs 2 --silos 2` half way through, as Debian's
# headless chromium draws it.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build src/DiffQuant.Cli -c Release -v quiet -nologo >/dev/null
port=18080
token=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
DQ_STATUS_TOKEN=$token dotnet src/DiffQuant.Cli/bin/Release/net10.0/DiffQuant.Cli.dll train --model mlp --epochs 2 --silos 2 \
  --status-port "$port" --json --out "$out" >/dev/null 2>"$out/log" &
run=$!
until curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port/status" 2>/dev/null \
  | python3 -c "import json,sys; t=sys.stdin.read(); s=json.loads(t) if t else {}; sys.exit(0 if s and s[\"steps\"] > 0 and s[\"step\"] >= s[\"steps\"] // 2 else 1)" 2>/dev/null; do
  kill -0 "$run" 2>/dev/null || { cat "$out/log" >&2; exit 1; }
  sleep 0.5
done
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=720,600 --virtual-time-budget=2000 \
  --screenshot=docs/status.png "http://127.0.0.1:$port/?token=$token" 2>/dev/null
wait "$run"
echo "docs/status.png written"
