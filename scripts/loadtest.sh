#!/usr/bin/env bash
# Load tests for inference. Starts a local cluster (coordinator + one agent, embedded defaults), trains and deploys
# the Fashion-MNIST MLP (two versions, for the rollout) and CNN, then runs the standard scenarios with the harness
# (perf/MlOps.LoadTest): saturation (closed, 1→128 users), latency at 25/50/75 % of saturation (open), the wrk
# cross-check over REST, in-process ONNX Runtime (the limit) and a rollout under load. Results go to
# perf/results/<date>-<commit>/ (JSON, markdown, HTML per model, and machine.txt).
#
#   scripts/loadtest.sh                      the full run (about 15 minutes on 2 cores)
#   scripts/loadtest.sh --quick              short steps: checks everything works (about 4 minutes)
#   scripts/loadtest.sh --grpc URL --rest URL --model NAME[=FILE.onnx] ...
#                                            no cluster: the standard scenarios against running servers
# Other options are passed to 'mlops-loadtest standard' (see: dotnet artifacts/bin/MlOps.LoadTest/release/mlops-loadtest.dll standard --help).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

ensure_debian_packages dataset-fashion-mnist wrk
ensure_dotnet
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

target_mode=0
for arg in "$@"; do [ "$arg" = "--grpc" ] && target_mode=1; done

echo "==> building"
dotnet build perf/MlOps.LoadTest -c Release -nologo -clp:ErrorsOnly
loadtest=(dotnet artifacts/bin/MlOps.LoadTest/release/mlops-loadtest.dll)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
out=${MLOPS_LOADTEST_OUT:-perf/results/$(date -u +%Y-%m-%d)-$commit}

if [ "$target_mode" -eq 1 ]; then
  exec "${loadtest[@]}" standard --commit "$commit" --out "$out" "$@"
fi

dotnet build src/MlOps.Cli -c Release -nologo -clp:ErrorsOnly
dotnet build src/MlOps.Coordinator -c Release -nologo -clp:ErrorsOnly
dotnet build src/MlOps.Agent -c Release -nologo -clp:ErrorsOnly
# Relative, like the rest of the script: the rollout action runs from the repository root too, and the command
# lands in the reports, which must not carry this machine's paths.
cli=(dotnet artifacts/bin/MlOps.Cli/release/mlops.dll)
mlops() { "${cli[@]}" "$@"; }

data_dir=$(mktemp -d -t mlops-loadtest-XXXXXX)
start_local_cluster "$data_dir"
log=$cluster_log

echo "==> training the models to load (short runs: serving cost does not depend on accuracy)"
mlops data push fashion-mnist /usr/share/datasets/fashion-mnist
specs=perf/MlOps.LoadTest/specs
for spec in "$specs/fashion-mlp.yaml" "$specs/fashion-mlp.yaml" "$specs/fashion-cnn.yaml"; do
  mlops submit "$spec" --watch >"$data_dir/train-$(basename "$spec" .yaml).log" || {
    cat "$data_dir/train-$(basename "$spec" .yaml).log"; echo "error: training $spec failed" >&2; exit 1; }
done
mlops model versions fashion-mlp
mlops model versions fashion-cnn

echo "==> deploying fashion-mlp:1 and fashion-cnn, pulling their ONNX files for the in-process limit"
mlops deploy fashion-mlp:1 --wait
mlops deploy fashion-cnn:1 --wait
models=()
for model in fashion-mlp fashion-cnn; do
  mlops model pull "$model:1" -o "$data_dir/$model" >/dev/null
  onnx=$(find "$data_dir/$model" -name '*.onnx' | head -1)
  [ -n "$onnx" ] || { echo "error: no ONNX file in the pulled $model:1" >&2; exit 1; }
  models+=(--model "$model=$onnx")
done

echo "==> running the standard scenarios (results in $out)"
set +e
"${loadtest[@]}" standard --commit "$commit" --out "$out" \
  --grpc "http://127.0.0.1:$grpc_port" --rest "http://127.0.0.1:$rest_port" "${models[@]}" \
  --rollout "fashion-mlp=${cli[*]} deploy fashion-mlp:2 --wait" \
  --min-saturation fashion-mlp=15000 --max-p99-at-half fashion-mlp=10ms \
  --min-inprocess-ratio fashion-cnn=0.7 "$@"
status=$?
set -e
echo "cluster log: $log"
exit $status
