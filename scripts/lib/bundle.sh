# The self-contained bundle that scripts/install.sh and scripts/build-deb.sh install or package (sourced, not run).
# Needs $repo (the checkout) and, for publish, scripts/lib.sh. A bundle is DIR/coordinator, DIR/agent, DIR/cli,
# DIR/VERSION, optionally DIR/loadtest (the load harness, for scripts/gpu-check.sh), plus the packaging and these
# scripts so that it installs (and checks a GPU node) without the checkout.

# The project folder (relative to the checkout) and the apphost of each component.
project_of() {
  case "$1" in
    coordinator) echo src/MlOps.Coordinator ;; agent) echo src/MlOps.Agent ;; cli) echo src/MlOps.Cli ;;
    loadtest) echo perf/MlOps.LoadTest ;;
  esac
}
exe_of() { case "$1" in coordinator) echo MlOps.Coordinator ;; agent) echo MlOps.Agent ;; cli) echo mlops ;; loadtest) echo mlops-loadtest ;; esac; }

# Publishes the components given into $1/<component> (self-contained, linux-x64) and writes $1/VERSION.
publish() {
  local out=$1; shift
  ensure_dotnet
  export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
  mkdir -p "$out"
  local component
  for component in "$@"; do
    echo "==> publishing $component (self-contained linux-x64, Release) into $out/$component"
    rm -rf "${out:?}/$component"
    dotnet publish "$repo/$(project_of "$component")" -c Release -r linux-x64 --self-contained \
      -p:DebugType=none -o "$out/$component" -nologo -clp:ErrorsOnly
  done
  if [ -d "$out/agent" ]; then
    prepare_torchsharp "$out/agent"
  fi
  source_version >"$out/VERSION"
  mkdir -p "$out/packaging" "$out/scripts" "$out/docs"
  cp -R "$repo/packaging/systemd" "$repo/packaging/config" "$repo/packaging/deb" "$out/packaging/"
  cp "$repo/scripts/install.sh" "$repo/scripts/uninstall.sh" "$repo/scripts/build-deb.sh" "$repo/scripts/lib.sh" \
    "$repo/scripts/gpu-check.sh" "$out/scripts/"
  cp -R "$repo/scripts/lib" "$repo/scripts/gpu-check" "$out/scripts/"
  mkdir -p "$out/examples"
  cp "$repo/examples/fashion-mnist-cnn.yaml" "$out/examples/"
  cp "$repo/docs/install.md" "$out/docs/" 2>/dev/null || true
}

# The patched copy of TorchSharp's native library (docs/torchsharp-loader.md) must sit beside libtorch, which the
# service cannot write (ProtectSystem=strict, owned by root): write it into the bundle now, where the SDK is at hand.
prepare_torchsharp() {
  local native
  native=$(torchsharp_dir "$1") || return 0
  [ -f "$native/libLibTorchSharp.compat.so" ] && return 0
  echo "==> writing libLibTorchSharp.compat.so beside libtorch (for systems whose libstdc++ lacks GLIBCXX_3.4.32)"
  dotnet run --file "$repo/packaging/tools/torchsharp-compat.cs" -c Release -- "$native" >/dev/null
}

# The folder of an agent's libLibTorchSharp.so: the root of a RID-specific publish, runtimes/linux-x64/native of a build.
torchsharp_dir() {
  local dir
  for dir in "$1" "$1/runtimes/linux-x64/native"; do
    if [ -f "$dir/libLibTorchSharp.so" ]; then echo "$dir"; return 0; fi
  done
  return 1
}

# Warns when the agent in $1 could not load TorchSharp under the unit's read-only /opt.
warn_without_torchsharp_compat() {
  local native
  if native=$(torchsharp_dir "$1") && [ ! -f "$native/libLibTorchSharp.compat.so" ]; then
    echo "warning: $native has no libLibTorchSharp.compat.so; on a system whose libstdc++ lacks GLIBCXX_3.4.32" >&2
    echo "         (Debian 12, Ubuntu 22.04) training fails, because the service cannot write it there. Make the bundle" >&2
    echo "         with scripts/install.sh --publish-to DIR, which writes it." >&2
  fi
}

# A version label for binaries built from this checkout: the commit, marked when the tree has local changes.
source_version() {
  if git -C "$repo" rev-parse --short=12 HEAD >/dev/null 2>&1; then
    local v
    v=$(git -C "$repo" rev-parse --short=12 HEAD)
    git -C "$repo" diff --quiet HEAD 2>/dev/null || v="$v-dirty"
    echo "$v"
  else
    date -u +%Y%m%d%H%M%S
  fi
}

# The version label of bundle $1: its VERSION, else this checkout's.
bundle_version() {
  if [ -f "$1/VERSION" ]; then tr -d '[:space:]' <"$1/VERSION"; else source_version; fi
}

# Fails unless bundle $1 holds the apphost of every component given after it.
require_components() {
  local from=$1 component; shift
  for component in "$@"; do
    [ -x "$from/$component/$(exe_of "$component")" ] ||
      fail "$from/$component/$(exe_of "$component") not found: --from needs the folders ${*/%//} (scripts/install.sh --publish-to DIR makes them)"
  done
}

# Where a file of the packaging comes from: bundle $1's copy, else this checkout's.
packaging_file() {
  if [ -f "$1/packaging/$2" ]; then echo "$1/packaging/$2"; else echo "$repo/packaging/$2"; fi
}

# Copies component $2 of bundle $1 into the new folder $3, the version folder of an install. A service's host reads
# appsettings.json from its content root (that folder): a relative link to etc/mlops/<role>.json, so the same tree
# works staged under a prefix, in a package, and installed at /. The unit's Documentation= names the install.md there.
stage_component() {
  local from=$1 component=$2 dest=$3
  cp -R --preserve=mode,timestamps "$from/$component/." "$dest"
  if [ "$component" != cli ]; then
    ln -sfn "../../../../etc/mlops/$component.json" "$dest/appsettings.json"
    cp "$repo/docs/install.md" "$dest/install.md" 2>/dev/null || cp "$from/docs/install.md" "$dest/install.md" 2>/dev/null || true
  fi
}
