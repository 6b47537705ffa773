#!/usr/bin/env bash
# The GPU check in one script: ONNX node conformance on the GPU, and resnet18, mobilenet_v2 and
# the transformer of benchmarks/ timed against PyTorch eager fp32 at batch 1 and 32.
#
#   bash benchmarks/gpu.sh prepare   here (Node, npm deps, ../shared/onnx-tests, python3-torchvision):
#                                    builds, exports the models, compiles them and the node cases
#                                    with --target cuda, stages it all in .gpu/ (git-ignored, < 64 MiB)
#   bash benchmarks/gpu.sh run       on the GPU machine (bash, nvcc, gcc, python3 with torch,
#                                    nvidia-smi; no Node): builds and runs everything from .gpu/,
#                                    writes $OUT/RESULTS-gpu.md (default OUT: .gpu-out/), < 8 min
#
# The device tool call: command `bash benchmarks/gpu.sh run`, carry [".gpu"], timeout_s 540.
# Without a GPU (no `nvidia-smi -L`, or ONNXC_GPU_DRY=1), `run` is a dry run: g++ builds against
# the host emulation (runtime-cuda/onnxc_cuda_emu.h), a sample of the cases, the transformer
# only, tiny iteration counts, PyTorch on the CPU. Knobs (environment): ONNXC_GPU_MODELS="resnet18_b1 ...",
# ONNXC_GPU_CONF_EVERY=N (every Nth case), ONNXC_GPU_JOBS, ONNXC_GPU_ITERS, ONNXC_GPU_CONF_SECONDS.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
STAGE=$ROOT/.gpu

prepare() {
  set -e
  local py=/usr/bin/python3
  "$py" -c 'import torch, torchvision' 2>/dev/null || py=python3
  npm run build --silent
  "$py" benchmarks/export_models.py benchmarks/models resnet18 mobilenet_v2 transformer
  "$py" benchmarks/export_models.py benchmarks/models --batch 32 resnet18 mobilenet_v2 transformer
  node dist/benchmarks/gpuPrepare.js "$STAGE"
  echo "staged: $(du -sb "$STAGE" | cut -f1) bytes in $STAGE (carry limit 67108864)"
  echo 'next, on the GPU machine: device run, command "bash benchmarks/gpu.sh run", carry [".gpu"], timeout_s 540'
}

# ---------------------------------------------------------------- run ----

now() { echo $SECONDS; }
log() { printf '[%4ds] %s\n' "$SECONDS" "$*"; }

# unpack FILE.tar.gz into DIR (tar, else python3's tarfile)
untar() {
  mkdir -p "$2"
  tar -xzf "$1" -C "$2" 2>/dev/null || python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$1" "$2"
}
gunzip_to() { gzip -dc "$1" >"$2" 2>/dev/null || python3 -c 'import gzip, shutil, sys; shutil.copyfileobj(gzip.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$1" "$2"; }

# compiles a generated .cu (in its folder, for .incbin) into an executable: cu_build DIR CU EXE EXTRA...
cu_build() {
  local dir=$1 cu=$2 exe=$3
  shift 3
  if [ "$GPU" = 1 ]; then
    (cd "$dir" && nvcc -O2 -arch=native -I. -I"$ROOT/runtime-c" -I"$ROOT/runtime-cuda" "$cu" "$@" -o "$exe")
  else
    local cus=() objs=() f
    for f in "$@"; do case $f in *.cu) cus+=("$f") ;; *) objs+=("$f") ;; esac; done
    (cd "$dir" && g++ -std=c++17 -O1 -w -pthread -I. -I"$ROOT/runtime-c" -I"$ROOT/runtime-cuda" \
      -x c++ "$cu" "${cus[@]}" -x none "${objs[@]}" -lm -o "$exe")
  fi
}

# one conformance case: every build group, every data set; prints one result line. Cases that
# would start after $DEADLINE (epoch seconds) are skipped, so the phase keeps to its cap.
run_case() {
  local case=$1 dir=$WORK/conf/$1 g d exe k why rem
  local -a args pairs
  rem=$((DEADLINE - $(date +%s)))
  if [ "$rem" -le 0 ]; then echo "SKIP $case: time cap"; return; fi
  for g in "$dir"/g*/; do
    g=${g%/}
    exe=$g/model.exe
    if ! why=$(timeout $((rem < 60 ? rem + 30 : 90)) bash -c 'cu_build "$@"' _ "$g" model.cu "$exe" "$WORK/obj/main.o" "$WORK/obj/pb.o" "$WORK/obj/npy.o" 2>&1); then
      echo "BUILD $case: $(echo "$why" | grep -m1 -i error | cut -c1-200)"
      return
    fi
    for d in "$g"/d*/; do
      d=${d%/}
      args=()
      for k in $(ls "$d" | grep -E '^input_[0-9]+\.pb$' | sort -t_ -k2 -n); do args+=(-i "$d/$k"); done
      mkdir -p "$d/out"
      if ! why=$(timeout 60 "$exe" "${args[@]}" -o "$d/out" 2>&1 >/dev/null); then
        echo "FAIL $case: run: $(echo "$why" | tail -1 | cut -c1-200)"
        return
      fi
      pairs=()
      for k in $(ls "$d" | grep -E '^output_[0-9]+\.pb$'); do pairs+=("$d/out/$k" "$d/$k"); done
      if ! why=$("$WORK/obj/pb_compare" "${pairs[@]}" 2>&1); then
        echo "FAIL $case: $(echo "$why" | grep -m1 FAIL | sed "s|$d/out/||" | cut -c1-240)"
        return
      fi
    done
  done
  echo "PASS $case"
}

run() {
  OUT=${OUT:-$ROOT/.gpu-out}
  mkdir -p "$OUT"
  [ -d "$STAGE/models" ] && [ -f "$STAGE/conformance.tar.gz" ] || { echo "error: $STAGE is not staged; run 'bash benchmarks/gpu.sh prepare' first (where Node is)"; return 1; }
  GPU=0
  if [ "${ONNXC_GPU_DRY:-0}" != 1 ] && nvidia-smi -L >/dev/null 2>&1 && command -v nvcc >/dev/null; then GPU=1; fi
  local jobs models every iters warmup maxs conf_s torch_dev py
  if [ "$GPU" = 1 ]; then
    jobs=${ONNXC_GPU_JOBS:-$(nproc)}; every=${ONNXC_GPU_CONF_EVERY:-1}; iters=${ONNXC_GPU_ITERS:-50}; warmup=5; maxs=4
    conf_s=${ONNXC_GPU_CONF_SECONDS:-250}; torch_dev=cuda
    models=${ONNXC_GPU_MODELS:-resnet18_b1 resnet18_b32 mobilenet_v2_b1 mobilenet_v2_b32 transformer_b1 transformer_b32}
  else
    jobs=${ONNXC_GPU_JOBS:-2}; every=${ONNXC_GPU_CONF_EVERY:-64}; iters=${ONNXC_GPU_ITERS:-2}; warmup=1; maxs=1
    conf_s=${ONNXC_GPU_CONF_SECONDS:-300}; torch_dev=cpu
    models=${ONNXC_GPU_MODELS:-transformer_b1 transformer_b32}
  fi
  py=python3
  python3 -c 'import torch' 2>/dev/null || { [ -x /usr/bin/python3 ] && py=/usr/bin/python3; }
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/onnxc-gpu.XXXXXX")
  export WORK GPU ROOT
  export -f cu_build run_case
  local t_all=$SECONDS T_INFO T_CONF T_BENCH T_TORCH

  # ---- machine ----
  log "mode: $([ "$GPU" = 1 ] && echo GPU || echo 'dry run (host emulation)'); work in $WORK; results in $OUT"
  {
    echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "mode: $([ "$GPU" = 1 ] && echo gpu || echo 'dry run: host emulation (no GPU)')"
    echo "gpu: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -1 || true)"
    echo "cuda: $(nvcc --version 2>/dev/null | grep -m1 -o 'release [0-9.]*' || echo none)"
    echo "host compiler: $(gcc --version | head -1)"
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
    echo "torch: $(timeout 60 "$py" -c 'import torch; print(torch.__version__, "cuda", torch.version.cuda, "cudnn", torch.backends.cudnn.version())' 2>/dev/null || echo unavailable)"
    echo "torchvision: $(timeout 60 "$py" -c 'import torchvision; print(torchvision.__version__)' 2>/dev/null || echo 'not installed (built-in copies of the architectures)')"
  } >"$OUT/machine.txt"
  sed 's/^/  /' "$OUT/machine.txt"
  T_INFO=$SECONDS

  # ---- shared objects ----
  mkdir -p "$WORK/obj"
  gcc -std=c99 -O2 -I runtime-c -c runtime-c/onnxc_pb.c -o "$WORK/obj/pb.o" &&
    gcc -std=c99 -O2 -I runtime-c -c runtime-c/onnxc_npy.c -o "$WORK/obj/npy.o" &&
    gcc -std=c99 -O2 -DONNXC_MODEL=model_model -I runtime-c -c runtime-c/onnxc_main.c -o "$WORK/obj/main.o" &&
    gcc -std=c99 -O2 -I runtime-c benchmarks/pb_compare.c "$WORK/obj/pb.o" -lm -o "$WORK/obj/pb_compare" ||
    { echo "error: building the runtime objects failed"; return 1; }

  # ---- model builds, in the background ----
  mkdir -p "$WORK/models"
  local m name
  for m in $models; do
    name=${m%_b*}
    [ -f "$WORK/models/$name.weights.bin" ] || gunzip_to "$STAGE/models/$name.weights.bin.gz" "$WORK/models/$name.weights.bin"
    cp -r "$STAGE/models/$m" "$WORK/models/$m"
    if [ -f "$WORK/models/$m/$name.weights.bin.gz" ]; then gunzip_to "$WORK/models/$m/$name.weights.bin.gz" "$WORK/models/$m/$name.weights.bin"
    else ln -sf "../$name.weights.bin" "$WORK/models/$m/$name.weights.bin"; fi
  done
  (
    for m in $models; do echo "$m"; done | xargs -P 3 -I{} bash -c '
      m={}; name=${m%_b*}; d=$WORK/models/$m; t=$SECONDS
      if cu_build "$d" "$name.cu" bench -DONNXC_CUDA_MODEL=${name}_cuda_model "$ROOT/runtime-cuda/onnxc_cuda_bench.cu" "$WORK/obj/pb.o" >"$d/build.log" 2>&1
      then echo "built $m in $((SECONDS - t)) s"; else echo "BUILD FAILED $m (see build.log)"; fi'
  ) >"$WORK/model_builds.txt" 2>&1 &
  local model_pid=$!

  # ---- conformance ----
  untar "$STAGE/conformance.tar.gz" "$WORK/conf"
  # run order: an even sample first (index mod 8), so a time-capped run is still a fair sample
  awk -v e="$every" 'NF && (NR - 1) % e == 0' "$WORK/conf/CASES" | awk '{ print (NR - 1) % 8, NR, $0 }' | sort -k1,1n -k2,2n | cut -d' ' -f3 >"$WORK/cases.txt"
  local ncases; ncases=$(wc -l <"$WORK/cases.txt")
  log "conformance: $ncases cases, $jobs jobs, cap ${conf_s} s"
  DEADLINE=$(($(date +%s) + conf_s))
  export DEADLINE
  xargs -P "$jobs" -I{} bash -c 'run_case {}' <"$WORK/cases.txt" >"$WORK/conformance.txt" 2>/dev/null
  T_CONF=$SECONDS
  local pass fail build notrun
  pass=$(grep -c '^PASS' "$WORK/conformance.txt"); fail=$(grep -c '^FAIL' "$WORK/conformance.txt"); build=$(grep -c '^BUILD' "$WORK/conformance.txt")
  notrun=$((ncases - pass - fail - build))
  log "conformance done"
  sort -k2 "$WORK/conformance.txt" >"$OUT/conformance.txt"
  echo "conformance: $pass passed, $fail failed, $build did not build, $notrun not run (time cap) of $ncases" | tee "$OUT/conformance-summary.txt"

  # ---- benchmarks: onnxc (one model at a time on the device) ----
  wait "$model_pid"
  cat "$WORK/model_builds.txt"
  : >"$OUT/onnxc.jsonl"; : >"$OUT/check.txt"
  for m in $models; do
    local d=$WORK/models/$m
    [ -x "$d/bench" ] || { echo "{\"model\":\"$m\",\"error\":\"build failed: $(grep -m1 -i error "$d/build.log" | tr -d '"\\' | cut -c1-200)\"}" >>"$OUT/onnxc.jsonl"; continue; }
    mkdir -p "$d/out"
    if ! timeout 60 "$d/bench" --iters "$iters" --warmup "$warmup" --max-seconds "$maxs" --label "$m" -o "$d/out" >>"$OUT/onnxc.jsonl" 2>"$d/bench.err"; then
      echo "{\"model\":\"$m\",\"error\":\"$(tail -1 "$d/bench.err" | tr -d '"\\' | cut -c1-200) (exit or timeout)\"}" >>"$OUT/onnxc.jsonl"
      continue
    fi
    echo "$m $("$WORK/obj/pb_compare" --rtol 1e-3 --atol 1e-4 "$d/out/output_0.pb" "$d/expected_0.pb" | sed "s|$d/out/||")" >>"$OUT/check.txt"
  done
  cat "$OUT/onnxc.jsonl" "$OUT/check.txt"
  T_BENCH=$SECONDS

  # ---- PyTorch ----
  local tm
  tm=$(for m in $models; do echo "${m%_b*}"; done | sort -u | tr '\n' ' ')
  local batches; batches=$(for m in $models; do echo "${m##*_b}"; done | sort -un | paste -sd,)
  timeout 150 "$py" benchmarks/gpu_torch.py --device "$torch_dev" --iters "$iters" --warmup "$warmup" --max-seconds "$maxs" \
    --batches "$batches" $tm >"$OUT/torch.jsonl" 2>"$WORK/torch.err" || { echo "PyTorch: exit $?"; tail -3 "$WORK/torch.err"; }
  cat "$OUT/torch.jsonl"
  T_TORCH=$SECONDS

  # ---- report ----
  {
    echo "seconds: machine $((T_INFO - t_all)), conformance $((T_CONF - T_INFO)), onnxc benchmarks $((T_BENCH - T_CONF)), PyTorch $((T_TORCH - T_BENCH)), total $((T_TORCH - t_all))"
  } >"$OUT/timings.txt"
  "$py" - "$OUT" "$GPU" "$models" <<'PY' || echo "report failed"
import json, os, sys
out, gpu, models = sys.argv[1], sys.argv[2] == "1", sys.argv[3].split()
def jl(f):
    rows = {}
    for line in open(os.path.join(out, f)):
        line = line.strip()
        if line.startswith("{"):
            r = json.loads(line); rows[r["model"]] = r
    return rows
o, t = jl("onnxc.jsonl"), jl("torch.jsonl")
check = {l.split()[0]: l.split(None, 1)[1].strip() for l in open(os.path.join(out, "check.txt")) if l.strip()}
machine = open(os.path.join(out, "machine.txt")).read().strip()
lines = ["# onnxc on the GPU vs PyTorch eager fp32", "", "```", machine, "```", "",
         "onnxc: `runtime-cuda/onnxc_cuda_bench.cu` (weights uploaded once, inputs uploaded once, "
         "each run between two CUDA events on one stream, then synchronized). PyTorch: eager, fp32 "
         "(TF32 off), `torch.inference_mode()`, the same event timing. Milliseconds, median (min) of the runs shown.",
         "" if gpu else "**Dry run in the host emulation: the times are CPU times of the emulation and PyTorch on the CPU, not GPU numbers.**", "",
         "| model | batch | onnxc ms | PyTorch ms | onnxc / PyTorch | runs (onnxc, PyTorch) | onnxc output vs ONNX Runtime (CPU) |",
         "|---|---|---|---|---|---|---|"]
for m in models:
    name, b = m.rsplit("_b", 1)
    a, p = o.get(m, {}), t.get(m, {})
    fa = f"{a['median_ms']:.3f} ({a['min_ms']:.3f})" if "median_ms" in a else a.get("error", "missing")
    fp = f"{p['median_ms']:.3f} ({p['min_ms']:.3f})" if "median_ms" in p else p.get("error", "missing")
    ratio = f"{a['median_ms'] / p['median_ms']:.2f}x" if "median_ms" in a and "median_ms" in p else "-"
    lines.append(f"| {name} | {b} | {fa} | {fp} | {ratio} | {a.get('iters', '-')}, {p.get('iters', '-')} | {check.get(m, '-')} |")
srcs = sorted({p.get("source") for p in t.values() if p.get("source")})
lines += ["", f"PyTorch models: {', '.join(srcs) or '-'}.", "",
          "Conformance (ONNX node cases, built and run on this machine, compared with rtol 1e-3, atol 1e-7): "
          + open(os.path.join(out, "conformance-summary.txt")).read().strip().replace("conformance: ", ""), ""]
fails = [l.rstrip() for l in open(os.path.join(out, "conformance.txt")) if l.startswith(("FAIL", "BUILD"))]
if fails:
    lines += ["Cases that did not pass (all in conformance.txt):", "", "```"] + fails[:60] + (["..."] if len(fails) > 60 else []) + ["```", ""]
lines += ["Timings: " + open(os.path.join(out, "timings.txt")).read().strip(), ""]
open(os.path.join(out, "RESULTS-gpu.md"), "w").write("\n".join(lines))
print("\n".join(lines))
PY
  log "done in $((SECONDS - t_all)) s; results in $OUT"
  [ "${ONNXC_GPU_KEEP:-0}" = 1 ] || rm -rf "$WORK"
}

case "${1:-}" in
  prepare) prepare ;;
  run) run ;;
  *) echo "usage: bash benchmarks/gpu.sh prepare|run" >&2; exit 2 ;;
esac
