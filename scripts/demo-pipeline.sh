#!/usr/bin/env bash
# A pipeline on one machine: a local cluster (coordinator + one agent) runs examples/pipelines/fashion-mnist.yaml —
# ingest the Fashion-MNIST files, validate them, prepare a dataset with shifted copies added, train, evaluate, write a
# report, register and deploy — then runs it again unchanged (every step but deploy comes from the cache), then with
# one more epoch (train and what follows run again). About 4 minutes on 2 cores. MLOPS_DEMO_DIR keeps the state.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
started=$(date +%s)

ensure_debian_packages dataset-fashion-mnist
ensure_dotnet
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# Ingest steps read only below these directories on the coordinator's host (docs/pipelines.md).
export Pipelines__IngestRoots__0=/usr/share/datasets

echo "==> building"
for project in src/MlOps.Cli src/MlOps.Coordinator src/MlOps.Agent; do
  dotnet build "$project" -c Release -nologo -clp:ErrorsOnly
done
cli=(dotnet artifacts/bin/MlOps.Cli/release/mlops.dll)
mlops() { "${cli[@]}" "$@"; }

data_dir=${MLOPS_DEMO_DIR:-$(mktemp -d -t mlops-pipeline-XXXXXX)}
start_local_cluster "$data_dir"
pipeline=examples/pipelines/fashion-mnist.yaml

echo; echo "==> first run: every step runs"
mlops pipeline run "$pipeline" --watch
echo; echo "==> the same again: nothing changed, so everything but the deploy step comes from the cache"
mlops pipeline run "$pipeline" --watch
echo; echo "==> one more epoch: train and the steps after it run again"
mlops pipeline run "$pipeline" --param epochs=6 --watch

echo; echo "==> the runs, the last one in full, and what they produced"
mlops pipeline ls fashion-mnist
last=$(mlops pipeline ls fashion-mnist --output json | grep -o '"id": *"p-[0-9a-z]*"' | head -1 | grep -o 'p-[0-9a-z]*')
mlops pipeline show "$last"
mlops data ls
mlops model versions fashion-mlp
mlops deployments

stop_cluster
trap - EXIT
echo
echo "pipeline demo finished in $(( $(date +%s) - started )) s; cluster log: $cluster_log"
