#!/bin/sh
# `npm run start -w @repo/console`: serve the built console on CONSOLE_PORT (default 3000).
# exec here and in package.json ("exec ./scripts/start.sh") leave npm with one child, next, so the
# SIGTERM npm forwards (docker stop) reaches it. If next start forks a next-server child, stop the
# whole process group, not only this pid.
set -eu
exec next start --port "${CONSOLE_PORT:-3000}" "$@"
