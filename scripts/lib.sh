# Shared helpers for the project's scripts (sourced, not run).

# Runs a command as root: directly when we are root, through sudo otherwise.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Installs the Debian packages given that are not installed yet (one apt-get update at most).
ensure_debian_packages() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "==> installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

# Fails with instructions when the .NET 10 SDK is missing (Debian does not package it).
ensure_dotnet() {
  if command -v dotnet >/dev/null 2>&1 && dotnet --list-sdks 2>/dev/null | grep -q '^10\.'; then
    return
  fi
  if apt-cache policy dotnet-sdk-10.0 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    ensure_debian_packages dotnet-sdk-10.0
    return
  fi
  echo "error: the .NET 10 SDK is required. Install it (package dotnet-sdk-10.0 from Microsoft's Debian 12" >&2
  echo "       repository, or the dotnet-install script) and run this again." >&2
  exit 1
}

# A loopback TCP port nobody listens on, starting the search at $1.
free_port() {
  local port=${1:-7070}
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  echo "$port"
}

# Starts a local cluster (`mlops up`: coordinator + one agent) in the background with its state in $1, stops it on
# exit, and waits until it is ready. Needs the array `cli` (the mlops command). Sets MLOPS_COORDINATOR, rest_port,
# grpc_port, up_pid and cluster_log.
start_local_cluster() {
  local data_dir=$1 port
  port=$(free_port "${MLOPS_PORT:-7070}")
  rest_port=$(free_port 8000)
  grpc_port=$(free_port 8001)
  [ "$grpc_port" != "$rest_port" ] || grpc_port=$(free_port $((rest_port + 1)))
  export MLOPS_COORDINATOR="http://127.0.0.1:$port"
  cluster_log="$data_dir/cluster.log"
  mkdir -p "$data_dir"
  echo "==> starting the cluster on $MLOPS_COORDINATOR (state in $data_dir)"
  # Started directly (not through a shell function) so $! is the CLI itself and SIGTERM reaches it.
  "${cli[@]}" up --data-dir "$data_dir" --port "$port" --rest-port "$rest_port" --grpc-port "$grpc_port" >"$cluster_log" 2>&1 &
  up_pid=$!
  trap stop_cluster EXIT
  for _ in $(seq 1 120); do
    grep -q "cluster ready" "$cluster_log" 2>/dev/null && return 0
    kill -0 "$up_pid" 2>/dev/null || { cat "$cluster_log"; echo "error: the cluster did not start" >&2; exit 1; }
    sleep 1
  done
  cat "$cluster_log"
  echo "error: the cluster was not ready within 120 s" >&2
  exit 1
}

# Stops the cluster start_local_cluster started (SIGTERM, then waits for it), if it still runs.
stop_cluster() {
  if [ -n "${up_pid:-}" ] && kill -0 "$up_pid" 2>/dev/null; then
    echo "==> stopping the cluster"
    kill -TERM "$up_pid" 2>/dev/null || true
    wait "$up_pid" 2>/dev/null || true
  fi
}
