#!/usr/bin/env bash
# Installs the coordinator or the agent (and the mlops CLI) as a systemd service. See docs/install.md.
#
#   scripts/install.sh --role coordinator|agent [--prefix DIR] [--from DIR] [--version V] [--coordinator URL]
#   scripts/install.sh --publish-to DIR        # only build the self-contained bundle (to copy to other nodes; it
#                                              # also holds the load harness and scripts/gpu-check.sh)
#
# Without --from it publishes the role and the CLI from this checkout (self-contained, linux-x64, Release; needs the
# .NET 10 SDK). --from DIR takes a bundle made by --publish-to (DIR/coordinator, DIR/agent, DIR/cli, DIR/VERSION), or
# any folders of that layout, such as framework-dependent build outputs.
#
# Layout under the prefix (default /):
#   opt/mlops/<role>/<version>/   the service's binaries; opt/mlops/<role>/current -> <version>
#   opt/mlops/cli/<version>/      the CLI; usr/local/bin/mlops -> opt/mlops/cli/current/mlops
#   etc/systemd/system/mlops-<role>.service
#   etc/mlops/<role>.json, etc/mlops/<role>.env   written only when absent: an upgrade keeps the operator's settings
#   var/lib/mlops/<role>/         state, never touched by an upgrade
# Only with prefix / as root: creates the system user mlops, owns the state to it, and runs systemctl daemon-reload,
# enable and try-restart (when systemd runs). Running it again with the same binaries changes nothing.
set -euo pipefail
script_dir=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$script_dir/.." && pwd)
. "$script_dir/lib.sh"
. "$script_dir/lib/bundle.sh"

usage() {
  sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}
fail() { echo "error: $*" >&2; exit 1; }
say() { echo "  $*"; }

role="" prefix="/" from="" version="" coordinator="" publish_to=""
while [ $# -gt 0 ]; do
  case "$1" in
    --role) role=${2:?--role needs a value}; shift 2 ;;
    --prefix) prefix=${2:?--prefix needs a value}; shift 2 ;;
    --from) from=${2:?--from needs a value}; shift 2 ;;
    --version) version=${2:?--version needs a value}; shift 2 ;;
    --coordinator) coordinator=${2:?--coordinator needs a value}; shift 2 ;;
    --publish-to) publish_to=${2:?--publish-to needs a value}; shift 2 ;;
    -h|--help) usage ;;
    *) echo "error: unknown argument '$1'" >&2; usage ;;
  esac
done

if [ -n "$publish_to" ]; then
  [ -z "$role" ] || fail "--publish-to builds every component; it takes no --role"
  publish "$(realpath -m "$publish_to")" coordinator agent cli loadtest
  echo "bundle ready: $publish_to (install on a node with: $publish_to/scripts/install.sh --role ROLE --from $publish_to)"
  exit 0
fi

case "$role" in
  coordinator|agent) ;;
  "") echo "error: --role is required" >&2; usage ;;
  *) fail "--role must be coordinator or agent, got '$role'" ;;
esac
[ -z "$coordinator" ] || [ "$role" = agent ] || fail "--coordinator is for --role agent"
prefix=$(realpath -m "$prefix")
system=false
if [ "$prefix" = / ]; then
  [ "$(id -u)" -eq 0 ] || fail "installing into / needs root (run it with sudo, or give --prefix DIR to stage an install)"
  system=true
fi
root() { echo "${prefix%/}$1"; }

if [ -z "$from" ]; then
  from="$repo/artifacts/install"
  publish "$from" "$role" cli
fi
from=$(realpath -m "$from")
require_components "$from" "$role" cli
[ -n "$version" ] || version=$(bundle_version "$from")
[[ "$version" =~ ^[A-Za-z0-9][A-Za-z0-9._+-]*$ ]] || fail "version '$version' must be letters, digits, '.', '_', '+' or '-'"

echo "==> installing mlops $role $version into $prefix"
changed=false

# Copies component $1 into opt/mlops/$1/<version> unless an identical copy is there, then points current at it.
install_component() {
  local component=$1 base dest staged
  base=$(root /opt/mlops/"$component")
  dest="$base/$version"
  mkdir -p "$base"
  if [ -d "$dest" ] && diff -rq --no-dereference -x appsettings.json -x install.md "$from/$component/." "$dest/." >/dev/null 2>&1; then
    say "unchanged  $dest"
  else
    staged="$base/.$version.new.$$"
    rm -rf "$staged"
    stage_component "$from" "$component" "$staged"
    if [ -d "$dest" ]; then
      mv "$dest" "$base/.$version.old.$$"
      mv "$staged" "$dest"
      rm -rf "$base/.$version.old.$$"
      say "replaced   $dest"
    else
      mv "$staged" "$dest"
      say "installed  $dest"
    fi
    touch "$dest" # the newest versions by time are the ones kept below
    changed=true
  fi
  if [ "$(readlink "$base/current" 2>/dev/null || true)" != "$version" ]; then
    touch "$dest"
    ln -sfn "$version" "$base/.current.$$"
    mv -T "$base/.current.$$" "$base/current"
    say "linked     $base/current -> $version"
    changed=true
  fi
  # Keep the two newest other versions for a rollback (and for training children an old agent started).
  local old
  while IFS= read -r old; do
    rm -rf "${base:?}/$old"
    say "removed    $base/$old (old version)"
  done < <(cd "$base" && ls -1t | grep -v -e '^current$' -e '^\.' -e "^$version\$" | tail -n +3)
}

install_component "$role"
install_component cli

bin=$(root /usr/local/bin)
mkdir -p "$bin"
if [ "$(readlink "$bin/mlops" 2>/dev/null || true)" != "../../../opt/mlops/cli/current/mlops" ]; then
  ln -sfn ../../../opt/mlops/cli/current/mlops "$bin/mlops"
  say "linked     $bin/mlops -> /opt/mlops/cli/current/mlops"
fi

# Warn when training could not load TorchSharp under the read-only /opt of the unit.
[ "$role" != agent ] || warn_without_torchsharp_compat "$(root /opt/mlops/agent/current)"

unit_dir=$(root /etc/systemd/system)
unit="mlops-$role.service"
mkdir -p "$unit_dir"
if cmp -s "$(packaging_file "$from" "systemd/$unit")" "$unit_dir/$unit"; then
  say "unchanged  $unit_dir/$unit"
else
  install -m 0644 "$(packaging_file "$from" "systemd/$unit")" "$unit_dir/$unit"
  say "installed  $unit_dir/$unit"
  changed=true
fi

config_dir=$(root /etc/mlops)
mkdir -p "$config_dir"
for file in "$role.json" "$role.env"; do
  if [ -e "$config_dir/$file" ]; then
    say "kept       $config_dir/$file (yours)"
    [ "$file" != agent.json ] || [ -z "$coordinator" ] ||
      echo "  note: --coordinator not applied: $config_dir/$file exists; edit Agent:CoordinatorAddress there" >&2
    continue
  fi
  if [ "$file" = agent.json ] && [ -n "$coordinator" ]; then
    sed "s#\"CoordinatorAddress\": \"[^\"]*\"#\"CoordinatorAddress\": \"$coordinator\"#" "$(packaging_file "$from" "config/$file")" >"$config_dir/.$file.$$"
  else
    cp "$(packaging_file "$from" "config/$file")" "$config_dir/.$file.$$"
  fi
  chmod 0640 "$config_dir/.$file.$$"
  mv "$config_dir/.$file.$$" "$config_dir/$file"
  say "created    $config_dir/$file"
  changed=true
done

state=$(root /var/lib/mlops/"$role")
if [ -d "$state" ]; then
  say "kept       $state"
else
  mkdir -p "$state"
  say "created    $state"
fi

if $system; then
  if ! getent passwd mlops >/dev/null; then
    useradd --system --user-group --home-dir /var/lib/mlops --no-create-home --shell /usr/sbin/nologin mlops
    say "created    user mlops"
  fi
  chown mlops:mlops /var/lib/mlops "$state"
  chmod 0750 "$state"
  chown root:mlops "$config_dir/$role.json" "$config_dir/$role.env"
  if [ -d /run/systemd/system ]; then
    systemctl daemon-reload
    systemctl enable "$unit" >/dev/null 2>&1 && say "enabled    $unit"
    if $changed && systemctl is-active --quiet "$unit"; then
      systemctl try-restart "$unit"
      say "restarted  $unit"
    fi
    systemctl is-active --quiet "$unit" || echo "  start it with: systemctl start $unit (logs: journalctl -u $unit -f)"
  else
    echo "  systemd is not running here: daemon-reload, enable and start skipped"
  fi
else
  echo "  prefix is not / (or not root): no user created, no systemctl run"
fi
echo "done: mlops $role $version"
