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
