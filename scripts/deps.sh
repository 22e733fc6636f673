#!/usr/bin/env bash
# Installs the Debian packages Custody needs at run time and in tests, when missing.
# Sourced by scripts/run.sh and scripts/test.sh; prints one clear line when it cannot.
set -euo pipefail

# Extra package names (e.g. tmux for the interactive ceremony test) may be passed as arguments.
custody_need_packages() {
  local missing=()
  for pkg in softhsm2 libsecp256k1-1 opensc "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo="sudo -n"
    else
      echo "custody: missing Debian packages: ${missing[*]}; run as root or install them with: apt-get install -y ${missing[*]}" >&2
      return 1
    fi
  fi
  echo "custody: installing ${missing[*]}" >&2
  $sudo apt-get update -qq >&2 || { echo "custody: apt-get update failed; install ${missing[*]} by hand" >&2; return 1; }
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2 ||
    { echo "custody: apt-get install ${missing[*]} failed" >&2; return 1; }
}
