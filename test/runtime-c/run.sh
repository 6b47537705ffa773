#!/usr/bin/env bash
# Tests for runtime-c/: builds the .pb reader/writer and onnxc_main.c with hand-written fake
# models (strict warnings, then ASan+UBSan), checks the command-line program, decodes and
# re-encodes every .pb file of the ONNX node tests, and fuzzes the reader and the CLI.
# Usage: test/runtime-c/run.sh        (from anywhere; ONNX_TESTS overrides ../shared/onnx-tests)
set -u
cd "$(dirname "$0")/../.."
T=test/runtime-c
B=$T/build
DATA=${ONNX_TESTS:-../shared/onnx-tests}/node
CC=${CC:-cc}
STRICT="-std=c99 -O2 -Wall -Wextra -Werror -pedantic"
SAN="$STRICT -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
export ASAN_OPTIONS=exitcode=99:detect_leaks=1 UBSAN_OPTIONS=exitcode=99:print_stacktrace=1
export LSAN_OPTIONS=exitcode=99
rm -rf "$B" && mkdir -p "$B/out"
pass=0 fail=0

ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "not ok - $1"; sed 's/^/    /' "$B/err.txt" 2>/dev/null | head -5; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }
# run CMD...: stdout to $B/out.txt, stderr to $B/err.txt, exit status in $rc
run() { "$@" >"$B/out.txt" 2>"$B/err.txt"; rc=$?; }
# fails CODE PATTERN CMD...: CMD exits CODE with one stderr line "error: ...PATTERN..."
fails() {
  local code=$1 pat=$2; shift 2; run "$@"
  [ "$rc" -eq "$code" ] && [ "$(wc -l <"$B/err.txt")" -eq 1 ] && head -1 "$B/err.txt" | grep -q "^error: .*$pat"
}
values() { "$B/pbcat" -v "$1" | sed 's/.*values: *//'; }

build() { # build SUFFIX FLAGS
  local s=$1 flags=$2
  $CC $flags -Iruntime-c -o "$B/pbcat$s" $T/pbcat.c $T/pbcat_values.c $T/pbcat_fuzz.c runtime-c/onnxc_pb.c -lm &&
  $CC $flags -DONNXC_MODEL=fake_model -Iruntime-c -o "$B/fake$s" $T/fake_model.c runtime-c/onnxc_main.c runtime-c/onnxc_pb.c runtime-c/onnxc_npy.c -lm &&
  $CC $flags -DONNXC_MODEL=types_model -Iruntime-c -o "$B/types$s" $T/fake_types.c runtime-c/onnxc_main.c runtime-c/onnxc_pb.c runtime-c/onnxc_npy.c -lm
}
check "build with $STRICT" build "" "$STRICT" 2>"$B/err.txt"
check "build with -fsanitize=address,undefined" build _asan "$SAN" 2>"$B/err.txt"
[ -x "$B/fake_asan" ] || { echo "0 passed, 1 failed"; exit 1; }

# ---- hand-made TensorProto files ----
pb() { printf "$2" >"$B/$1.pb"; }
pb x '\x08\x02\x08\x03\x10\x01\x42\x01x\x22\x18\0\0\0\0\0\0\x80\x3f\0\0\0\x40\0\0\x40\x40\0\0\x80\x40\0\0\xa0\x40'
pb n '\x0a\x01\x04\x10\x07\x42\x01n\x38\x05\x38\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01\x38\x00\x38\xac\x02'
pb bad_n '\x08\x04\x10\x07\x3a\x04\x63\0\0\0'
pb x3 '\x08\x03\x10\x01\x4a\x0c\0\0\0\0\0\0\0\0\0\0\0\0'
pb str '\x08\x01\x10\x08\x32\x02hi'
pb ext '\x08\x01\x10\x01\x6a\x0d\x0a\x08location\x12\x01f\x70\x01'
pb neg '\x08\x02\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01\x10\x01'

# ---- each TensorProto encoding the reader accepts, and some it must reject ----
decodes() { # decodes NAME BYTES EXPECTED-VALUES
  printf "$2" >"$B/v.pb"; run "$B/pbcat_asan" -v "$B/v.pb"
  [ "$rc" -eq 0 ] && [ "$(sed 's/.*values: *//' "$B/out.txt")" = "$3" ]
}
rejects() { # rejects NAME BYTES PATTERN
  printf "$2" >"$B/v.pb"; run "$B/pbcat_asan" -v "$B/v.pb"
  [ "$rc" -eq 1 ] && grep -q "^error: .*$3" "$B/err.txt"
}
D8='\x08\x02'  # dims [2]
check "float_data packed" [ "$(values "$B/x.pb")" = "0 1 2 3 4 5" ]
check "float_data unpacked" decodes f "$D8\x10\x01\x25\0\0\x80\x3f\x25\0\0\0\xc0" "1 -2"
check "double_data packed" decodes d "$D8\x10\x0b\x52\x10\0\0\0\0\0\0\xf8\x3f\0\0\0\0\0\0\xd0\xbf" "1.5 -0.25"
check "double_data unpacked" decodes d "$D8\x10\x0b\x51\0\0\0\0\0\0\xf8\x3f\x51\0\0\0\0\0\0\xd0\xbf" "1.5 -0.25"
check "int64_data unpacked, dims packed" [ "$(values "$B/n.pb")" = "5 -1 0 300" ]
check "int64_data packed" [ "$(values "$B/bad_n.pb")" = "99 0 0 0" ]
check "uint64_data as uint32" decodes u "$D8\x10\x0c\x58\xff\xff\xff\xff\x0f\x58\x07" "4294967295 7"
check "uint64_data as uint64" decodes u '\x08\x01\x10\x0d\x5a\x0a\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01' "18446744073709551615"
check "int32_data as int8" decodes i "$D8\x10\x03\x28\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01\x28\x05" "-1 5"
check "int32_data as float16" decodes h '\x08\x01\x10\x0a\x28\x80\x78' "1"
check "int32_data as bool, packed" decodes b '\x08\x03\x10\x09\x2a\x03\x01\x00\x01' "1 0 1"
check "int32_data as int4" decodes i4 '\x08\x03\x10\x16\x2a\x02\x21\x0f' "1 2 -1"
check "raw_data int16" decodes r "$D8\x10\x05\x4a\x04\xfe\xff\x02\x01" "-2 258"
check "skips doc_string, unknown fields, groups, a Segment" decodes s \
  "\x62\x03doc$D8\x98\x06\x01\x10\x07\xa5\x01abcd\xab\x01\x08\x05\xac\x01\x1a\x04\x08\x00\x10\x02\x38\x01\x38\x02" "1 2"
check "rejects data in the wrong field" rejects w "$D8\x10\x01\x38\x01\x38\x02" "does not store its values in field 7"
check "rejects raw_data of the wrong size" rejects w "$D8\x10\x01\x4a\x04\0\0\0\0" "raw_data has 4 bytes, dims and data_type imply 8"
check "rejects too few entries" rejects w "$D8\x10\x07\x38\x01" "has 1 data entries, dims imply 2"
check "rejects a truncated varint" rejects w '\x08\x02\x08\xff' "malformed protobuf"
check "rejects a length past the end" rejects w '\x08\x01\x10\x01\x4a\x05\0\0\0\0' "malformed protobuf"
check "rejects an overlong varint" rejects w '\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f\x10\x01' "malformed protobuf"
check "rejects a stray end-group" rejects w '\x10\x01\x0c' "malformed protobuf"
check "rejects size overflow" rejects w '\x08\xff\xff\xff\xff\xff\xff\xff\xff\x7f\x08\x10\x10\x01' "overflows"
check "rejects an empty file" rejects w '' "missing data_type"
check "rejects an unknown data_type" rejects w '\x08\x01\x10\x63\x4a\x01\0' "unsupported data_type 99"

for s in "" _asan; do
  P=$B/fake$s
  run "$P" --info
  check "fake$s --info" [ "$rc" -eq 0 -a -n "$(grep -x 'input 0: x float \[2,3\] (24 bytes)' "$B/out.txt")" \
    -a -n "$(grep -x 'arena: 64 bytes' "$B/out.txt")" -a -n "$(grep -x 'output 1: m int64 \[4\] (32 bytes)' "$B/out.txt")" ]
  run "$P" -i "$B/x.pb" --input "$B/n.pb" -o "$B/out"
  check "fake$s runs and writes outputs" [ "$rc" -eq 0 -a -s "$B/out/output_0.pb" -a -s "$B/out/output_1.pb" ]
  check "fake$s output_0 is y = x + 1" [ "$("$B/pbcat" -v "$B/out/output_0.pb")" = "name=y type=float dims=[2,3] values: 1 2 3 4 5 6" ]
  check "fake$s output_1 is m = n" [ "$("$B/pbcat" -v "$B/out/output_1.pb")" = "name=m type=int64 dims=[4] values: 5 -1 0 300" ]
  check "fake$s model status" fails 1 "model returned status 2 (an input differs" "$P" -i "$B/x.pb" -i "$B/bad_n.pb"
  check "fake$s input count" fails 1 "takes 2 input(s), got 1" "$P" -i "$B/x.pb"
  check "fake$s no inputs" fails 1 "takes 2 input(s), got 0" "$P"
  check "fake$s input type" fails 1 "input 0 'x': expected float \[2,3\], got int64 \[4\]" "$P" -i "$B/n.pb" -i "$B/n.pb"
  check "fake$s input dims" fails 1 "input 0 'x': expected float \[2,3\], got float \[3\]" "$P" -i "$B/x3.pb" -i "$B/n.pb"
  check "fake$s missing file" fails 1 "cannot open" "$P" -i "$B/nope.pb" -i "$B/n.pb"
  check "fake$s string input" fails 1 "string tensors are not supported" "$P" -i "$B/str.pb" -i "$B/n.pb"
  check "fake$s external data" fails 1 "external data" "$P" -i "$B/ext.pb" -i "$B/n.pb"
  check "fake$s negative dim" fails 1 "negative dimension" "$P" -i "$B/neg.pb" -i "$B/n.pb"
  run "$P" -i "$B/x.pb" -i "$B/n.pb" -o "$B/nodir$s/a/b/"
  check "fake$s -o creates the folder" [ "$rc" -eq 0 -a -s "$B/nodir$s/a/b/output_0.pb" ]
  check "fake$s -o under a file" fails 1 "cannot create output folder '.*x.pb/sub'" "$P" -i "$B/x.pb" -i "$B/n.pb" -o "$B/x.pb/sub"
  mkdir -p "$B/npy$s"
  run "$P" -i "$B/x.pb" -i "$B/n.pb" -o "$B/npy$s" --output-format npy
  check "fake$s --output-format npy writes numpy's header" [ "$rc" -eq 0 -a "$(head -c 128 "$B/npy$s/output_0.npy" | tail -c +11 | tr -s ' ')" \
    = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), } " -a "$(wc -c <"$B/npy$s/output_1.npy")" -eq 160 ]
  run "$P" -i "$B/npy$s/output_0.npy" -i "$B/n.pb" -o "$B/out"
  check "fake$s reads a .npy input" [ "$rc" -eq 0 -a "$(values "$B/out/output_0.pb")" = "2 3 4 5 6 7" ]
  check "fake$s bad --output-format" fails 2 "--output-format needs pb or npy" "$P" --output-format json
  check "fake$s unknown option" fails 2 "unknown argument '--frobnicate'" "$P" --frobnicate
  check "fake$s missing value" fails 2 "-i needs a value" "$P" -i
  check "fake$s bad --bench" fails 2 "--bench needs a count" "$P" --bench 0
  check "fake$s bad --seed" fails 2 "--seed needs a non-negative integer" "$P" --bench 1 --seed x
  run "$P" --bench 5 --warmup 2
  check "fake$s --bench prints one JSON line" [ "$rc" -eq 0 -a "$(wc -l <"$B/out.txt")" -eq 1 -a -n \
    "$(grep -E '^\{"iters":5,"median_ms":[0-9]+\.[0-9]+,"min_ms":[0-9]+\.[0-9]+,"arena_bytes":64\}$' "$B/out.txt")" ]
  run "$P" --bench 1 -i "$B/x.pb" -i "$B/n.pb" -o "$B/out"
  check "fake$s --bench with inputs" [ "$rc" -eq 0 -a "$(values "$B/out/output_0.pb")" = "1 2 3 4 5 6" ]
done

# ---- --bench inputs are deterministic and in range; every type round-trips through files ----
mkdir -p "$B/s7a" "$B/s7b" "$B/s8" "$B/back"
"$B/types_asan" --bench 1 --seed 7 -o "$B/s7a" >/dev/null 2>"$B/err.txt"
"$B/types" --bench 2 --warmup 0 --seed 7 -o "$B/s7b" >/dev/null 2>>"$B/err.txt"
"$B/types" --bench 1 --seed 8 -o "$B/s8" >/dev/null 2>>"$B/err.txt"
check "types: same seed gives the same inputs" diff -r "$B/s7a" "$B/s7b"
check "types: another seed gives other inputs" [ -n "$(diff -rq "$B/s7a" "$B/s8")" ]
ins=(); for k in $(seq 0 13); do ins+=(-i "$B/s7a/output_$k.pb"); done
run "$B/types_asan" "${ins[@]}" -o "$B/back"
check "types: outputs read back as inputs round-trip" [ "$rc" -eq 0 -a -z "$(diff -r "$B/s7a" "$B/back")" ]
in_range() { # in_range FILE LO HI: all values within [LO,HI)
  values "$1" | tr ' ' '\n' | awk -v lo="$2" -v hi="$3" 'NF && ($1 < lo || $1 >= hi) {bad=1} END {exit bad}'
}
range_ok=1
for k in 0 1 6 7 8 9; do in_range "$B/s8/output_$k.pb" -1 1 || range_ok=0; done
for k in 3 4 10 11 13; do in_range "$B/s8/output_$k.pb" 0 4 || range_ok=0; done
for k in 2 5; do in_range "$B/s8/output_$k.pb" 0 2 || range_ok=0; done
check "types: random floats in [-1,1), ints in 0..3, bools 0/1" [ $range_ok -eq 1 ]
check "types: empty and scalar tensors" [ "$("$B/pbcat" -v "$B/s8/output_12.pb" | cut -d' ' -f1-3)" = "name=empty type=float dims=[0,3]" \
  -a "$("$B/pbcat" -v "$B/s8/output_13.pb" | cut -d' ' -f1-3)" = "name=scalar type=int32 dims=[]" ]

# ---- every .pb of the ONNX node tests: decode, re-encode, decode again ----
if [ -d "$DATA" ]; then
  find "$DATA" -name '*.pb' -print0 | sort -z >"$B/files"
  xargs -0 "$B/pbcat_asan" <"$B/files" >"$B/cat.txt" 2>"$B/err.txt"
  total=$(tr -cd '\0' <"$B/files" | wc -c)
  n_ok=$(grep -c ': ok ' "$B/cat.txt"); n_str=$(grep -c 'string tensors are not supported$' "$B/cat.txt")
  n_seq=$(grep -c 'not a TensorProto (looks like a SequenceProto' "$B/cat.txt")
  n_fail=$(grep -c ': FAIL: ' "$B/cat.txt")
  n_other=$(grep -v ': ok \|string tensors are not supported$\|not a TensorProto (looks like' "$B/cat.txt" | wc -l)
  echo "# $total .pb files: $n_ok decoded and round-tripped, $n_str string tensors," \
       "$n_seq sequence/optional, $n_fail round-trip failures, $n_other other errors"
  grep -v ': ok \|string tensors are not supported$\|not a TensorProto (looks like' "$B/cat.txt" | head -5
  check "all node-test .pb files decode (ASan build)" [ "$(wc -l <"$B/cat.txt")" -eq "$total" -a "$n_fail" -eq 0 \
    -a "$n_other" -eq 0 -a "$n_ok" -gt 5000 -a ! -s "$B/err.txt" ]
  grep ': ok ' "$B/cat.txt" | sed 's/: .*//' | awk 'NR % 20 == 1' >"$B/sample"
  rw_ok=1
  while read -r f; do
    "$B/pbcat" -w "$f" "$B/rw.pb" && [ "$("$B/pbcat" "$B/rw.pb" | sed 's/^[^:]*: //')" = "$(grep -F "$f: " "$B/cat.txt" | sed 's/^[^:]*: //')" ] || { rw_ok=0; echo "# rewrite differs: $f"; }
  done <"$B/sample"
  check "pbcat -w rewrites $(wc -l <"$B/sample") files to identical tensors" [ $rw_ok -eq 1 ]
  if command -v node >/dev/null && [ -d node_modules/protobufjs ]; then
    xargs -0 node $T/crosscheck.mjs <"$B/files" >"$B/cross.txt"
    sed 's/^\([^:]*\): error: .*not a TensorProto.*/\1: not-a-tensor/; s/^\([^:]*\): error: .*string tensors.*/\1: string/' \
      "$B/cat.txt" >"$B/cat.norm"
    diff "$B/cat.norm" "$B/cross.txt" | head -5
    check "every file agrees with an independent decoder (protobufjs + model.onnx types)" diff -q "$B/cat.norm" "$B/cross.txt"
  else
    echo "# skipped the protobufjs cross-check (no node or node_modules/protobufjs)"
  fi
  # ---- fuzzing (ASan): in-process truncations and mutations of every file ----
  run xargs -0 "$B/pbcat_asan" --fuzz 1 100 <"$B/files"
  check "fuzz: $(awk '{ok += $2; rej += $5; bad += $10} END {print ok " decoded ok, " rej " rejected with a message, " bad " bad"}' "$B/out.txt")" \
    [ "$rc" -eq 0 -a ! -s "$B/err.txt" ]
else
  echo "# skipped the node-test files: $DATA not found"
fi
cli_ok=0 cli_bad=0
cli_case() { # cli_case FILE: must be rejected with one error line, exit 1, no sanitizer report
  if fails 1 "" "$B/fake_asan" -i "$1" -i "$B/n.pb"; then cli_ok=$((cli_ok + 1)); else cli_bad=$((cli_bad + 1)); echo "# not rejected cleanly: $(od -An -tx1 "$1" | tr -d " \n" | head -c 80)"; fi
}
for f in x n; do
  len=$(wc -c <"$B/$f.pb")
  for ((i = 0; i < len; i++)); do head -c $i "$B/$f.pb" >"$B/cut.pb"; cli_case "$B/cut.pb"; done
done
for seed in $(seq 1 40); do
  awk -v s="$seed" 'BEGIN { srand(s); n = int(rand() * 64); for (i = 0; i < n; i++) printf "\\%03o", int(rand() * 256) }' \
    | xargs -0 printf '%b' >"$B/rand.pb"
  cli_case "$B/rand.pb"
done
check "CLI rejects $cli_ok truncated/random input files with an error line ($cli_bad not)" [ $cli_bad -eq 0 ]

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
