#!/usr/bin/env bash
# Generates the NATS cluster's TLS material into deploy/nats/secrets/tls (or the directory
# given as the first argument): a private CA (ca.pem, ca-key.pem), one certificate and key
# per node (nats-N.pem, nats-N-key.pem; valid for nats-N, localhost, 127.0.0.1, ::1) and
# nats-N.conf (their paths), which node-N.conf includes. Keys are mode 0600; nothing
# secret is printed.
# Extra arguments go to the generator, e.g. -san nats-1=10.0.0.1, -conf-dir
# /etc/nats/secrets/tls (where the nodes read the files), -clients admin, or -force.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dir="${1:-$here/secrets/tls}"
shift || true
cd "$here/../.."
umask 077
exec go run ./deploy/cmd/gen-certs -dir "$dir" "$@"
