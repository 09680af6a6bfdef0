#!/usr/bin/env bash
# Checks CORS in a real headless Chromium: a page on an allowed origin calls the api with a bearer
# token and gets data; the same page on an origin not listed is blocked. Starts the api (debug
# build) on a temporary SQLite database with MINSHENG_CORS_ORIGINS naming one local port. Needs
# `chromium` (Debian package) and node 20+.
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in chromium node; do
  command -v "$tool" >/dev/null || { echo "cors-check: $tool is not installed (apt-get install chromium nodejs)" >&2; exit 2; }
done

work=$(mktemp -d)
pids=()
cleanup() {
  local status=$?
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  # Chromium's helpers outlive the browser process for a moment and keep writing its profile:
  # stop them, and let a directory that still cannot be removed be a warning, not the verdict.
  pkill -f -- "$work" 2>/dev/null || true
  for _ in 1 2 3 4 5 6 7 8 9 10; do pgrep -f -- "$work" >/dev/null || break; sleep 0.5; done
  rm -rf "$work" 2>/dev/null || { sleep 1; rm -rf "$work" || echo "warning: could not remove $work" >&2; }
  exit "$status"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
api_port=$(free_port)
devtools_port=$(free_port)
allowed_port=$(free_port)
other_port=$(free_port)

api="${API_BIN:-}"
if [ -z "$api" ]; then
  cargo build -q -p api
  api=target/debug/api
fi
admin_token="cors-check-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
export DATABASE_URL="sqlite://$work/cors.db?mode=rwc" MINSHENG_BIND="127.0.0.1:$api_port" \
  MINSHENG_ADMIN_TOKEN="$admin_token" MINSHENG_CORS_ORIGINS="http://127.0.0.1:$allowed_port"
"$api" import examples/sample-list.txt --migrate >/dev/null
"$api" serve >"$work/api.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$api_port/healthz" >/dev/null && break; sleep 0.1; done

chromium --headless --no-sandbox --disable-gpu --disable-background-networking --disable-quic \
  --disable-component-update --disable-sync --no-first-run --no-default-browser-check \
  --user-data-dir="$work/profile" \
  --remote-debugging-port="$devtools_port" about:blank >"$work/chromium.log" 2>&1 &
pids+=($!)

node --no-warnings --experimental-websocket scripts/cors-check.mjs "$devtools_port" \
  "http://127.0.0.1:$api_port" "$admin_token" "$allowed_port" "$other_port"
