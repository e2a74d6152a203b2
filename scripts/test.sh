#!/usr/bin/env bash
# Builds the solution and runs every test (unit and integration). Ends with one line:
#   N passed, N failed, N skipped
# Quick loop without the slow tests: scripts/test.sh --filter "Category!=Integration"
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

ensure_debian_packages dataset-fashion-mnist docker-registry apache2-utils postgresql wrk prometheus systemd
ensure_dotnet
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# A real Consul 1.8.7 agent for the discovery tests (Debian bullseye's static binary, into .tools/).
bash scripts/fetch-consul.sh >/dev/null
# CI runs everything, including the ~90 s Consul reaper test (a quick loop can filter Category!=Slow).
export MLOPS_SLOW_TESTS=${MLOPS_SLOW_TESTS:-1}

config=${MLOPS_CONFIGURATION:-Release}
results=artifacts/test-results
rm -rf "$results"

echo "==> building ($config)"
dotnet build MlOps.Cluster.sln -c "$config" -nologo -clp:ErrorsOnly

echo "==> testing"
set +e
dotnet test MlOps.Cluster.sln -c "$config" --no-build --nologo \
  --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" "$@" 2>&1 | \
  grep -vE '^\s*(Passed |Skipped .* \[)' 
status=${PIPESTATUS[0]}
set -e

passed=0 failed=0 skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed)))
  skipped=$((skipped + $(get notExecuted)))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "dotnet test exited with $status without a failed test (build or runner error)" >&2
  failed=1
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$status" -eq 0 ]
