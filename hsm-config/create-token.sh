#!/usr/bin/env bash
# Creates a SoftHSM token labelled LABEL under DIR (DIR/softhsm2.conf, DIR/tokens/), with the
# security-officer and user PINs read from files (mode 0600; one trailing newline is ignored).
#
#   hsm-config/create-token.sh DIR LABEL SO_PIN_FILE USER_PIN_FILE
#
# Afterwards: SOFTHSM2_CONF=DIR/softhsm2.conf (Custody's HsmOptions.SoftHsmConfigPath), token
# label LABEL, user PIN from USER_PIN_FILE.
#
# Why not softhsm2-util or pkcs11-tool: both take PINs as arguments (--so-pin/--pin), readable by
# every local user in /proc/<pid>/cmdline while they run; left out, they prompt on the terminal
# and do not read stdin, so a PIN file cannot be piped in. This script therefore runs
# `custody-admin hsm init-token`, which does C_InitToken, C_Login(SO) and C_InitPIN through PKCS#11
# with the PINs read from the files into buffers that are zeroed after use. An existing token with
# the same label is left alone.
#
# CUSTODY_ADMIN may name the custody-admin command (e.g. "dotnet /opt/custody/custody-admin.dll");
# by default the CLI is built from this repository.
set -euo pipefail

if [ $# -ne 4 ]; then
  echo "usage: $0 DIR LABEL SO_PIN_FILE USER_PIN_FILE" >&2
  exit 2
fi
dir=$1 label=$2 so_pin=$3 user_pin=$4
here=$(cd "$(dirname "$0")" && pwd)
for file in "$so_pin" "$user_pin"; do
  [ -r "$file" ] || { echo "create-token: cannot read PIN file $file" >&2; exit 1; }
done

umask 077
mkdir -p "$dir/tokens"
dir=$(cd "$dir" && pwd)
conf="$dir/softhsm2.conf"
[ -e "$conf" ] || sed "s|@TOKEN_DIR@|$dir/tokens|" "$here/softhsm2.conf.template" > "$conf"

if [ -z "${CUSTODY_ADMIN:-}" ]; then
  dotnet build "$here/../src/Custody.Cli/Custody.Cli.csproj" -c Release -nologo -v q >&2
  CUSTODY_ADMIN="dotnet $here/../src/Custody.Cli/bin/Release/net10.0/custody-admin.dll"
fi
# shellcheck disable=SC2086 # CUSTODY_ADMIN is a command with its arguments
exec $CUSTODY_ADMIN hsm init-token --softhsm-conf "$conf" --label "$label" --so-pin-file "$so_pin" --user-pin-file "$user_pin"
