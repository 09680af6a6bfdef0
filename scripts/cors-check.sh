#!/usr/bin/env bash
# Checks CORS in a real headless Chromium: a page on an allowed origin calls the api with a bearer
# token and gets data; the same page on an origin not listed is blocked. Starts the api (debug
# build) on a temporary SQLite database with MINSHENG_CORS_ORIGINS naming one local port. Needs
# `chromium` (Debian package) and node 20+.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/browser-harness.sh
source scripts/browser-harness.sh
need_tools cors-check chromium node

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
wait_healthy "$api_port"

start_chromium "$devtools_port"

node --no-warnings --experimental-websocket scripts/cors-check.mjs "$devtools_port" \
  "http://127.0.0.1:$api_port" "$admin_token" "$allowed_port" "$other_port"
