#!/usr/bin/env bash
# Checks the bundled GraphiQL page in a real headless Chromium, offline: it renders, a typed query
# returns data, the docs explorer and autocomplete work from introspection, a subscription run from
# the page hears a change, and no request leaves the api's own host. Starts the api (debug build)
# on a temporary SQLite database with the sample list. Needs `chromium` (Debian package) and
# node 20+.
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in chromium node; do
  command -v "$tool" >/dev/null || { echo "graphiql-check: $tool is not installed (apt-get install chromium nodejs)" >&2; exit 2; }
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

# API_BIN: an api binary already built (CI passes the one `cargo test` just built).
api="${API_BIN:-}"
if [ -z "$api" ]; then
  cargo build -q -p api
  api=target/debug/api
fi
admin_token="graphiql-check-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
export DATABASE_URL="sqlite://$work/graphiql.db?mode=rwc" MINSHENG_BIND="127.0.0.1:$api_port" MINSHENG_ADMIN_TOKEN="$admin_token"
"$api" import examples/sample-list.txt --migrate >/dev/null
"$api" serve >"$work/api.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$api_port/healthz" >/dev/null && break; sleep 0.1; done

chromium --headless --no-sandbox --disable-gpu --disable-background-networking --disable-quic \
  --disable-component-update --disable-sync --no-first-run --no-default-browser-check \
  --user-data-dir="$work/profile" \
  --remote-debugging-port="$devtools_port" about:blank >"$work/chromium.log" 2>&1 &
pids+=($!)

node --no-warnings --experimental-websocket scripts/graphiql-check.mjs "$devtools_port" "http://127.0.0.1:$api_port" "$admin_token"
