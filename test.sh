#!/usr/bin/env bash
# Runs every test of every module in the workspace, with real embedded NATS servers.
# Usage: ./test.sh [go test flags...]   e.g. ./test.sh -run Telegram -v
set -euo pipefail
cd "$(dirname "$0")"
exec go test -timeout 20m "$@" work
