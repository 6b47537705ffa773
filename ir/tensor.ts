// Constant tensors in the compiler: dtype, concrete shape and a typed array of stored elements.
import { DType, byteSize, dtypeInfo } from './dtype.js';
import { bf16ToFloat, floatToBf16, floatToHalf, floatToMini, halfToFloat, miniToFloat } from './floatbits.js';

export type TypedArray =
  | Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | BigInt64Array
  | Uint8Array | Uint16Array | Uint32Array | BigUint64Array;

export interface TensorData {
  dtype: DType;
  shape: number[];
  /** Stored elements; float16/bfloat16 as bits (Uint16Array), float8/4-bit types as bytes (4-bit packed). */
  data: TypedArray;
}

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Typed array constructor holding a dtype's stored elements. */
export function arrayCtor(d: DType): { new (n: number): TypedArray; new (b: ArrayBufferLike, o: number, n: number): TypedArray; BYTES_PER_ELEMENT: number } {
  switch (d) {
    case 'float32': return Float32Array;
    case 'float64': return Float64Array;
    case 'int8': return Int8Array;
    case 'int16': return Int16Array;
    case 'int32': return Int32Array;
    case 'int64': return BigInt64Array as never;
    case 'uint16': case 'float16': case 'bfloat16': return Uint16Array;
    case 'uint32': return Uint32Array;
    case 'uint64': return BigUint64Array as never;
    default: return Uint8Array;
  }
}

export const isPacked4 = (d: DType) => dtypeInfo(d).bits === 4;

export function zeros(dtype: DType, shape: number[]): TensorData {
  const n = numel(shape);
  const C = arrayCtor(dtype);
  return { dtype, shape: [...shape], data: new C(isPacked4(dtype) ? byteSize(dtype, n) : n) };
}

/** Element i as a JS number (int64 beyond 2^53 loses precision; use getBig for exactness). */
export function getNum(t: TensorData, i: number): number {
  const d = t.dtype;
  if (isPacked4(d)) {
    const byte = (t.data as Uint8Array)[i >> 1];
    const nib = i & 1 ? byte >> 4 : byte & 15;
    if (d === 'uint4') return nib;
    if (d === 'int4') return nib >= 8 ? nib - 16 : nib;
    return miniToFloat(d, nib);
  }
  const v = t.data[i];
  switch (d) {
    case 'float16': return halfToFloat(v as number);
    case 'bfloat16': return bf16ToFloat(v as number);
    case 'float8e4m3fn': case 'float8e4m3fnuz': case 'float8e5m2': case 'float8e5m2fnuz':
      return miniToFloat(d, v as number);
    default: return typeof v === 'bigint' ? Number(v) : v;
  }
}

export function getBig(t: TensorData, i: number): bigint {
  const v = t.data[i];
  return typeof v === 'bigint' ? v : BigInt(Math.trunc(getNum(t, i)));
}

/** Stores a number at element i, encoding narrow floats. */
export function setNum(t: TensorData, i: number, v: number): void {
  const d = t.dtype;
  if (isPacked4(d)) {
    const code = d === 'float4e2m1' ? floatToMini(d, v) : v & 15;
    const a = t.data as Uint8Array;
    a[i >> 1] = i & 1 ? (a[i >> 1] & 0x0f) | (code << 4) : (a[i >> 1] & 0xf0) | code;
    return;
  }
  switch (d) {
    case 'float16': t.data[i] = floatToHalf(v); return;
    case 'bfloat16': t.data[i] = floatToBf16(v); return;
    case 'float8e4m3fn': case 'float8e4m3fnuz': case 'float8e5m2': case 'float8e5m2fnuz':
      t.data[i] = floatToMini(d, v); return;
    case 'int64': case 'uint64': (t.data as BigInt64Array)[i] = BigInt(Math.trunc(v)); return;
    case 'bool': t.data[i] = v ? 1 : 0; return;
    default: t.data[i] = v;
  }
}

/** Builds a tensor from plain values. */
export function tensorFrom(dtype: DType, shape: number[], values: ArrayLike<number | bigint>): TensorData {
  const t = zeros(dtype, shape);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v === 'bigint') {
      if (dtype === 'int64' || dtype === 'uint64') (t.data as BigInt64Array)[i] = v;
      else setNum(t, i, Number(v));
    } else setNum(t, i, v);
  }
  return t;
}

/** All elements as numbers (shape-like int tensors, attributes, small constants). */
export function toNumbers(t: TensorData): number[] {
  const n = numel(t.shape);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = getNum(t, i);
  return out;
}

/** Raw little-endian bytes of the stored elements (a view, not a copy). */
export function tensorBytes(t: TensorData): Uint8Array {
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}
