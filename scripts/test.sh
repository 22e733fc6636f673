#!/usr/bin/env bash
# Runs the whole test suite: installs what it needs, builds, runs every test project
# against a fresh SoftHSM token per run. TRX results land in $CUSTODY_TEST_RESULTS.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
# tmux drives the interactive ceremony test; systemd's systemd-analyze, -sysusers and -tmpfiles check and install the package
# postgresql: the server binaries (never its service) for the throwaway cluster each test run starts (tests/Shared/PostgresCluster.cs)
custody_need_packages tmux systemd postgresql
# chromium: Debian's browser the console's Playwright test drives headless (console/e2e); where apt cannot
# install it, that test says it was skipped (tests/Custody.Daemon.Tests/ConsoleBrowserTests.cs).
custody_need_packages chromium || echo "custody: apt-get install chromium failed; the console's browser test will be skipped" >&2
# promtool (Debian's prometheus) checks and unit-tests packaging/monitoring's alert rules; where
# apt cannot install it, those checks say they were skipped rather than failing the run.
custody_need_packages prometheus || export CUSTODY_NO_PROMTOOL="apt-get install prometheus failed"

results=${CUSTODY_TEST_RESULTS:-$PWD/TestResults}
rm -rf "$results"
mkdir -p "$results"
dotnet build Custody.sln -c Release -nologo -v q
# The cross-checks against independent JavaScript implementations, the OpenAPI validator and the
# TypeScript client examples and the console (its front end and browser test) run when node is present. Each folder
# has its own package.json and lock file. Playwright never downloads a browser here: it drives Debian's /usr/bin/chromium.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  for lock in tests/crosscheck/*/package-lock.json tests/openapi/package-lock.json examples/clients/*/package-lock.json console/package-lock.json; do
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
