#!/usr/bin/env bash
# The main job. Until the daemon exists: build custody-admin and run its self-check
# against a freshly created SoftHSM token under the data directory.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
custody_need_packages
data=${CUSTODY_DATA_DIR:-$PWD/.data}
dotnet build src/Custody.Cli/Custody.Cli.csproj -c Release -nologo -v q
exec dotnet src/Custody.Cli/bin/Release/net10.0/custody-admin.dll selfcheck --data-dir "$data" "$@"
