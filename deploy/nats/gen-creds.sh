#!/usr/bin/env bash
# Generates the NATS cluster's credentials into deploy/nats/secrets (or the directory
# given as the first argument): one nkey seed per user (<user>.nk) and auth.conf with the
# public keys and the route password. Files are mode 0600; nothing secret is printed.
# Extra arguments go to the generator, e.g. -route-hosts a:6222,b:6222,c:6222 or -force.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dir="${1:-$here/secrets}"
shift || true
cd "$here/../.."
umask 077
exec go run ./deploy/cmd/gen-creds -dir "$dir" "$@"
