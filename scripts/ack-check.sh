#!/usr/bin/env bash
# Checks the 签收 link end to end in a real headless Chromium: the api and the worker run on a
# temporary SQLite database with MINSHENG_PUBLIC_URL and MINSHENG_SIGNING_KEY; the worker writes
# its reminders as .eml files (no SMTP server); the link is read out of a real email and opened
# in the browser, which must show the acknowledgement page in Chinese, then "already
# acknowledged", and a 404 page for a forged link. Needs `chromium` (Debian package), node 20+
# and python3.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/browser-harness.sh
source scripts/browser-harness.sh
need_tools ack-check chromium node python3 curl

api_port=$(free_port)
devtools_port=$(free_port)

api="${API_BIN:-}"
worker="${WORKER_BIN:-}"
if [ -z "$api" ] || [ -z "$worker" ]; then
  cargo build -q -p api -p worker
  api=target/debug/api
  worker=target/debug/worker
fi
admin_token="ack-check-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
export DATABASE_URL="sqlite://$work/ack.db?mode=rwc" MINSHENG_BIND="127.0.0.1:$api_port" \
  MINSHENG_ADMIN_TOKEN="$admin_token" MINSHENG_PUBLIC_URL="http://127.0.0.1:$api_port" \
  MINSHENG_SIGNING_KEY="$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')" \
  MINSHENG_OUTBOX_DIR="$work/outbox" MINSHENG_SMTP_URL=""
"$api" import examples/sample-list.txt --migrate >/dev/null
"$api" serve >"$work/api.log" 2>&1 &
pids+=($!)
wait_healthy "$api_port"

graphql() {
  curl -sf "http://127.0.0.1:$api_port/graphql" -H 'content-type: application/json' \
    -H "authorization: Bearer $admin_token" -d "$1"
}
# 市民政局 leads item 二: give it a contact, move the item's deadline to a week from today (links
# expire 30 days after sending, so the run must be now, not in the sample's 2023), and run the
# worker once: today is item 二's T-7.
first_id() { python3 -c "import json,sys; print(next(e['node']['id'] for e in json.load(sys.stdin)['data']['$1']['edges'] if $2))"; }
civil=$(graphql '{"query":"{ departments(filter: { search: \"市民政局\" }) { edges { node { id name } } } }"}' \
  | first_id departments 'e["node"]["name"]=="市民政局"')
elderly=$(graphql '{"query":"{ items(filter: { search: \"养老\" }) { edges { node { id } } } }"}' | first_id items True)
due=$(TZ=Asia/Shanghai date -d '+7 days' +%F)
graphql "{\"query\":\"mutation { addContact(departmentId: \\\"$civil\\\", name: \\\"联络员\\\", email: \\\"minzheng@example.gov.cn\\\") { id } }\"}" >/dev/null
graphql "{\"query\":\"mutation { changeDeadline(itemId: \\\"$elderly\\\", dueOn: \\\"$due\\\", reason: \\\"ack-check\\\") { id } }\"}" >/dev/null
"$worker" run-once >"$work/worker.log" 2>&1

# The link, out of the email as sent (MIME-decoded by Python's own mail parser).
link=$(python3 - "$work/outbox" <<'PY'
import email, email.policy, pathlib, re, sys
for path in sorted(pathlib.Path(sys.argv[1]).glob("*.eml")):
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    if "minzheng@example.gov.cn" not in str(message["To"]):
        continue
    text = message.get_body(preferencelist=("plain",)).get_content()
    found = re.search(r"http://\S+/ack/\S+", text)
    if found:
        print(found.group(0))
        break
PY
)
[ -n "$link" ] || { echo "FAIL no 签收 link in the reminder email" >&2; cat "$work/worker.log" >&2; exit 1; }
echo "ok   the reminder email carries a 签收 link"

start_chromium "$devtools_port" --window-size=900,700

node --no-warnings --experimental-websocket scripts/ack-check.mjs "$devtools_port" \
  "http://127.0.0.1:$api_port" "$admin_token" "$link" "${ACK_SCREENSHOT:-}"
