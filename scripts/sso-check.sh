#!/usr/bin/env bash
# Single sign-on in a real headless Chromium against a real OpenID Provider (npm's
# `oidc-provider`, scripts/clients/oidc-provider.mjs): a clerk whose account carries her email
# clicks 统一身份认证登录 on the 登录 page and lands on her desk, signed in; a person the provider
# knows and the office does not is told so in Chinese. Screenshots go to target/sso-check/.
# Needs `chromium`, node 20+ and `npm ci --prefix scripts/clients`.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/browser-harness.sh
source scripts/browser-harness.sh
need_tools sso-check chromium node
[ -d scripts/clients/node_modules/oidc-provider ] || { echo "sso-check: run npm ci --prefix scripts/clients first" >&2; exit 2; }

api_port=$(free_port)
provider_port=$(free_port)
devtools_port=$(free_port)
api="${API_BIN:-}"
if [ -z "$api" ]; then
  cargo build -q -p api
  api=target/debug/api
fi

secret="sso-check-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
OIDC_CLIENT_SECRET="$secret" OIDC_PEOPLE='{"u-li":{"email":"li@example.gov.cn","email_verified":true,"name":"李四"},"u-wang":{"email":"wang@example.gov.cn","email_verified":true,"name":"王五"}}' \
  node scripts/clients/oidc-provider.mjs "$provider_port" >"$work/provider.out" 2>"$work/provider.log" &
pids+=($!)
for _ in $(seq 100); do grep -q issuer "$work/provider.out" 2>/dev/null && break; sleep 0.1; done
grep -q issuer "$work/provider.out" || { echo "the provider did not start: $(cat "$work/provider.log")" >&2; exit 1; }

export DATABASE_URL="sqlite://$work/sso.db?mode=rwc" MINSHENG_BIND="127.0.0.1:$api_port" \
  MINSHENG_OIDC_ISSUER="http://127.0.0.1:$provider_port" MINSHENG_OIDC_CLIENT_ID=minsheng MINSHENG_OIDC_CLIENT_SECRET="$secret"
"$api" import examples/sample-list.txt --migrate >/dev/null
"$api" account add --name 李四 --login lisi --role clerk --email li@example.gov.cn >/dev/null
"$api" serve >"$work/api.log" 2>&1 &
pids+=($!)
wait_healthy "$api_port"

mkdir -p target/sso-check
start_chromium "$devtools_port" --window-size=1366,768 --lang=zh-CN
node --no-warnings --experimental-websocket scripts/sso-check.mjs "$devtools_port" "http://127.0.0.1:$api_port" "http://127.0.0.1:$provider_port" target/sso-check
