#!/usr/bin/env bash
# Runs the whole test suite: installs what it needs, builds, runs every test project
# against a fresh SoftHSM token per run. TRX results land in $CUSTODY_TEST_RESULTS.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
# tmux drives the interactive ceremony test; systemd's systemd-analyze, -sysusers and -tmpfiles check and install the package
custody_need_packages tmux systemd
# promtool (Debian's prometheus) checks and unit-tests packaging/monitoring's alert rules; where
# apt cannot install it, those checks say they were skipped rather than failing the run.
custody_need_packages prometheus || export CUSTODY_NO_PROMTOOL="apt-get install prometheus failed"

results=${CUSTODY_TEST_RESULTS:-$PWD/TestResults}
rm -rf "$results"
mkdir -p "$results"
dotnet build Custody.sln -c Release -nologo -v q
# The cross-checks against independent JavaScript implementations, the OpenAPI validator and the
# TypeScript client examples run when node is present. Each folder has its own package.json and lock file.
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  for lock in tests/crosscheck/*/package-lock.json tests/openapi/package-lock.json examples/clients/*/package-lock.json; do
    [ -f "$lock" ] || continue
    dir=$(dirname "$lock")
    [ -d "$dir/node_modules" ] && continue
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >&2) ||
      echo "custody: npm ci in $dir failed; its cross-checks will be skipped" >&2
  done
fi
status=0
dotnet test Custody.sln -c Release --no-build -nologo \
  --logger "trx" --logger "console;verbosity=minimal" --results-directory "$results" || status=$?
exit $status
