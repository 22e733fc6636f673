#!/usr/bin/env bash
# The main job: install what is missing, build custody-admin and the daemon, create the
# embedded installation (SoftHSM token, KEK, SQLite database, first admin token) under the
# data directory on first run, then run the daemon on 127.0.0.1 in the foreground.
#   CUSTODY_DATA_DIR  data directory (default: .data)      CUSTODY_PORT  gRPC port (default: 7443)
#   CUSTODY_HTTP_PORT  HTTP/JSON port (default: 7444)   CUSTODY_METRICS_PORT  loopback Prometheus port (default: 9464)
# Any further arguments go to the daemon (e.g. --Limits:RequestsPerSecond=100).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
custody_need_packages curl
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
http_port=${CUSTODY_HTTP_PORT:-7444}
cat >&2 <<HELP

custody: starting custodyd on 127.0.0.1:$port (gRPC, plaintext HTTP/2, loopback only) and 127.0.0.1:$http_port
custody: (the same API as HTTP/JSON; OpenAPI at http://127.0.0.1:$http_port/openapi/v1.json); metrics on http://127.0.0.1:$metrics/metrics
custody: the admin token is in $data/admin.token. A first call, from another terminal:

  curl -s -H "Authorization: Bearer \$(cat $data/admin.token)" http://127.0.0.1:$http_port/v1/ping

custody: README.md's walkthrough continues from here (a wallet, addresses, a policy, signatures, approvals, the audit log).
custody: the operator console is off; add --Console:Port=7445 --Passkeys:RpId=localhost --Passkeys:Origins=http://localhost:7445
custody: and open http://localhost:7445 (docs/console.md).
custody: custody-admin --help lists every verb (${admin[*]}).

HELP
exec dotnet src/Custody.Daemon/bin/Release/net10.0/custodyd.dll --data-dir "$data" --port "$port" --metrics-port "$metrics" --http-port "$http_port" "$@"
