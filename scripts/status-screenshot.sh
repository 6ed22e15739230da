#!/usr/bin/env bash
# docs/status.png: the live status page of `dq train --model mlp --epochs 2 --silos 2` half way through, as Debian's
# headless chromium draws it; the page is the one the silo hosting the server serves (its address is what the run prints).
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build src/DiffQuant.Cli -c Release -v quiet -nologo >/dev/null
token=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
DQ_STATUS_TOKEN=$token dotnet src/DiffQuant.Cli/bin/Release/net10.0/DiffQuant.Cli.dll train --model mlp --epochs 2 --silos 2 \
  --status-port 0 --json --out "$out" >/dev/null 2>"$out/log" &
run=$!
page=
until [ -n "$page" ] && curl -sf -H "Authorization: Bearer $token" "${page/\?run=/status?run=}" 2>/dev/null \
  | python3 -c "import json,sys; t=sys.stdin.read(); s=json.loads(t) if t else {}; sys.exit(0 if s and s[\"steps\"] > 0 and s[\"step\"] >= s[\"steps\"] // 2 else 1)" 2>/dev/null; do
  kill -0 "$run" 2>/dev/null || { cat "$out/log" >&2; exit 1; }
  page=$(sed -n 's/^status page at \([^ ]*\).*/\1/p' "$out/log" | tail -1)
  sleep 0.5
done
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=720,600 --virtual-time-budget=2000 \
  --screenshot=docs/status.png "$page&token=$token" 2>/dev/null
wait "$run"
echo "docs/status.png written"
