#!/usr/bin/env bash
# Builds the Debian package of the coordinator, the agent or the CLI with dpkg-deb. See docs/install.md.
#
#   scripts/build-deb.sh --role coordinator|agent|cli [--version V] [--from BUNDLE_DIR] [--out DIR]
#
# Writes DIR/mlops-<role>_<version>_amd64.deb (the CLI: mlops_<version>_amd64.deb); DIR defaults to artifacts/deb.
# Without --from it publishes the component from this checkout first, as scripts/install.sh does; --from takes a
# bundle made by scripts/install.sh --publish-to. The version defaults to the bundle's VERSION (the commit): a label
# that is no Debian version (those start with a digit) becomes 0~<when the bundle was made>+<label>, so that a later
# bundle upgrades an earlier one. Compressed with zstd (DPKG_DEB_COMPRESSOR_TYPE=xz for xz): the agent's ~620 MB
# (libtorch) take seconds, against ten minutes with xz on two cores, for a package of 164 MB instead of 119 MB.
# dpkg reads zstd on Debian 12 and Ubuntu 22.04 (the targets of docs/install.md).
#
# Package layout (the same paths as scripts/install.sh, so the same unit serves both):
#   opt/mlops/<role>/<label>/, opt/mlops/<role>/current -> <label>   binaries (dpkg keeps no older version)
#   lib/systemd/system/mlops-<role>.service
#   etc/mlops/<role>.json, etc/mlops/<role>.env                      conffiles: an upgrade keeps the operator's edits
#   CLI: opt/mlops/cli/<label>/, usr/bin/mlops -> the CLI
# The maintainer scripts (packaging/deb/) create the mlops user and /var/lib/mlops/<role>, and enable the unit.
# lintian still reports, knowingly: files in /opt (the layout above), settings readable by root and mlops only (the
# env file may hold a database password), no copyright or changelog file, and the placeholder Maintainer (set
# DEBFULLNAME and DEBEMAIL).
set -euo pipefail
umask 022
script_dir=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$script_dir/.." && pwd)
. "$script_dir/lib.sh"
. "$script_dir/lib/bundle.sh"

usage() {
  sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}
fail() { echo "error: $*" >&2; exit 1; }

role="" version="" from="" out="$repo/artifacts/deb"
while [ $# -gt 0 ]; do
  case "$1" in
    --role) role=${2:?--role needs a value}; shift 2 ;;
    --version) version=${2:?--version needs a value}; shift 2 ;;
    --from) from=${2:?--from needs a value}; shift 2 ;;
    --out) out=${2:?--out needs a value}; shift 2 ;;
    -h|--help) usage ;;
    *) echo "error: unknown argument '$1'" >&2; usage ;;
  esac
done
case "$role" in
  coordinator|agent) package=mlops-$role ;;
  cli) package=mlops ;;
  "") echo "error: --role is required" >&2; usage ;;
  *) fail "--role must be coordinator, agent or cli, got '$role'" ;;
esac
command -v dpkg-deb >/dev/null || fail "dpkg-deb not found (package dpkg)"

if [ -z "$from" ]; then
  from="$repo/artifacts/install"
  publish "$from" "$role"
fi
from=$(realpath -m "$from")
require_components "$from" "$role"

# A Debian version: starts with a digit; '-' only before a revision; no '_'.
is_debian_version() { [[ "$1" =~ ^[0-9][A-Za-z0-9.+~]*(-[A-Za-z0-9.+~]+)?$ ]]; }
if [ -n "$version" ]; then
  is_debian_version "$version" || fail "--version '$version' is no Debian version (digits first; letters, digits, '.', '+', '~')"
  label=$version debian_version=$version
else
  label=$(bundle_version "$from")
  [[ "$label" =~ ^[A-Za-z0-9][A-Za-z0-9._+-]*$ ]] || fail "$from/VERSION '$label' must be letters, digits, '.', '_', '+' or '-'"
  if is_debian_version "$label"; then
    debian_version=$label
  else
    made=$(if [ -f "$from/VERSION" ]; then date -u -r "$from/VERSION" +%Y%m%d%H%M%S; else date -u +%Y%m%d%H%M%S; fi)
    debian_version="0~$made+${label//[-_]/.}"
  fi
fi

# Run-time needs of the self-contained publish (checked with objdump on the published libraries): glibc, libgcc and
# libstdc++ for the .NET runtime and SQLite; OpenSSL, which .NET loads for TLS and certificates. No libicu
# (InvariantGlobalization), no zlib (inside System.IO.Compression.Native). The agent's TorchSharp needs glibc 2.34 and
# GLIBCXX_3.4.30 (GCC 12's libstdc++; the 3.4.32 marker is the patched one, docs/torchsharp-loader.md); libtorch
# ships its own libgomp.
case "$role" in
  agent) depends="libc6 (>= 2.34), libgcc-s1, libstdc++6 (>= 12), libssl3 | libssl3t64" ;;
  *) depends="libc6 (>= 2.28), libgcc-s1, libstdc++6 (>= 6), libssl3 | libssl3t64" ;;
esac
case "$role" in
  coordinator) summary="MlOps cluster coordinator (systemd service)"
    detail="The cluster's gRPC API, scheduler, model registry and state, run as the
 service mlops-coordinator." ;;
  agent) summary="MlOps cluster agent (systemd service)"
    detail="Runs training jobs in child processes and serves models on a worker
 node, as the service mlops-agent." ;;
  cli) summary="command-line client of the MlOps cluster"
    detail="The mlops command: submits and follows jobs, manages models and
 deployments, runs a local cluster." ;;
esac

stage=$(mkdir -p "$out" && mktemp -d "$out/.$package.XXXXXX")
trap 'rm -rf "$stage"' EXIT
chmod 0755 "$stage" # the package's ./ entry
echo "==> building $package $debian_version from $from"

base="$stage/opt/mlops/$role"
mkdir -p "$base"
stage_component "$from" "$role" "$base/$label"
ln -s "$label" "$base/current"
# Debian wants a link from one top-level folder into another to be absolute (install.sh's is relative, for --prefix).
[ "$role" = cli ] || ln -sfn "/etc/mlops/$role.json" "$base/$label/appsettings.json"
# A build under a strict umask (or a bundle copied with odd modes) must not give the mlops user unreadable binaries.
chmod -R u=rwX,go=rX "$stage/opt"

if [ "$role" = cli ]; then
  mkdir -p "$stage/usr/bin"
  ln -s /opt/mlops/cli/current/mlops "$stage/usr/bin/mlops"
else
  [ "$role" != agent ] || warn_without_torchsharp_compat "$base/$label"
  install -D -m 0644 "$(packaging_file "$from" "systemd/mlops-$role.service")" "$stage/lib/systemd/system/mlops-$role.service"
  install -D -m 0640 "$(packaging_file "$from" "config/$role.json")" "$stage/etc/mlops/$role.json"
  install -D -m 0640 "$(packaging_file "$from" "config/$role.env")" "$stage/etc/mlops/$role.env"
fi
installed_size=$(du -sk "$stage" | cut -f1)

mkdir -p "$stage/DEBIAN"
{
  echo "Package: $package"
  echo "Version: $debian_version"
  echo "Architecture: amd64"
  echo "Maintainer: ${DEBFULLNAME:-MlOps.Cluster} <${DEBEMAIL:-mlops@localhost}>"
  echo "Installed-Size: $installed_size"
  if [ "$role" = cli ]; then
    echo "Depends: $depends"
  else
    echo "Depends: $depends, adduser"
    echo "Recommends: mlops"
  fi
  echo "Section: admin"
  echo "Priority: optional"
  echo "Description: $summary"
  echo " $detail"
  echo " Self-contained .NET build: the node needs no .NET runtime."
} >"$stage/DEBIAN/control"
if [ "$role" != cli ]; then
  printf '/etc/mlops/%s.json\n/etc/mlops/%s.env\n' "$role" "$role" >"$stage/DEBIAN/conffiles"
  for script in postinst prerm postrm; do
    sed "s/@ROLE@/$role/g" "$(packaging_file "$from" "deb/$script")" >"$stage/DEBIAN/$script"
    chmod 0755 "$stage/DEBIAN/$script"
  done
fi

deb="$out/${package}_${debian_version}_amd64.deb"
dpkg-deb -Z"${DPKG_DEB_COMPRESSOR_TYPE:-zstd}" --build --root-owner-group "$stage" "$deb" >/dev/null
echo "built $deb ($(du -h "$deb" | cut -f1))"
