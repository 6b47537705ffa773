// crosscheck: an independent decoder (protobufjs) for the .pb files that pbcat reads.
// For each FILE it prints the line pbcat prints ("FILE: ok TYPE [dims] n=N bytes=B fnv=H"),
// or "FILE: string" / "FILE: not-a-tensor" (the test's model.onnx declares a sequence,
// optional or map there). run.sh diffs the two outputs.
// Usage: node crosscheck.mjs FILE...   (FILE = .../TEST/test_data_set_N/{input,output}_K.pb)
import fs from 'node:fs';
import path from 'node:path';
import protobuf from 'protobufjs';

const { root } = protobuf.parse(`
syntax = "proto2";
message TensorProto {
  repeated int64 dims = 1; optional int32 data_type = 2; repeated float float_data = 4;
  repeated int32 int32_data = 5; repeated bytes string_data = 6; repeated int64 int64_data = 7;
  optional string name = 8; optional bytes raw_data = 9; repeated double double_data = 10;
  repeated uint64 uint64_data = 11;
}
message TypeProto { optional TypeProto tensor_type = 1; optional TypeProto sequence_type = 4;
  optional TypeProto map_type = 5; optional TypeProto sparse_tensor_type = 8;
  optional TypeProto optional_type = 9; }
message ValueInfoProto { optional string name = 1; optional TypeProto type = 2; }
message GraphProto { repeated ValueInfoProto input = 11; repeated ValueInfoProto output = 12;
  repeated TensorProto initializer = 5; }
message ModelProto { optional GraphProto graph = 7; }
`);
const Tensor = root.lookupType('TensorProto');
const Model = root.lookupType('ModelProto');

const NAMES = ['undefined', 'float', 'uint8', 'int8', 'uint16', 'int16', 'int32', 'int64',
  'string', 'bool', 'float16', 'double', 'uint32', 'uint64', 'complex64', 'complex128',
  'bfloat16', 'float8e4m3fn', 'float8e4m3fnuz', 'float8e5m2', 'float8e5m2fnuz', 'uint4', 'int4',
  'float4e2m1', 'float8e8m0', 'uint2', 'int2'];
const BITS = [0, 32, 8, 8, 16, 16, 32, 64, 0, 8, 16, 64, 32, 64, 64, 128, 16, 8, 8, 8, 8, 4, 4,
  4, 8, 2, 2];

const modelKinds = new Map(); // test dir -> {input: [...kinds], output: [...kinds]}
function kindsOf(testDir) {
  if (!modelKinds.has(testDir)) {
    const m = Model.decode(fs.readFileSync(path.join(testDir, 'model.onnx')));
    const inits = new Set(m.graph.initializer.map((t) => t.name));
    const kind = (vi) => (vi.type && vi.type.tensorType ? 'tensor' : 'other');
    modelKinds.set(testDir, {
      input: m.graph.input.filter((v) => !inits.has(v.name)).map(kind),
      output: m.graph.output.map(kind),
    });
  }
  return modelKinds.get(testDir);
}

const big = (v) => BigInt(typeof v === 'number' ? v : v.toString());

function dense(t, type, n) {
  if (t.rawData && t.rawData.length) return Buffer.from(t.rawData);
  const bits = BITS[type];
  if (t.floatData.length) return Buffer.from(new Float32Array(t.floatData).buffer);
  if (t.doubleData.length) return Buffer.from(new Float64Array(t.doubleData).buffer);
  const wide = t.int64Data.length ? t.int64Data : t.uint64Data;
  if (wide.length) {
    const w = type === 12 ? 4 : 8;
    const b = Buffer.alloc(wide.length * w);
    wide.forEach((v, i) => (w === 4 ? b.writeUInt32LE(Number(big(v) & 0xffffffffn), i * 4)
      : b.writeBigUInt64LE(BigInt.asUintN(64, big(v)), i * 8)));
    return b;
  }
  const w = bits >= 8 ? bits / 8 : 1;
  const b = Buffer.alloc(t.int32Data.length * w);
  t.int32Data.forEach((v, i) => {
    for (let k = 0; k < w; k++) b[i * w + k] = (v >>> (8 * k)) & 0xff;
  });
  return b;
}

function fnv(buf) {
  let h = 2166136261;
  for (const x of buf) h = Math.imul(h ^ x, 16777619) >>> 0;
  return h.toString(16).padStart(8, '0');
}

function describe(file) {
  const m = /(input|output)_(\d+)\.pb$/.exec(file);
  const kinds = kindsOf(path.dirname(path.dirname(file)));
  if (m && kinds[m[1]][Number(m[2])] !== 'tensor') return 'not-a-tensor';
  const t = Tensor.decode(fs.readFileSync(file));
  if (t.dataType === 8) return 'string';
  const dims = t.dims.map((d) => Number(d));
  const n = dims.reduce((a, b) => a * b, 1);
  const data = dense(t, t.dataType, n);
  return `ok ${NAMES[t.dataType]} [${dims.join(',')}] n=${n} bytes=${data.length} fnv=${fnv(data)}`;
}

for (const file of process.argv.slice(2)) {
  let line;
  try { line = describe(file); } catch (e) { line = `exception ${e.message}`; }
  console.log(`${file}: ${line}`);
}
