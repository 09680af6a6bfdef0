#!/usr/bin/env bash
# Renders what the worker writes, for a person to look at: a reminder due soon, a 催办 (overdue,
# unacknowledged, the office copied), the office's notice of a 延期申请, and both copies of the
# 情况通报 (the leaders' and the office's), each as the email's HTML part screenshotted in
# headless Chromium at 1366 and 390 px, with its text part beside it. Output:
# target/mail-look/*.png and *.txt. Not a check: it fails only when something cannot be made.
# Needs `chromium` (Debian package, with fonts-noto-cjk for readable Chinese) and python3.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/browser-harness.sh
source scripts/browser-harness.sh
need_tools mail-look chromium python3 curl

api="${API_BIN:-}"
worker="${WORKER_BIN:-}"
if [ -z "$api" ] || [ -z "$worker" ]; then
  cargo build -q -p api -p worker
  api=target/debug/api
  worker=target/debug/worker
fi
out=target/mail-look
rm -rf "$out" && mkdir -p "$out"
port=$(free_port)
admin_token="mail-look-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
export DATABASE_URL="sqlite://$work/look.db?mode=rwc" MINSHENG_BIND="127.0.0.1:$port" \
  MINSHENG_ADMIN_TOKEN="$admin_token" MINSHENG_PUBLIC_URL="https://minsheng.example.gov.cn" \
  MINSHENG_SIGNING_KEY="$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')" \
  MINSHENG_OUTBOX_DIR="$work/outbox" MINSHENG_SMTP_URL="" \
  MINSHENG_SUPERVISOR_EMAIL="duchashi@example.gov.cn" \
  MINSHENG_OFFICE_CONTACT="市委督查室 联系电话 0530-1234567" \
  MINSHENG_BULLETIN_TO="shizhang@example.gov.cn" MINSHENG_BULLETIN_CRON="0 0 9 * * Mon"
"$api" import examples/sample-list.txt --migrate >/dev/null
"$api" serve >"$work/api.log" 2>&1 &
pids+=($!)
wait_healthy "$port"

graphql() {
  curl -sf "http://127.0.0.1:$port/graphql" -H 'content-type: application/json' \
    -H "authorization: Bearer $admin_token" -d "$1"
}
id_of() { # id_of FIELD SEARCH [EXACT_NAME]
  graphql "{\"query\":\"{ $1(filter: { search: \\\"$2\\\" }) { edges { node { id ${3:+name} } } } }\"}" |
    python3 -c "import json,sys; print(next(e['node']['id'] for e in json.load(sys.stdin)['data']['$1']['edges'] if '${3:-}' in ('', e['node'].get('name'))))"
}
for name in 市民政局 市卫健委 市城市管理局 市教育局 市交通运输局 市市场监督管理局; do
  department=$(id_of departments "$name" "$name")
  address="$(printf %s "$name" | md5sum | cut -c1-8)@example.gov.cn"
  graphql "{\"query\":\"mutation { addContact(departmentId: \\\"$department\\\", name: \\\"联络员\\\", email: \\\"$address\\\") { id } }\"}" >/dev/null
done

# The sample's items are due in 2023: seven days before, a day after, three weeks after.
for now in 2023-06-23T08:00:00+08:00 2023-07-01T08:00:00+08:00 2023-07-20T08:00:00+08:00; do
  "$worker" run-once --now "$now" >>"$work/worker.log" 2>&1
done
# A 延期申请 on an item moved a month ahead, told to the office in the next run.
item=$(id_of items 公共交通)
due=$(TZ=Asia/Shanghai date -d '+30 days' +%F)
later=$(TZ=Asia/Shanghai date -d '+90 days' +%F)
graphql "{\"query\":\"mutation { changeDeadline(itemId: \\\"$item\\\", dueOn: \\\"$due\\\", reason: \\\"线路调整\\\") { id } }\"}" >/dev/null
due_date=$(graphql "{\"query\":\"{ node(id: \\\"$item\\\") { ... on Item { dueDates { id } } } }\"}" |
  python3 -c "import json,sys; print(json.load(sys.stdin)['data']['node']['dueDates'][0]['id'])")
graphql "{\"query\":\"mutation { requestDeadlineChange(input: { itemId: \\\"$item\\\", dueDateId: \\\"$due_date\\\", proposedDueOn: \\\"$later\\\", reason: \\\"新能源公交车辆到货推迟\\\", progressNote: \\\"已完成线路招标\\\" }) { request { id } } }\"}" >/dev/null
"$worker" run-once >>"$work/worker.log" 2>&1
"$worker" bulletin --now 2023-07-24T09:00:00+08:00 >>"$work/worker.log" 2>&1

# One email of each kind, by its subject and recipient: HTML for the browser, text beside it.
python3 - "$work/outbox" "$out" <<'PY'
import email, email.policy, pathlib, sys
outbox, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
wanted = {
    "reminder-due-soon": lambda s, to: s.startswith("【临期提醒】"),
    "reminder-overdue": lambda s, to: s.startswith("【逾期提醒】") and "duchashi" not in to,
    "notice-request": lambda s, to: s.startswith("【延期申请】"),
    "bulletin-leaders": lambda s, to: "情况通报" in s and "shizhang" in to,
    "bulletin-office": lambda s, to: "情况通报" in s and "duchashi" in to,
}
found = {}
for path in sorted(outbox.glob("*.eml"), key=lambda p: p.stat().st_mtime):
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    subject, to = str(message["Subject"]), str(message["To"])
    for name, matches in wanted.items():
        if matches(subject, to):
            found[name] = message  # the last of each kind: the 催办 with the most history
for name, message in found.items():
    (out / f"{name}.html").write_text(message.get_body(preferencelist=("html",)).get_content())
    (out / f"{name}.txt").write_text(
        f"Subject: {message['Subject']}\nTo: {message['To']}\n\n"
        + message.get_body(preferencelist=("plain",)).get_content()
    )
missing = set(wanted) - set(found)
if missing:
    sys.exit(f"mail-look: no email for {sorted(missing)}")
PY
for page in "$out"/*.html; do
  for width in 1366 390; do
    chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$work/profile" \
      --window-size="$width,1400" --screenshot="${page%.html}-$width.png" "file://$PWD/$page" \
      >/dev/null 2>&1
  done
done
ls "$out"
