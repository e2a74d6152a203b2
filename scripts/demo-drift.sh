#!/usr/bin/env bash
# The closed loop on one machine (issue #7): a local cluster (coordinator + one agent) trains the Fashion-MNIST MLP and
# serves it; a retraining policy watches it. Then the inputs change (as a new camera would change them: lower contrast,
# brighter), the monitor detects the drift, the coordinator retrains on the newest dataset version (which holds images
# like the new ones), compares the candidate with production on held-out images, serves it as a 20 % canary and
# promotes it. Every step is printed by the CLI. About 5 minutes on 2 cores.
#
# The windows are shortened so the loop fits in minutes (production defaults are minutes to hours): live windows every
# 5 s, drift judged over the last 30 s, a 20 s canary, policies checked every 2 s. MLOPS_DEMO_DIR keeps the state.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
started=$(date +%s)

ensure_debian_packages dataset-fashion-mnist
ensure_dotnet
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
export Agent__Serving__ProfileWindow=00:00:05 Monitoring__EvaluationWindow=00:00:30 Retraining__Interval=00:00:02

echo "==> building"
for project in src/MlOps.Cli src/MlOps.Coordinator src/MlOps.Agent perf/MlOps.LoadTest; do
  dotnet build "$project" -c Release -nologo -clp:ErrorsOnly
done
cli=(dotnet artifacts/bin/MlOps.Cli/release/mlops.dll)
mlops() { "${cli[@]}" "$@"; }
loadtest=(dotnet artifacts/bin/MlOps.LoadTest/release/mlops-loadtest.dll)

data_dir=${MLOPS_DEMO_DIR:-$(mktemp -d -t mlops-drift-XXXXXX)}
start_local_cluster "$data_dir"
fashion=/usr/share/datasets/fashion-mnist
model=fashion-mlp
load_pid=

step() { echo; echo "==> $*"; }

# Sends $1's test images to the served model at 150 requests/s for $2 (the harness of perf/MlOps.LoadTest).
send() {
  local dataset=$1 duration=$2 name=$3
  cat >"$data_dir/$name.yaml" <<EOF
defaults:
  target: http://127.0.0.1:$grpc_port
  model: $model
  warm_up: 0s
  duration: $duration
  samples: 2000
  dataset: $dataset
scenarios:
  - name: $name
    load:
      open: { rate: 150 }
EOF
  "${loadtest[@]}" run "$data_dir/$name.yaml" --quiet --out "$data_dir/load-$name"
}

stop_load() { [ -z "$load_pid" ] || { kill "$load_pid" 2>/dev/null || true; wait "$load_pid" 2>/dev/null || true; load_pid=; }; }
trap 'stop_load; stop_cluster' EXIT

step "dataset version 1: Fashion-MNIST as published; training and serving production"
mlops data push fashion-mnist "$fashion"
mlops submit examples/fashion-mnist-mlp.yaml --watch >"$data_dir/train.log" || { cat "$data_dir/train.log"; exit 1; }
grep -E 'test_accuracy|registered' "$data_dir/train.log" | tail -2
mlops model alias set "$model" production 1
mlops deploy "$model@production" --wait

step "dataset version 2: the field team's images (30 % of training and half of the test images as the new camera takes them)"
mlops data derive "$fashion" --out "$data_dir/field-v2" --contrast 0.6 --brightness 0.2 --train-fraction 0.3 --test-fraction 0.5
mlops data push fashion-mnist "$data_dir/field-v2"
# What the new camera sends from now on: every test image shifted.
mlops data derive "$fashion" --out "$data_dir/field-all" --contrast 0.6 --brightness 0.2 --train-fraction 0 --test-fraction 1 >/dev/null

step "retraining policy: retrain on drift, 20 % canary for 20 s"
mlops retrain policy set "$model" --on-drift --canary-percent 20 --canary-duration 20s

step "traffic as at training time: the monitor sees no drift"
send "$fashion" 25s baseline >/dev/null
mlops monitor "$model"

step "the camera changes: shifted images at 150 requests/s until the loop ends"
send "$data_dir/field-all" 900s shifted >"$data_dir/load-shifted.log" 2>&1 &
load_pid=$!
run=
for _ in $(seq 1 90); do
  run=$(mlops retrain runs "$model" --output json 2>/dev/null | grep -o '"id": *"r-[0-9a-z]*"' | head -1 | grep -o 'r-[0-9a-z]*' || true)
  [ -n "$run" ] && break
  sleep 2
done
[ -n "$run" ] || { mlops monitor "$model"; echo "error: no retraining run started within 3 minutes" >&2; exit 1; }
mlops monitor "$model"

step "retraining run $run: retrain on the newest data, compare, canary, promote (live)"
set +e
mlops retrain show "$run" --watch
status=$?
set -e
stop_load

step "the outcome"
promoted=0
mlops retrain show "$run" --output json 2>/dev/null | grep -q 'PROMOTED' && promoted=1
mlops retrain runs "$model"
mlops model versions "$model"
mlops rollout status "$model"
mlops deployments

stop_cluster
trap - EXIT
elapsed=$(( $(date +%s) - started ))
echo
echo "drift demo finished in ${elapsed} s; cluster log: $cluster_log"
if [ "$status" -ne 0 ] || [ "$promoted" -ne 1 ]; then
  echo "error: the retraining run $run was not promoted (exit $status)" >&2
  exit 1
fi
echo "retraining run $run promoted the candidate"
