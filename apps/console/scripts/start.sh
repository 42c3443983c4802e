#!/bin/sh
# `npm run start -w @repo/console`: serve the built console on CONSOLE_PORT (default 3000).
# next start exits 143 on SIGTERM, which npm reports as a failed script; this wrapper passes
# SIGTERM/SIGINT on to next, waits for it to close, and exits 0 for a requested stop. A crash
# keeps its exit status. (If next start forks a next-server child, stop the process group.)
set -eu

next start --port "${CONSOLE_PORT:-3000}" "$@" &
child=$!

stop() {
  trap - TERM INT
  kill -TERM "$child" 2>/dev/null || true
  wait "$child" || true
  exit 0
}
trap stop TERM INT

wait "$child"
