// TensorProto ↔ TensorData: typed fields, raw_data (zero-copy when aligned) and external data
// confined to the model's folder.
import fs from 'node:fs';
import path from 'node:path';
import { DType, byteSize, dtypeFromOnnx, dtypeInfo, onnxCode } from '../../ir/dtype.js';
import { CompileError } from '../../ir/errors.js';
import { TensorData, TypedArray, arrayCtor, isPacked, numel, setNum, tensorBytes, zeros } from '../../ir/tensor.js';
import { PTensor, TensorProto, int64Big, int64Num } from './schema.js';
import { openRegular, readRange } from './readFile.js';

/** Largest tensor onnxc accepts, in bytes (beyond this no static arena is sensible). */
export const MAX_TENSOR_BYTES = 2 ** 34;

export function checkedNumel(dims: number[], what: string): number {
  let n = 1;
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 0) throw new CompileError(`${what}: invalid dimension ${d}`);
    n *= d;
  }
  if (n > Number.MAX_SAFE_INTEGER) throw new CompileError(`${what}: ${dims.join('x')} elements cannot fit in memory`);
  return n;
}

function viewOf(dtype: DType, bytes: Uint8Array, n: number): TypedArray {
  const C = arrayCtor(dtype);
  const len = isPacked(dtype) ? byteSize(dtype, n) : n;
  if (bytes.byteOffset % C.BYTES_PER_ELEMENT === 0) return new C(bytes.buffer, bytes.byteOffset, len);
  const copy = new Uint8Array(len * C.BYTES_PER_ELEMENT);
  copy.set(bytes.subarray(0, copy.length));
  return new C(copy.buffer, 0, len);
}

function readExternal(p: PTensor, baseDir: string | undefined, nbytes: number, what: string): Uint8Array {
  if (!baseDir) throw new CompileError(`${what}: external data is only allowed in a model file`);
  const kv = new Map((p.external_data ?? []).map((e) => [e.key ?? '', e.value ?? '']));
  const loc = kv.get('location');
  if (!loc) throw new CompileError(`${what}: external data without a location`);
  const root = fs.realpathSync(baseDir);
  const full = path.resolve(root, loc);
  if (path.isAbsolute(loc) || !full.startsWith(root + path.sep))
    throw new CompileError(`${what}: external data '${loc}' is outside the model's folder`);
  let real: string;
  try {
    real = fs.realpathSync(full);
  } catch {
    throw new CompileError(`${what}: external data file '${loc}' not found`);
  }
  if (!real.startsWith(root + path.sep)) throw new CompileError(`${what}: external data '${loc}' is outside the model's folder`);
  const offset = extInt(kv.get('offset') ?? '0', 'offset'), length = kv.has('length') ? extInt(kv.get('length')!, 'length') : nbytes;
  if (length !== nbytes) throw new CompileError(`${what}: external data length is ${length} bytes, the tensor needs ${nbytes}`);
  const { fd, size } = openRegular(real, Number.MAX_SAFE_INTEGER, 'external data');
  try {
    if (offset + length > size) throw new CompileError(`${what}: external data '${loc}' has ${size} bytes, fewer than offset ${offset} + length ${length}`);
    return readRange(fd, offset, length);
  } finally {
    fs.closeSync(fd);
  }

  function extInt(v: string, key: string): number {
    if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw new CompileError(`${what}: external data ${key} '${v}' is not a non-negative integer`);
    return Number(v);
  }
}

/** Decodes a TensorProto message. `baseDir` enables external data inside that folder. */
export function decodeTensor(p: PTensor, baseDir?: string): TensorData {
  const what = `tensor '${p.name ?? ''}'`;
  const dtype = dtypeFromOnnx(p.data_type ?? 0);
  if (!dtype) throw new CompileError(`${what}: unknown element type ${p.data_type}`);
  if (dtype === 'string' || dtypeInfo(dtype).bits === 0) throw new CompileError(`${what}: element type ${dtype} is not supported`);
  const shape = (p.dims ?? []).map(int64Num);
  const n = checkedNumel(shape, what);
  const nbytes = byteSize(dtype, n);
  if (nbytes > MAX_TENSOR_BYTES) throw new CompileError(`${what}: ${shape.join('x')} ${dtype} cannot fit in memory`);
  if (p.data_location === 1) return { dtype, shape, data: viewOf(dtype, readExternal(p, baseDir, nbytes, what), n) };
  if (p.raw_data && p.raw_data.length > 0) {
    if (p.raw_data.length !== nbytes) throw new CompileError(`${what}: raw_data has ${p.raw_data.length} bytes, expected ${nbytes}`);
    return { dtype, shape, data: viewOf(dtype, p.raw_data, n) };
  }
  const t = zeros(dtype, shape);
  const fill = (vals: ArrayLike<number>, field: string) => {
    if (vals.length !== n && !(isPacked(dtype) && vals.length === byteSize(dtype, n)))
      throw new CompileError(`${what}: ${field} has ${vals.length} values, expected ${n}`);
    if (isPacked(dtype) && vals.length !== n) {
      for (let i = 0; i < vals.length; i++) (t.data as Uint8Array)[i] = vals[i];
    } else if (dtype === 'float16' || dtype === 'bfloat16' || dtypeInfo(dtype).bits === 8 && dtypeInfo(dtype).float) {
      for (let i = 0; i < n; i++) t.data[i] = vals[i]; // bit patterns
    } else for (let i = 0; i < n; i++) setNum(t, i, vals[i]);
  };
  if (n === 0) return t;
  if (dtype === 'float32') fill(p.float_data ?? [], 'float_data');
  else if (dtype === 'float64') fill(p.double_data ?? [], 'double_data');
  else if (dtype === 'int64') {
    const v = p.int64_data ?? [];
    if (v.length !== n) throw new CompileError(`${what}: int64_data has ${v.length} values, expected ${n}`);
    for (let i = 0; i < n; i++) (t.data as BigInt64Array)[i] = int64Big(v[i]);
  } else if (dtype === 'uint64' || dtype === 'uint32') {
    const v = p.uint64_data ?? [];
    if (v.length !== n) throw new CompileError(`${what}: uint64_data has ${v.length} values, expected ${n}`);
    for (let i = 0; i < n; i++) {
      const b = BigInt.asUintN(64, int64Big(v[i]));
      if (dtype === 'uint64') (t.data as BigUint64Array)[i] = b; else t.data[i] = Number(b);
    }
  } else fill(p.int32_data ?? [], 'int32_data');
  return t;
}

/** Decodes a serialized TensorProto (.pb file contents). */
export function parseTensor(bytes: Uint8Array, what = 'tensor file'): TensorData & { name: string } {
  let p: PTensor;
  try {
    p = TensorProto.decode(bytes) as unknown as PTensor;
  } catch (e) {
    throw new CompileError(`${what}: not a valid TensorProto (${(e as Error).message})`);
  }
  if (p.data_type === undefined || p.data_type === 0) throw new CompileError(`${what}: not a TensorProto (no element type)`);
  return { ...decodeTensor(p), name: p.name ?? '' };
}

/** Serializes a tensor as a TensorProto with raw_data. */
export function encodeTensor(t: TensorData, name: string): Uint8Array {
  const msg = TensorProto.create({
    dims: t.shape, data_type: onnxCode(t.dtype), name, raw_data: tensorBytes(t),
  } as never);
  return TensorProto.encode(msg).finish();
}

export { numel };
