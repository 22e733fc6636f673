#!/usr/bin/env bash
# Runs the whole test suite: installs what it needs, builds, runs every test project
# against a fresh SoftHSM token per run. TRX results land in $CUSTODY_TEST_RESULTS.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
custody_need_packages

results=${CUSTODY_TEST_RESULTS:-$PWD/TestResults}
rm -rf "$results"
mkdir -p "$results"
dotnet build Custody.sln -c Release -nologo -v q
# The cross-checks against independent JavaScript implementations run when node is present.
if command -v node >/dev/null 2>&1 && [ -f tests/crosscheck/package.json ]; then
  (cd tests/crosscheck && npm ci --no-audit --no-fund --loglevel=error >&2) || echo "custody: npm install for cross-checks failed; they will be skipped" >&2
fi
status=0
dotnet test Custody.sln -c Release --no-build -nologo \
  --logger "trx" --logger "console;verbosity=minimal" --results-directory "$results" || status=$?
exit $status
