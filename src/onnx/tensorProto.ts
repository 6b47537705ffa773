// TensorProto ↔ TensorData: typed fields, raw_data (zero-copy when aligned) and external data
// (read through an ExternalData function: src/onnx/externalData.ts confines it to the model's folder).
import { DType, byteSize, dtypeFromOnnx, dtypeInfo, onnxCode } from '../../ir/dtype.js';
import { CompileError } from '../../ir/errors.js';
import { TensorData, TypedArray, arrayCtor, isPacked, numel, setNum, tensorBytes, zeros } from '../../ir/tensor.js';
import { PTensor, TensorProto, int64Big, int64Num } from './schema.js';

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

/** Reads a tensor's external data (nbytes of it); src/onnx/externalData.ts reads it from disk. */
export type ExternalData = (p: PTensor, nbytes: number, what: string) => Uint8Array;

/** Decodes a TensorProto message. `external` enables external data (none: it is an error). */
export function decodeTensor(p: PTensor, external?: ExternalData): TensorData {
  const what = `tensor '${p.name ?? ''}'`;
  const dtype = dtypeFromOnnx(p.data_type ?? 0);
  if (!dtype) throw new CompileError(`${what}: unknown element type ${p.data_type}`);
  if (dtype === 'string' || dtypeInfo(dtype).bits === 0) throw new CompileError(`${what}: element type ${dtype} is not supported`);
  const shape = (p.dims ?? []).map(int64Num);
  const n = checkedNumel(shape, what);
  const nbytes = byteSize(dtype, n);
  if (nbytes > MAX_TENSOR_BYTES) throw new CompileError(`${what}: ${shape.join('x')} ${dtype} cannot fit in memory`);
  if (p.data_location === 1) {
    if (!external) throw new CompileError(`${what}: external data is only allowed in a model file`);
    return { dtype, shape, data: viewOf(dtype, external(p, nbytes, what), n) };
  }
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

/** A TensorProto object with raw_data (a view of the tensor's bytes). */
export function tensorObject(t: TensorData, name: string): { dims: number[]; data_type: number; name: string; raw_data: Uint8Array } {
  return { dims: t.shape, data_type: onnxCode(t.dtype), name, raw_data: tensorBytes(t) };
}

/** Serializes a tensor as a TensorProto with raw_data. */
export function encodeTensor(t: TensorData, name: string): Uint8Array {
  return TensorProto.encode(TensorProto.create(tensorObject(t, name) as never)).finish();
}

export { numel };
