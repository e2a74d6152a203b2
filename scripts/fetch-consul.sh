#!/usr/bin/env bash
# Puts Consul 1.8 at .tools/consul/consul (under the repository root) and prints that path; the discovery
# tests start it as a throwaway dev agent. Safe to run again: a binary of the right version is kept.
#
# Debian 12 has no consul package; Debian 11 (bullseye) ships 1.8.7 as a static binary that runs here. It is
# fetched with apt from the Debian mirror this machine is already configured with (no host name lives in the
# repository), through a private source list and private list/cache folders under .tools/apt, so the system's
# apt state is neither read for packages nor changed. Nothing is installed: the .deb is only unpacked.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

suite=bullseye
wanted='^Consul v1\.8\.'
target_dir=$root/.tools/consul
binary=$target_dir/consul
apt_dir=$root/.tools/apt

say() { echo "$@" >&2; }

# The version is captured before matching: 'consul version | grep -q' can kill consul with SIGPIPE, and
# pipefail would then call a good binary bad.
installed=$([ -x "$binary" ] && "$binary" version 2>/dev/null | head -1 || true)
if echo "$installed" | grep -q "$wanted"; then
  echo "$binary"
  exit 0
fi

for tool in apt-get dpkg; do
  command -v "$tool" >/dev/null 2>&1 || { say "error: $tool not found; this script needs a Debian-based machine"; exit 1; }
done

# Prints "URI<TAB>SIGNED-BY" of the first enabled 'deb' source that carries this system's own release (suite
# = its codename) with the 'main' component: that is the Debian archive mirror, whatever host it names.
# Reads deb822 *.sources files and one-line *.list files.
debian_mirror() {
  local codename
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  [ -n "$codename" ] || { say "error: no VERSION_CODENAME in /etc/os-release"; return 1; }
  local files=()
  [ -f /etc/apt/sources.list ] && files+=(/etc/apt/sources.list)
  for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && files+=("$f")
  done
  [ ${#files[@]} -gt 0 ] || return 1
  local f
  for f in "${files[@]}"; do
    case "$f" in
      *.sources)
        # One stanza per blank-line-separated paragraph; continuation lines (leading space) are skipped,
        # which drops inline keys in Signed-By but keeps a keyring path.
        awk -v codename="$codename" '
          function flush() {
            if (uris != "" && types ~ /(^| )deb( |$)/ && enabled !~ /^(no|false)$/ &&
                (" " suites " ") ~ (" " codename " ") && (" " comps " ") ~ / main /) {
              split(uris, u, " "); print u[1] "\t" signed; found = 1; exit
            }
            types = uris = suites = comps = signed = enabled = ""
          }
          /^[ \t]*#/ { next }
          /^[ \t]*$/ { flush(); next }
          /^[ \t]/ { next }
          {
            key = tolower($1); sub(/:$/, "", key); value = $0; sub(/^[^:]*:[ \t]*/, "", value)
            if (key == "types") types = value
            else if (key == "uris") uris = value
            else if (key == "suites") suites = value
            else if (key == "components") comps = value
            else if (key == "signed-by") signed = value
            else if (key == "enabled") enabled = tolower(value)
          }
          END { if (!found) flush() }
        ' "$f"
        ;;
      *)
        # deb [opt=value ...] URI SUITE COMPONENT...
        awk -v codename="$codename" '
          /^[ \t]*deb[ \t]/ {
            line = $0; sub(/#.*/, "", line); signed = ""
            if (match(line, /\[[^]]*\]/)) {
              opts = substr(line, RSTART + 1, RLENGTH - 2); line = substr(line, 1, RSTART - 1) substr(line, RSTART + RLENGTH)
              n = split(opts, o, " ")
              for (i = 1; i <= n; i++) if (o[i] ~ /^signed-by=/) { signed = o[i]; sub(/^signed-by=/, "", signed) }
            }
            n = split(line, w, " ")
            if (n < 4 || w[3] != codename) next
            for (i = 4; i <= n; i++) if (w[i] == "main") { print w[2] "\t" signed; exit }
          }
        ' "$f"
        ;;
    esac
  done | head -1
}

mirror_line=$(debian_mirror || true)
uri=${mirror_line%%$'\t'*}
signed_by=${mirror_line#*$'\t'}
if [ -z "$uri" ]; then
  say "error: no Debian mirror found in /etc/apt/sources.list or /etc/apt/sources.list.d/ (a 'deb' source for"
  say "       this release's codename with the 'main' component); Consul 1.8 is fetched from that mirror's $suite suite"
  exit 1
fi
# The archive keyring of Debian 12 also holds the keys that signed Debian 11.
if [ -z "$signed_by" ] || [ "${signed_by#/}" = "$signed_by" ] || [ ! -f "$signed_by" ]; then
  signed_by=/usr/share/keyrings/debian-archive-keyring.gpg
fi

say "==> fetching consul from $suite at $uri (private apt state in .tools/apt)"
rm -rf "$apt_dir"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/parts" "$apt_dir/prefs" "$apt_dir/cache/archives/partial" "$apt_dir/debs"
if [ -f "$signed_by" ]; then
  echo "deb [signed-by=$signed_by] $uri $suite main" >"$apt_dir/sources.list"
else
  echo "deb $uri $suite main" >"$apt_dir/sources.list"
fi

apt_options=(
  -o "Dir::Etc::SourceList=$apt_dir/sources.list"
  -o "Dir::Etc::SourceParts=$apt_dir/parts"
  -o "Dir::Etc::Preferences=$apt_dir/prefs/none"
  -o "Dir::Etc::PreferencesParts=$apt_dir/prefs"
  -o "Dir::State::Lists=$apt_dir/lists"
  -o "Dir::Cache=$apt_dir/cache"
  -o "Dir::Cache::pkgcache="
  -o "Dir::Cache::srcpkgcache="
  -o "APT::Get::List-Cleanup=0"
)
if [ "$(id -u)" -eq 0 ]; then
  # apt drops to the _apt user for downloads; it may not reach a folder inside a private checkout.
  apt_options+=(-o "APT::Sandbox::User=root")
fi

apt-get "${apt_options[@]}" -qq update >&2
(cd "$apt_dir/debs" && apt-get "${apt_options[@]}" -qq download consul >&2)
deb=$(find "$apt_dir/debs" -maxdepth 1 -name 'consul_*.deb' | head -1)
[ -n "$deb" ] || { say "error: apt-get download consul produced no consul_*.deb"; exit 1; }

unpacked=$apt_dir/unpacked
dpkg -x "$deb" "$unpacked"
[ -x "$unpacked/usr/bin/consul" ] || { say "error: $(basename "$deb") has no usr/bin/consul"; exit 1; }
mkdir -p "$target_dir"
install -m 0755 "$unpacked/usr/bin/consul" "$binary.new"
mv -f "$binary.new" "$binary"
rm -rf "$apt_dir"

version=$("$binary" version 2>&1 | head -1 || true)
if ! echo "$version" | grep -q "$wanted"; then
  say "error: $binary reports '$version'; expected Consul 1.8.x"
  exit 1
fi
say "==> $version ($(basename "$deb"))"
echo "$binary"
