#!/usr/bin/env bash
# Checks a GPU node end to end and prints a markdown report (to paste into perf/RESULTS.md). See docs/gpu.md.
#
#   scripts/gpu-check.sh [--bundle DIR] [--data DIR] [--epochs N] [--out REPORT.md] [--cpu-only]
#                        [--seconds S] [--ort-gpu-lib DIR] [--keep]
#
#   1. inventory     nvidia-smi -L and the agent's own inventory (MlOps.Agent --inventory)
#   2. training      the Fashion-MNIST CNN (examples/fashion-mnist-cnn.yaml, N epochs) on a local cluster, with
#                    resources.gpus 1 and 0: seconds per epoch (median of the job's per-epoch metrics) and the ratio
#   3. pytorch       the same CNN, batch size, optimiser, learning rate and epochs in PyTorch, when python3 has torch
#   4. serving       the trained model's ONNX file under the load harness's in-process ONNX Runtime (mlops-loadtest
#                    inprocess), batch 1 and 64, on CPU and on CUDA: samples/s, p50/p99 per batch, the provider used
#   5. unload        the agent loads the model on CUDA and unloads it three times (POST /v2/repository/models/NAME/
#                    load|unload); GPU memory used must come back (within --unload-margin-mib of before the first load,
#                    and no growth from cycle to cycle)
# Each step prints PASS, FAIL or SKIP with its numbers or reason; the exit code is 1 when a step failed.
#
# --bundle DIR   a bundle from scripts/install.sh --publish-to (cli/, coordinator/, agent/, loadtest/): runs without
#                the .NET SDK. Default: the bundle this script sits in, else one published from this checkout.
# --data DIR     Fashion-MNIST IDX files (default /usr/share/datasets/fashion-mnist, Debian's dataset-fashion-mnist)
# --epochs N     training epochs (default 3); --seconds S: measured seconds per serving run (default 5)
# --cpu-only     no GPU steps even when a GPU is present
# --ort-gpu-lib DIR  the runtimes/linux-x64/native folder of Microsoft.ML.OnnxRuntime.Gpu.Linux: its libraries
#                replace the CPU build's in copies of the agent and the load harness, for the CUDA provider
set -euo pipefail
script_dir=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$script_dir/.." && pwd)
command_line="scripts/gpu-check.sh $*"

usage() { sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
fail() { echo "error: $*" >&2; exit 1; }
log() { echo "==> $*" >&2; }

bundle="" data="" epochs=3 out="" cpu_only=false seconds=5 ort_gpu_lib="" keep=false margin_mib=1024
while [ $# -gt 0 ]; do
  case "$1" in
    --bundle) bundle=${2:?--bundle needs a value}; shift 2 ;;
    --data) data=${2:?--data needs a value}; shift 2 ;;
    --epochs) epochs=${2:?--epochs needs a value}; shift 2 ;;
    --out) out=${2:?--out needs a value}; shift 2 ;;
    --seconds) seconds=${2:?--seconds needs a value}; shift 2 ;;
    --ort-gpu-lib) ort_gpu_lib=${2:?--ort-gpu-lib needs a value}; shift 2 ;;
    --unload-margin-mib) margin_mib=${2:?--unload-margin-mib needs a value}; shift 2 ;;
    --cpu-only) cpu_only=true; shift ;;
    --keep) keep=true; shift ;;
    -h|--help) usage ;;
    *) echo "error: unknown argument '$1'" >&2; usage ;;
  esac
done
[[ "$epochs" =~ ^[1-9][0-9]*$ ]] || fail "--epochs must be a positive whole number, got '$epochs'"
[[ "$seconds" =~ ^[0-9]+([.][0-9]+)?$ ]] || fail "--seconds must be a number, got '$seconds'"
[[ "$margin_mib" =~ ^[0-9]+$ ]] || fail "--unload-margin-mib must be a whole number, got '$margin_mib'"

# ---- the bundle ------------------------------------------------------------------------------------------------
if [ -z "$bundle" ] && [ -x "$repo/cli/mlops" ]; then
  bundle=$repo # this script runs from inside a bundle
fi
if [ -z "$bundle" ]; then
  command -v dotnet >/dev/null 2>&1 || fail "no --bundle given and no .NET SDK to make one (scripts/install.sh --publish-to DIR on a build machine)"
  # shellcheck source=scripts/lib.sh
  . "$script_dir/lib.sh"
  # shellcheck source=scripts/lib/bundle.sh
  . "$script_dir/lib/bundle.sh"
  bundle="$repo/artifacts/gpu-check-bundle"
  log "publishing a self-contained bundle into $bundle"
  publish "$bundle" coordinator agent cli loadtest >&2
fi
bundle=$(realpath -m "$bundle")
for exe in cli/mlops coordinator/MlOps.Coordinator agent/MlOps.Agent; do
  [ -x "$bundle/$exe" ] || fail "$bundle/$exe not found: --bundle needs a bundle from scripts/install.sh --publish-to DIR"
done
spec_template="$repo/examples/fashion-mnist-cnn.yaml"
[ -f "$spec_template" ] || fail "$spec_template not found"
if [ -z "$data" ]; then data=/usr/share/datasets/fashion-mnist; fi
[ -d "$data" ] || fail "dataset folder $data not found: install dataset-fashion-mnist (apt) or give --data DIR"
data=$(realpath "$data")

work=$(mktemp -d -t mlops-gpu-check-XXXXXX)
up_pid=""
cleanup() {
  if [ -n "$up_pid" ] && kill -0 "$up_pid" 2>/dev/null; then
    kill -TERM "$up_pid" 2>/dev/null || true
    wait "$up_pid" 2>/dev/null || true
  fi
  if [ "$keep" = true ]; then log "work folder kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# ---- results ---------------------------------------------------------------------------------------------------
rows=() details=() failed=false
result() { # STEP STATUS NUMBERS NOTE
  rows+=("| $1 | **$2** | $3 | $4 |")
  echo "$2  $1: $3${4:+ ($4)}" >&2
  [ "$2" != FAIL ] || failed=true
}
detail() { details+=("$1"); }
median() { sort -g | awk '{a[NR]=$1} END {if (NR == 0) exit; if (NR % 2) print a[(NR+1)/2]; else printf "%.4f\n", (a[NR/2]+a[NR/2+1])/2}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

# ---- 1. inventory ----------------------------------------------------------------------------------------------
gpu=false gpu_names="none" driver="n/a" cuda_version="n/a"
log "1. inventory"
if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >"$work/nvidia-smi-L.txt" 2>&1 && grep -q '^GPU ' "$work/nvidia-smi-L.txt"; then
  gpu_count=$(grep -c '^GPU ' "$work/nvidia-smi-L.txt")
  gpu_names=$(nvidia-smi --query-gpu=name,memory.total --format=csv,noheader | paste -sd ';' -)
  driver=$(nvidia-smi --query-gpu=driver_version --format=csv,noheader | head -1)
  cuda_version=$(nvidia-smi | grep -o 'CUDA Version: *[0-9.]*' | grep -o '[0-9.]*$' || echo "n/a")
  if [ "$cpu_only" = true ]; then
    result "1 inventory: nvidia-smi" PASS "$gpu_count GPU(s): $gpu_names" "--cpu-only: GPU steps not run"
  else
    gpu=true
    result "1 inventory: nvidia-smi" PASS "$gpu_count GPU(s): $gpu_names" "driver $driver, CUDA $cuda_version"
  fi
else
  result "1 inventory: nvidia-smi" SKIP "no GPU" "$(command -v nvidia-smi >/dev/null 2>&1 && echo "nvidia-smi -L lists none" || echo "nvidia-smi not installed")"
fi
# The entry point's name, UTF-16 in the assembly's string heap: an agent without it would start as a service instead.
if LC_ALL=C grep -qaP -- '-\x00-\x00i\x00n\x00v\x00e\x00n\x00t\x00o\x00r\x00y\x00' "$bundle/agent/MlOps.Agent.dll" 2>/dev/null; then
  if timeout 60 "$bundle/agent/MlOps.Agent" --inventory >"$work/inventory.json" 2>"$work/inventory.err" && grep -q '^[[:space:]]*[[{]' "$work/inventory.json"; then
    agent_gpus=$(grep -o '"model" *: *"[^"]*"' "$work/inventory.json" | sed 's/.*: *"//; s/"$//' | paste -sd ';' - || true)
    unhealthy=$(grep -c '"healthy" *: *false' "$work/inventory.json" || true)
    status=PASS
    if { [ "$gpu" = true ] && [ -z "$agent_gpus" ]; } || [ "$unhealthy" -gt 0 ]; then status=FAIL; fi
    result "1 inventory: agent" "$status" "${agent_gpus:-no GPU}" "MlOps.Agent --inventory; $unhealthy unhealthy"
    detail "Agent inventory: \`$(tr -s ' \n' ' ' <"$work/inventory.json" | cut -c1-600)\`"
  else
    result "1 inventory: agent" FAIL "-" "MlOps.Agent --inventory failed: $(tail -1 "$work/inventory.err" 2>/dev/null)"
  fi
else
  result "1 inventory: agent" SKIP "-" "this agent has no --inventory entry"
fi

# ---- a local cluster from the bundle ---------------------------------------------------------------------------
mlops() { "$bundle/cli/mlops" "$@"; }
free_port() {
  local port=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  echo "$port"
}
port=$(free_port 17070) rest_port=$(free_port 18000)
grpc_port=$(free_port $((rest_port + 1)))
export MLOPS_COORDINATOR="http://127.0.0.1:$port"
export MLOPS_COORDINATOR_PATH="$bundle/coordinator/MlOps.Coordinator"
export MLOPS_AGENT_PATH="$bundle/agent/MlOps.Agent"
if [ -n "$ort_gpu_lib" ]; then
  # Copies (hard links, each replaced file unlinked first) of the agent and the harness with the GPU build of ONNX Runtime.
  [ -f "$ort_gpu_lib/libonnxruntime.so" ] || fail "--ort-gpu-lib $ort_gpu_lib has no libonnxruntime.so"
  for component in agent loadtest; do
    [ -d "$bundle/$component" ] || continue
    cp -al "$bundle/$component" "$work/$component" 2>/dev/null || cp -a "$bundle/$component" "$work/$component"
    native=$(dirname "$(find "$work/$component" -name libonnxruntime.so | head -1)")
    for lib in "$ort_gpu_lib"/libonnxruntime*.so*; do
      rm -f "$native/$(basename "$lib")"
      cp "$lib" "$native/"
    done
  done
  export MLOPS_AGENT_PATH="$work/agent/MlOps.Agent"
fi
# CUDA libraries from a PyTorch wheel (nvidia/*/lib), when the system has none on its search path.
if [ "$gpu" = true ] && ! ldconfig -p 2>/dev/null | grep -q 'libcublasLt.so.13'; then
  if nv=$(python3 -c 'import nvidia, os; print(os.path.dirname(nvidia.__path__[0] + "/x"))' 2>/dev/null); then
    extra=$(find "$nv" -maxdepth 2 -type d -name lib | paste -sd ':' -)
    if [ -n "$extra" ]; then export LD_LIBRARY_PATH="$extra${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"; detail "CUDA libraries from PyTorch's wheel: $extra"; fi
  fi
fi
# The agent serves on CUDA when it can (falls back to CPU, logged); mlops up passes the environment on.
export Agent__Serving__Host__ExecutionProvider=Auto
cluster_log="$work/cluster.log"
log "starting a local cluster on $MLOPS_COORDINATOR from $bundle"
"$bundle/cli/mlops" up --data-dir "$work/cluster" --port "$port" --rest-port "$rest_port" --grpc-port "$grpc_port" >"$cluster_log" 2>&1 &
up_pid=$!
for _ in $(seq 1 120); do
  grep -q "cluster ready" "$cluster_log" 2>/dev/null && break
  kill -0 "$up_pid" 2>/dev/null || { cat "$cluster_log" >&2; fail "the local cluster did not start"; }
  sleep 1
done
grep -q "cluster ready" "$cluster_log" || { cat "$cluster_log" >&2; fail "the local cluster was not ready within 120 s"; }
mlops data push fashion-mnist "$data" >"$work/data-push.txt" 2>&1 || { cat "$work/data-push.txt" >&2; fail "mlops data push $data failed"; }

# ---- 2. training -----------------------------------------------------------------------------------------------
# Writes the example CNN spec named $1 with $2 GPUs, the epoch count and every core of this node for the job.
write_spec() {
  sed -e "s/^name: .*/name: $1/" -e "s/^  epochs: .*/  epochs: $epochs/" -e "s/^  cpu_cores: .*/  cpu_cores: $(nproc)/" \
    -e '/^  memory_mb:/d' "$spec_template" >"$work/$1.yaml"
  echo "  gpus: $2" >>"$work/$1.yaml"
}
declare -A seconds_per_epoch model_of serving_b64
train() { # NAME GPUS LABEL
  local name=$1 gpus=$2 label=$3 watch="$work/$1.watch.log" spe acc device
  write_spec "$name" "$gpus"
  log "2. training $label: $epochs epoch(s), resources.gpus $gpus"
  if ! timeout "${MLOPS_GPU_CHECK_JOB_TIMEOUT:-3600}" "$bundle/cli/mlops" submit "$work/$name.yaml" --watch >"$watch" 2>&1; then
    result "2 training: $label" FAIL "-" "job did not succeed: $(grep -E 'state|error' "$watch" | tail -1 | cut -c1-200)"
    return
  fi
  spe=$(grep -o 'metrics epoch [0-9]*: .*' "$watch" | grep -o 'epoch_seconds=[0-9.]*' | cut -d= -f2 | median || true)
  acc=$(grep -o 'test_accuracy: [0-9.]*' "$watch" | tail -1 | awk '{print $2}' || true)
  device=$(grep -oiE '(on|device:?) (cuda[:0-9]*|[0-9]+ thread\(s\))' "$watch" | head -1 || true)
  if [ -z "$spe" ]; then
    result "2 training: $label" FAIL "-" "no epoch_seconds metric in the job's progress"
    return
  fi
  seconds_per_epoch[$label]=$spe model_of[$label]=$name
  result "2 training: $label" PASS "$spe s/epoch (median of $epochs), test accuracy ${acc:-n/a}" "${device:-}"
}
if [ "$gpu" = true ]; then
  train gc-cnn-gpu 1 GPU
fi
train gc-cnn-cpu 0 CPU
if [ -n "${seconds_per_epoch[GPU]:-}" ] && [ -n "${seconds_per_epoch[CPU]:-}" ]; then
  detail "Training speed-up GPU vs CPU (s/epoch CPU ÷ GPU): **$(ratio "${seconds_per_epoch[CPU]}" "${seconds_per_epoch[GPU]}")x**"
fi
[ "$gpu" = true ] || result "2 training: GPU" SKIP "-" "$([ "$cpu_only" = true ] && echo "--cpu-only" || echo "no GPU")"

# ---- 3. PyTorch baseline ---------------------------------------------------------------------------------------
log "3. PyTorch baseline"
if python3 -c "import torch" >/dev/null 2>&1; then
  device=cpu
  [ "$gpu" = true ] && device=cuda
  if python3 "$script_dir/gpu-check/pytorch_baseline.py" --data "$data" --epochs "$epochs" --batch-size 128 --lr 0.001 \
    --device "$device" --threads "$(nproc)" >"$work/pytorch.json" 2>"$work/pytorch.err"; then
    pt_spe=$(grep -o '"median_epoch_seconds": [0-9.]*' "$work/pytorch.json" | awk '{print $2}' || true)
    pt_acc=$(grep -o '"test_accuracy": [0-9.]*' "$work/pytorch.json" | awk '{print $2}' || true)
    ours=${seconds_per_epoch[$([ "$gpu" = true ] && echo GPU || echo CPU)]:-}
    result "3 pytorch: $device" PASS "$pt_spe s/epoch, test accuracy $pt_acc" \
      "ours ÷ PyTorch s/epoch: $( [ -n "$ours" ] && ratio "$ours" "$pt_spe" || echo "n/a")"
    detail "PyTorch: \`$(cat "$work/pytorch.json")\`"
  else
    result "3 pytorch: $device" FAIL "-" "$(tail -1 "$work/pytorch.err")"
  fi
else
  result "3 pytorch" SKIP "-" "python3 has no torch"
fi

# ---- 4. serving ------------------------------------------------------------------------------------------------
served_model="${model_of[GPU]:-${model_of[CPU]:-}}"
loadtest="$bundle/loadtest/mlops-loadtest"
[ -z "$ort_gpu_lib" ] || [ ! -x "$work/loadtest/mlops-loadtest" ] || loadtest="$work/loadtest/mlops-loadtest"
log "4. serving (in-process ONNX Runtime under the load harness)"
if [ -z "$served_model" ]; then
  result "4 serving" SKIP "-" "no trained model"
elif [ ! -x "$loadtest" ]; then
  result "4 serving" SKIP "-" "the bundle has no loadtest/ (scripts/install.sh --publish-to makes one with it)"
elif ! mlops model pull "$served_model:1" -o "$work/model" >"$work/pull.txt" 2>&1; then
  result "4 serving" FAIL "-" "mlops model pull $served_model:1: $(tail -1 "$work/pull.txt")"
else
  providers=(cpu)
  [ "$gpu" = true ] && providers+=(cuda)
  for provider in "${providers[@]}"; do
    if "$loadtest" inprocess --onnx "$work/model/model.onnx" --batch 1 --batch 64 --seconds "$seconds" --provider "$provider" \
      >"$work/serving-$provider.txt" 2>&1; then
      numbers=$(awk 'NR > 1 && NF >= 6 { printf "%sbatch %s: %s samples/s, p50 %s ms, p99 %s ms", sep, $1, $2, $3, $4; sep = "; " }' "$work/serving-$provider.txt")
      used=$(awk 'NR > 1 && NF >= 6 { print $6 }' "$work/serving-$provider.txt" | sort -u | paste -sd ',' -)
      threads=$(awk 'NR > 1 && NF >= 6 { print $5 }' "$work/serving-$provider.txt" | head -1)
      result "4 serving: $provider" PASS "$numbers" "provider used: $used, $threads intra-op threads, $served_model, ${seconds} s per batch size"
      serving_b64[$provider]=$(awk 'NR > 1 && $1 == 64 { gsub(",", "", $2); print $2 }' "$work/serving-$provider.txt")
    else
      result "4 serving: $provider" FAIL "-" "$(grep -v '^\s*$' "$work/serving-$provider.txt" | tail -1 | cut -c1-300)"
    fi
  done
  if [ -n "${serving_b64[cuda]:-}" ] && [ -n "${serving_b64[cpu]:-}" ]; then
    detail "Serving speed-up CUDA vs CPU at batch 64 (samples/s): **$(ratio "${serving_b64[cuda]}" "${serving_b64[cpu]}")x**"
  fi
  [ "$gpu" = true ] || result "4 serving: cuda" SKIP "-" "$([ "$cpu_only" = true ] && echo "--cpu-only" || echo "no GPU")"
fi

# ---- 5. unload returns GPU memory ------------------------------------------------------------------------------
rest="http://127.0.0.1:$rest_port"
repository() { # load|unload MODEL: the agent's repository API; prints the HTTP status
  curl -s -o "$work/repository.out" -w '%{http_code}' -X POST "$rest/v2/repository/models/$2/$1" || echo 000
}
wait_unloaded() {
  for _ in $(seq 1 30); do
    curl -s -X POST "$rest/v2/repository/index" | grep -q "\"$1\"" || return 0
    sleep 0.5
  done
}
gpu_used() { nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -i "${CUDA_VISIBLE_DEVICES%%,*}" 2>/dev/null | head -1 || echo 0; }
log "5. unload returns GPU memory"
if [ -z "$served_model" ]; then
  result "5 unload" SKIP "-" "no trained model"
elif ! command -v curl >/dev/null 2>&1; then
  result "5 unload" SKIP "-" "curl not installed"
elif [ "$gpu" != true ]; then
  # No memory to watch, but the agent's load and unload still run, so the step's plumbing is exercised.
  load=$(repository load "$served_model") unload=$(repository unload "$served_model")
  note="no GPU"
  [ "$cpu_only" = false ] || note="--cpu-only"
  if [ "$load" = 200 ] && [ "$unload" = 200 ]; then
    result "5 unload" SKIP "-" "$note; the agent's load and unload answered 200 on CPU"
  else
    result "5 unload" FAIL "-" "$note; the agent's load answered $load, unload $unload: $(cat "$work/repository.out")"
  fi
else
  export CUDA_VISIBLE_DEVICES=${CUDA_VISIBLE_DEVICES:-0}
  before=$(gpu_used) readings=("before $before")
  ok=true loaded_on=""
  for cycle in 1 2 3; do
    status=$(repository load "$served_model")
    [ "$status" = 200 ] || { ok=false; result "5 unload" FAIL "-" "load answered $status: $(cat "$work/repository.out")"; break; }
    sleep 2
    readings+=("loaded#$cycle $(gpu_used)")
    status=$(repository unload "$served_model")
    [ "$status" = 200 ] || { ok=false; result "5 unload" FAIL "-" "unload answered $status: $(cat "$work/repository.out")"; break; }
    wait_unloaded "$served_model"
    sleep 3
    readings+=("unloaded#$cycle $(gpu_used)")
  done
  loaded_on=$(grep -o "Model $served_model version [0-9]* ready on [A-Z]*" "$cluster_log" | tail -1 | awk '{print $NF}' || true)
  if [ "$ok" = true ]; then
    first=$(printf '%s\n' "${readings[@]}" | awk '$1 == "unloaded#1" {print $2}')
    last=$(printf '%s\n' "${readings[@]}" | awk '$1 == "unloaded#3" {print $2}')
    peak=$(printf '%s\n' "${readings[@]}" | awk '$1 ~ /^loaded/ {print $2}' | sort -g | tail -1)
    numbers="MiB used: $(printf '%s, ' "${readings[@]}" | sed 's/, $//')"
    if [ "$loaded_on" != CUDA ]; then
      result "5 unload" FAIL "$numbers" "the agent served on ${loaded_on:-?}, not CUDA (see the cluster log: CUDA libraries or the GPU build of ONNX Runtime missing; --ort-gpu-lib)"
    elif [ $((last - before)) -le "$margin_mib" ] && [ $((last - first)) -le 64 ] && [ "$last" -lt "$peak" ]; then
      result "5 unload" PASS "$numbers" "after 3 cycles within $margin_mib MiB of before (CUDA context), no growth across cycles"
    else
      result "5 unload" FAIL "$numbers" "memory not returned: last unload $last MiB vs before $before (margin $margin_mib), first unload $first"
    fi
  fi
fi

# ---- the report ------------------------------------------------------------------------------------------------
cpu_model=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | sed 's/^ *//' || echo unknown)
memory_gib=$(awk '/MemTotal/ { printf "%.0f", $2 / 1048576 }' /proc/meminfo 2>/dev/null || echo "?")
os_name=$(. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-unknown}" || echo unknown)
{
  echo "## GPU node check ($(hostname), $(date -u +%Y-%m-%d))"
  echo
  echo "- **Date**: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "- **Machine**: $(hostname), $(nproc) cores ($cpu_model), $memory_gib GiB, $os_name"
  echo "- **GPU**: $gpu_names; driver $driver, CUDA $cuda_version"
  echo "- **Bundle**: $bundle (version $(tr -d '[:space:]' <"$bundle/VERSION" 2>/dev/null || echo unknown))"
  echo "- **Dataset**: $data$(grep -o -m1 ': [0-9]* training and [0-9]* test samples' "$work"/*.watch.log 2>/dev/null | head -1 | sed 's/^[^:]*: / (/; s/$/)/')"
  echo "- **Job**: examples/fashion-mnist-cnn.yaml, $epochs epoch(s), batch 128, Adam 0.001 cosine, cpu_cores $(nproc)"
  echo "- **Command**: \`$command_line\`"
  echo
  echo "| step | result | numbers | note |"
  echo "|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  if [ ${#details[@]} -gt 0 ]; then
    echo
    printf -- '- %s\n' "${details[@]}"
  fi
} >"$work/report.md"
cat "$work/report.md"
if [ -n "$out" ]; then cp "$work/report.md" "$out"; log "report written to $out"; fi
[ "$failed" = false ]
