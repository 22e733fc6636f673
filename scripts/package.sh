#!/usr/bin/env bash
# Builds the release packages of this checkout, a tarball and a Debian package with one layout:
#   /usr/lib/custody/               custodyd, custody-admin and their assemblies (framework-dependent:
#                                   they need the ASP.NET Core 10 runtime)
#   /usr/bin/custody-admin          -> ../lib/custody/custody-admin
#   /etc/custody/custodyd.json      the sample configuration (a conffile: upgrades keep your edits)
#   /usr/lib/systemd/system/custodyd.service, /usr/lib/sysusers.d/custody.conf, /usr/lib/tmpfiles.d/custody.conf
#   /usr/share/doc/custody/         README, SECURITY, CHANGELOG, LICENSE, NOTICE, copyright, docs/
# /var/lib/custody is made on the host (tmpfiles, the unit's StateDirectory), never shipped.
# The version is Directory.Build.props' <Version>. Needs the .NET SDK and dpkg-deb.
#   scripts/package.sh [--out DIR]      (default dist/) prints the two packages' paths on stdout
set -euo pipefail
cd "$(dirname "$0")/.."
out=dist
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=${2:?--out needs a directory}; shift 2 ;;
    *) echo "usage: scripts/package.sh [--out DIR]" >&2; exit 2 ;;
  esac
done
command -v dpkg-deb >/dev/null || { echo "custody: dpkg-deb is missing (apt-get install dpkg)" >&2; exit 1; }

version=$(dotnet msbuild src/Custody.Daemon/Custody.Daemon.csproj -nologo -getProperty:Version)
arch=$(dpkg --print-architecture)
case "$arch" in
  amd64) rid=linux-x64 ;;
  arm64) rid=linux-arm64 ;;
  *) echo "custody: no .NET runtime identifier known for $arch" >&2; exit 1 ;;
esac
name=custody_${version}_${arch}
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/custody-package.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/$name

# Both programs into one directory: they share their assemblies, of one version each. Messages
# are English only, so no satellite assemblies; no .pdb files either.
lib=$root/usr/lib/custody
for project in src/Custody.Daemon/Custody.Daemon.csproj src/Custody.Cli/Custody.Cli.csproj; do
  dotnet publish "$project" -c Release -r "$rid" --self-contained false -p:DebugType=none \
    -p:SatelliteResourceLanguages=en -o "$lib" -nologo -v q >&2
done
rm -f "$lib"/*.staticwebassets.endpoints.json # ASP.NET Core's static files manifest; custodyd serves none
# Some NuGet packages unpack with odd modes (0744): files 0644, the two programs 0755.
find "$lib" -type f -exec chmod 644 {} +
chmod 755 "$lib/custodyd" "$lib/custody-admin"

install -d "$root/usr/bin" "$root/etc/custody" "$root/usr/lib/systemd/system" "$root/usr/lib/sysusers.d" \
  "$root/usr/lib/tmpfiles.d" "$root/usr/share/doc/custody/docs"
ln -s ../lib/custody/custody-admin "$root/usr/bin/custody-admin"
install -m 644 packaging/custodyd.json "$root/etc/custody/custodyd.json"
install -m 644 packaging/custodyd.service "$root/usr/lib/systemd/system/custodyd.service"
install -m 644 packaging/sysusers.conf "$root/usr/lib/sysusers.d/custody.conf"
install -m 644 packaging/tmpfiles.conf "$root/usr/lib/tmpfiles.d/custody.conf"
install -m 644 README.md SECURITY.md CHANGELOG.md LICENSE NOTICE "$root/usr/share/doc/custody/"
install -m 644 docs/*.md "$root/usr/share/doc/custody/docs/"
# Debian looks for the licence here.
{ echo "Custody $version"; echo; cat NOTICE; echo; echo "The licence is /usr/share/doc/custody/LICENSE (Apache-2.0)."; } \
  > "$root/usr/share/doc/custody/copyright"

# Owned by root in both packages, whoever builds them; times from the commit, so a rebuild is alike.
stamp=$(git log -1 --format=%ct 2>/dev/null || date +%s)
tar --create --gzip --file "$out/$name.tar.gz" --directory "$work" --owner=0 --group=0 --numeric-owner \
  --sort=name --mtime="@$stamp" "$name"

install -d "$root/DEBIAN"
install -m 755 packaging/debian/postinst packaging/debian/prerm packaging/debian/postrm "$root/DEBIAN/"
echo /etc/custody/custodyd.json > "$root/DEBIAN/conffiles"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" packaging/debian/control > "$root/DEBIAN/control"
SOURCE_DATE_EPOCH=$stamp dpkg-deb --root-owner-group --build "$root" "$out/$name.deb" >&2

echo "$out/$name.tar.gz"
echo "$out/$name.deb"
