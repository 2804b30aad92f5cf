#!/usr/bin/env bash
# Makes the PNGs in this folder from the real program:
#   go build → tokentop demo in a tmux pane → key presses → tmux capture-pane -e
#   → aha (ANSI to HTML) → headless Chromium (HTML to PNG).
# Needs tmux, aha and chromium (Debian: apt-get install -y tmux aha chromium
# fonts-dejavu-core). Run from anywhere: bash screenshots/make.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/.."

for tool in tmux aha chromium; do
  command -v "$tool" >/dev/null || { echo "screenshots: $tool is missing (apt-get install -y tmux aha chromium fonts-dejavu-core)" >&2; exit 1; }
done

cols=${COLS:-120}
rows=${ROWS:-40}
work=$(mktemp -d)
sock="$work/tmux.sock"
cleanup() { tmux -S "$sock" kill-server 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

go build -o "$work/tokentop" .

# start NAME [ARG…]: a tmux session NAME running tokentop demo ARG… on a
# private tmux server with no user config, 24-bit colour passed through;
# the user's own dashboard config stays out of it (an empty config home).
mkdir -p "$work/config"
start() {
  session=$1
  shift
  local cmd
  cmd=$(printf 'env XDG_CONFIG_HOME=%q TERM=xterm-256color COLORTERM=truecolor %q demo --theme charm' "$work/config" "$work/tokentop")
  if (($#)); then cmd+=$(printf ' %q' "$@"); fi
  tmux -S "$sock" -f /dev/null new-session -d -s "$session" -x "$cols" -y "$rows" "$cmd"
  tmux -S "$sock" set-option -g default-terminal "tmux-256color" >/dev/null
  tmux -S "$sock" set-option -ga terminal-overrides ",*:Tc" >/dev/null
}
start tokentop-shots

# wait_for TEXT: poll the pane until TEXT shows (the demo fetches its first
# tokens before it draws).
wait_for() {
  for _ in $(seq 1 100); do
    if tmux -S "$sock" capture-pane -p -t "$session" | grep -qF -- "$1"; then return 0; fi
    sleep 0.2
  done
  echo "screenshots: \"$1\" never showed; the pane was:" >&2
  tmux -S "$sock" capture-pane -p -t "$session" >&2
  exit 1
}
keys() { tmux -S "$sock" send-keys -t "$session" "$@"; sleep 0.6; }

# shot NAME: capture the pane with its colours and render it to NAME.png.
shot() {
  local name=$1 html="$work/$1.html"
  tmux -S "$sock" capture-pane -e -p -t "$session" > "$work/$name.ansi"
  {
    cat <<HTML
<!DOCTYPE html><html><head><meta charset="utf-8"><style>
html,body{margin:0;background:#1d1f21}
pre{margin:0;padding:12px 14px;color:#e0e0e0;font:14px/normal "DejaVu Sans Mono",monospace;white-space:pre}
</style></head><body><pre>
HTML
    aha --no-header < "$work/$name.ansi"
    echo '</pre></body></html>'
  } > "$html"
  # 14px DejaVu Sans Mono is 8.43px wide and about 16.3px tall per cell.
  local w=$(( cols * 843 / 100 + 30 )) h=$(( rows * 165 / 10 + 26 ))
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --hide-scrollbars --user-data-dir="$work/chrome" \
    --window-size="$w,$h" --screenshot="$here/$name.png" "file://$html" >/dev/null 2>&1
  echo "screenshots/$name.png"
}

wait_for "auth0-prod"
sleep 1
# Select auth0-prod (the provider close to its quota) with the filter, then
# clear the filter: the cursor stays on it.
keys / a u t h 0 - p r o d Enter
keys / Escape
sleep 1
shot dashboard

keys Enter
wait_for "Claims"
shot detail
keys Escape

keys t
wait_for "Test-call"
keys Enter
wait_for "Body"
shot testcall
keys Escape

keys '?'
wait_for "quit"
shot help
keys Escape

keys D
wait_for "no failures"
shot doctor
keys Escape

# The command palette (:), a few letters typed: actions with their keys,
# then the providers.
keys :
wait_for "Command palette"
keys r e
wait_for "refresh all"
shot palette
keys Escape

# The quota chart, with the detail beside the table in a wider window.
cols=160 rows=48
tmux -S "$sock" resize-window -t "$session" -x "$cols" -y "$rows"
sleep 1
keys Enter
wait_for "at this rate"
shot chart
keys Escape
keys q

# Prod colouring: the demo with screenshots/config.yaml (prod in red).
# Its providers are all env sandbox, so the edit form (e) makes auth0-prod
# a prod one first: clear the env, type prod, enter through the fields to
# Save; then its row is selected and the header shows the badge.
cols=120 rows=40
start tokentop-prod --config "$here/config.yaml"
wait_for "auth0-prod"
sleep 1
keys / a u t h 0 - p r o d Enter
keys / Escape
keys e
wait_for "Edit auth0-prod"
keys C-u p r o d
for _ in $(seq 1 40); do
  tmux -S "$sock" capture-pane -p -t "$session" | grep -qF "┃ Save?" && break
  tmux -S "$sock" send-keys -t "$session" Enter
  sleep 0.2
done
keys Enter
wait_for " prod "
sleep 1
shot prod
keys q
