# Shared by the headless-Chromium checks (sourced, not run): a temporary work directory removed
# on exit with every process the check started, free local ports, and Chromium with its
# DevTools port open. A check sources this after `cd` to the repository root.

# need_tools NAME TOOL…: exits 2, naming the missing tool, when one is not installed.
need_tools() {
  local name=$1
  shift
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "$name: $tool is not installed (apt-get install chromium nodejs)" >&2; exit 2; }
  done
}

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

# start_chromium DEVTOOLS_PORT [FLAG…]: headless Chromium on about:blank, stopped on exit.
start_chromium() {
  local port=$1
  shift
  chromium --headless --no-sandbox --disable-gpu --disable-background-networking --disable-quic \
    --disable-component-update --disable-sync --no-first-run --no-default-browser-check \
    --user-data-dir="$work/profile" "$@" \
    --remote-debugging-port="$port" about:blank >"$work/chromium.log" 2>&1 &
  pids+=($!)
}

# wait_healthy PORT: until the api on PORT answers /healthz (10 s at most).
wait_healthy() {
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$1/healthz" >/dev/null && return 0; sleep 0.1; done
  echo "the api on port $1 did not answer /healthz within 10 s (its log is in $work)" >&2
  return 1
}
