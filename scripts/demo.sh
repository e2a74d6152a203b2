#!/usr/bin/env bash
# The main job on one machine: builds, starts a local cluster (coordinator + one agent, embedded defaults),
# submits the Fashion-MNIST MLP job, follows it to the end, registers the model, deploys it to the agent's
# inference endpoints, predicts three test images over the Open Inference Protocol and stops the cluster.
# MLOPS_DEMO_SPEC=examples/fashion-mnist-cnn.yaml runs the CNN instead (about 5 minutes on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
started=$(date +%s)

ensure_debian_packages dataset-fashion-mnist
ensure_dotnet
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

echo "==> building"
dotnet build src/MlOps.Cli -c Release -nologo -clp:ErrorsOnly
dotnet build src/MlOps.Coordinator -c Release -nologo -clp:ErrorsOnly
dotnet build src/MlOps.Agent -c Release -nologo -clp:ErrorsOnly
cli=(dotnet artifacts/bin/MlOps.Cli/release/mlops.dll)
mlops() { "${cli[@]}" "$@"; }

data_dir=${MLOPS_DEMO_DIR:-$(mktemp -d -t mlops-demo-XXXXXX)}
start_local_cluster "$data_dir"
log=$cluster_log
mlops agents

echo "==> registering the Fashion-MNIST files as a dataset version"
mlops data push fashion-mnist /usr/share/datasets/fashion-mnist

spec=${MLOPS_DEMO_SPEC:-examples/fashion-mnist-mlp.yaml}
model=$(sed -n 's/^name: *//p' "$spec" | head -1)
echo "==> submitting $spec"
set +e
mlops submit "$spec" --watch | tee "$data_dir/watch.log"
status=${PIPESTATUS[0]}
set -e

if [ "$status" -eq 0 ]; then
  echo "==> the registered model: versions, lineage, an alias, and a verified pull"
  mlops model versions "$model"
  version=$(mlops model versions "$model" --output json | grep -o '"version": *[0-9]*' | tail -1 | grep -o '[0-9]*$')
  mlops model show "$model:$version"
  mlops model alias set "$model" production "$version"
  mlops model pull "$model@production" -o "$data_dir/pulled-model"

  echo "==> deploying $model@production to the agent (gRPC :$grpc_port, REST :$rest_port) and predicting"
  mlops deploy "$model@production" --wait
  mlops rollout status "$model"
  for image in examples/images/*.png; do
    echo "--- $(basename "$image")"
    mlops predict "$model" --image "$image" --top 2
  done
fi

stop_cluster
trap - EXIT
elapsed=$(( $(date +%s) - started ))
accuracy=$(grep -o 'test_accuracy: [0-9.]*' "$data_dir/watch.log" | tail -1 | awk '{print $2}')
echo
echo "demo finished in ${elapsed} s; cluster log: $log"
if [ "$status" -ne 0 ] || [ -z "$accuracy" ]; then
  echo "error: the job did not succeed (exit $status)" >&2
  exit 1
fi
echo "test accuracy: $accuracy"
