#!/usr/bin/env bash
# Removes what scripts/install.sh installed for a role. See docs/install.md.
#
#   scripts/uninstall.sh --role coordinator|agent [--prefix DIR] [--purge]
#
# Stops and disables the service (prefix / as root, when systemd runs), removes its unit and binaries (and the CLI
# when no other role is left installed). Configuration (etc/mlops/<role>.*) and state (var/lib/mlops/<role>) stay
# unless --purge; --purge also removes the mlops user when no role is left.
set -euo pipefail

usage() {
  sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}
fail() { echo "error: $*" >&2; exit 1; }
say() { echo "  $*"; }

role="" prefix="/" purge=false
while [ $# -gt 0 ]; do
  case "$1" in
    --role) role=${2:?--role needs a value}; shift 2 ;;
    --prefix) prefix=${2:?--prefix needs a value}; shift 2 ;;
    --purge) purge=true; shift ;;
    -h|--help) usage ;;
    *) echo "error: unknown argument '$1'" >&2; usage ;;
  esac
done
case "$role" in
  coordinator|agent) ;;
  "") echo "error: --role is required" >&2; usage ;;
  *) fail "--role must be coordinator or agent, got '$role'" ;;
esac
prefix=$(realpath -m "$prefix")
system=false
if [ "$prefix" = / ]; then
  [ "$(id -u)" -eq 0 ] || fail "uninstalling from / needs root (run it with sudo)"
  system=true
fi
root() { echo "${prefix%/}$1"; }
remove() {
  if [ -e "$1" ] || [ -L "$1" ]; then rm -rf "$1"; say "removed    $1"; fi
}

echo "==> uninstalling mlops $role from $prefix"
unit="mlops-$role.service"
if $system && [ -d /run/systemd/system ]; then
  systemctl disable --now "$unit" >/dev/null 2>&1 && say "stopped and disabled $unit" || true
fi
remove "$(root /etc/systemd/system)/$unit"
if $system && [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
remove "$(root /opt/mlops/"$role")"

other=coordinator; [ "$role" = coordinator ] && other=agent
if [ ! -d "$(root /opt/mlops/"$other")" ]; then
  remove "$(root /opt/mlops/cli)"
  remove "$(root /usr/local/bin/mlops)"
  rmdir "$(root /opt/mlops)" 2>/dev/null || true
fi

if $purge; then
  remove "$(root /etc/mlops)/$role.json"
  remove "$(root /etc/mlops)/$role.env"
  remove "$(root /var/lib/mlops)/$role"
  rmdir "$(root /etc/mlops)" "$(root /var/lib/mlops)" 2>/dev/null || true
  if $system && [ ! -d /opt/mlops ] && getent passwd mlops >/dev/null; then
    userdel mlops && say "removed    user mlops"
  fi
else
  for kept in "$(root /etc/mlops)/$role.json" "$(root /etc/mlops)/$role.env" "$(root /var/lib/mlops)/$role"; do
    if [ -e "$kept" ]; then say "kept       $kept (--purge removes it)"; fi
  done
fi
echo "done"
