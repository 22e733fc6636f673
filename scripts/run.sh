#!/usr/bin/env bash
# The main job: install what is missing, build custody-admin and the daemon, create the
# embedded installation (SoftHSM token, KEK, SQLite database, first admin token) under the
# data directory on first run, then run the daemon on 127.0.0.1 in the foreground.
#   CUSTODY_DATA_DIR  data directory (default: .data)      CUSTODY_PORT  gRPC port (default: 7443)
#   CUSTODY_METRICS_PORT  loopback Prometheus port (default: 9464)
# Any further arguments go to the daemon (e.g. --Limits:RequestsPerSecond=100).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
custody_need_packages
data=${CUSTODY_DATA_DIR:-$PWD/.data}
port=${CUSTODY_PORT:-7443}
metrics=${CUSTODY_METRICS_PORT:-9464}
dotnet build src/Custody.Cli/Custody.Cli.csproj -c Release -nologo -v q >&2
dotnet build src/Custody.Daemon/Custody.Daemon.csproj -c Release -nologo -v q >&2
admin=(dotnet src/Custody.Cli/bin/Release/net10.0/custody-admin.dll)

if [ ! -f "$data/custody.db" ]; then
  "${admin[@]}" init --data-dir "$data" >/dev/null
fi

# The token stays in its 0600 file: the examples read it there rather than printing it.
cat >&2 <<HELP

custody: starting custodyd on 127.0.0.1:$port (plaintext HTTP/2, loopback only); metrics on http://127.0.0.1:$metrics/metrics
custody: the admin token is in $data/admin.token. First calls (from another terminal, with grpcurl):

  grpcurl -plaintext -H "authorization: Bearer \$(cat $data/admin.token)" 127.0.0.1:$port custody.v1.SystemService/Ping
  grpcurl -plaintext -H "authorization: Bearer \$(cat $data/admin.token)" -d '{"name":"treasury","kind":"WALLET_KIND_HD"}' \\
      127.0.0.1:$port custody.v1.WalletService/CreateWallet
  grpcurl -plaintext -H "authorization: Bearer \$(cat $data/admin.token)" -d '{"wallet_id":"w_…","chain":"btc","next_unused":true}' \\
      127.0.0.1:$port custody.v1.WalletService/DeriveAddress

custody: signing needs a signer token:  ${admin[*]} token create --data-dir $data --principal backend --roles signer
custody: health (no token):             grpcurl -plaintext 127.0.0.1:$port grpc.health.v1.Health/Check

HELP
exec dotnet src/Custody.Daemon/bin/Release/net10.0/custodyd.dll --data-dir "$data" --port "$port" --metrics-port "$metrics" "$@"
