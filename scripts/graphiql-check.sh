#!/usr/bin/env bash
# Checks the bundled GraphiQL page in a real headless Chromium, offline: it renders, a typed query
# returns data, the docs explorer and autocomplete work from introspection, a subscription run from
# the page hears a change, and no request leaves the api's own host. Starts the api (debug build)
# on a temporary SQLite database with the sample list. Needs `chromium` (Debian package) and
# node 20+.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/browser-harness.sh
source scripts/browser-harness.sh
need_tools graphiql-check chromium node

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
wait_healthy "$api_port"

start_chromium "$devtools_port"

node --no-warnings --experimental-websocket scripts/graphiql-check.mjs "$devtools_port" "http://127.0.0.1:$api_port" "$admin_token"
