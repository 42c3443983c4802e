#!/bin/sh
# `npm run start -w @repo/console`: serve the built console on CONSOLE_PORT (default 3000).
# exec replaces this shell with next, so signals reach next directly. next start forks a
# next-server child: stop the whole process group, not only this pid.
set -eu
exec next start --port "${CONSOLE_PORT:-3000}" "$@"
