#!/usr/bin/env bash
# Checks the board and the item pages (GET /) in a real headless Chromium, offline: the board's
# tiles equal `stats`, a department's cell leads to its items, an item page shows the item and
# hears a change over the subscription, the first load's size, phone and desktop layouts, and no
# request leaves the api's own host. Imports the seed list (../shared/data, where present) or the
# sample list into a temporary SQLite database. Screenshots go to target/web-check/. Needs
# `chromium` (Debian package) and node 20+.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/browser-harness.sh
source scripts/browser-harness.sh
need_tools web-check chromium node

api_port=$(free_port)
devtools_port=$(free_port)

api="${API_BIN:-}"
if [ -z "$api" ]; then
  cargo build -q -p api
  api=target/debug/api
fi
seed=../shared/data/heze-2021-livelihood-list-batch1.txt
# WEB_CHECK_LIST: another list to import (the README's screenshot is of the sample list).
if [ -n "${WEB_CHECK_LIST:-}" ]; then
  list="$WEB_CHECK_LIST"
elif [ -f "$seed" ]; then
  list="$seed"
else
  echo "web-check: the seed ($seed) is absent; using examples/sample-list.txt"
  list=examples/sample-list.txt
fi
admin_token="web-check-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
# WEB_CHECK_DATABASE_URL: an empty database to run the check on instead of a new SQLite file
# (CI runs it once more on PostgreSQL).
export DATABASE_URL="${WEB_CHECK_DATABASE_URL:-sqlite://$work/web.db?mode=rwc}" MINSHENG_BIND="127.0.0.1:$api_port" MINSHENG_ADMIN_TOKEN="$admin_token"
# Trusted documents on, as in a production that lists its front ends' documents: this file names
# none of the pages', which the api trusts itself while it serves them.
echo '{"operators": "query Operators { lists { id } }"}' >"$work/trusted.json"
export MINSHENG_TRUSTED_DOCUMENTS="$work/trusted.json"
"$api" import "$list" --migrate >/dev/null
"$api" serve >"$work/api.log" 2>&1 &
pids+=($!)
wait_healthy "$api_port"

# A second api over the same list and 10,000 generated items (WEB_CHECK_ITEMS; 0 skips it): how
# fast the board answers at that size, printed, not asserted.
large_items="${WEB_CHECK_ITEMS:-10000}"
large_url=""
if [ "$large_items" -gt 0 ]; then
  large_port=$(free_port)
  listgen="${LISTGEN_BIN:-}"
  if [ -z "$listgen" ]; then
    cargo build -q -p test-support --bin listgen
    listgen=target/debug/listgen
  fi
  "$listgen" "$large_items" >"$work/generated.txt"
  (
    export DATABASE_URL="sqlite://$work/large.db?mode=rwc" MINSHENG_BIND="127.0.0.1:$large_port"
    "$api" import "$list" --migrate >/dev/null
    "$api" import "$work/generated.txt" >/dev/null
  )
  DATABASE_URL="sqlite://$work/large.db?mode=rwc" MINSHENG_BIND="127.0.0.1:$large_port" "$api" serve >"$work/large.log" 2>&1 &
  pids+=($!)
  wait_healthy "$large_port"
  large_url="http://127.0.0.1:$large_port"
fi

mkdir -p target/web-check
start_chromium "$devtools_port" --window-size=1366,768 --lang=zh-CN

node --no-warnings --experimental-websocket scripts/web-check.mjs "$devtools_port" "http://127.0.0.1:$api_port" "$admin_token" target/web-check "$large_url"
