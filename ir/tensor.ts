// Constant tensors in the compiler: dtype, concrete shape and a typed array of stored elements.
import { DType, byteSize, dtypeInfo, isSigned } from './dtype.js';
import { bf16ToFloat, floatToBf16, floatToHalf, floatToMini, halfToFloat, miniToFloat } from './floatbits.js';

export type TypedArray =
  | Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | BigInt64Array
  | Uint8Array | Uint16Array | Uint32Array | BigUint64Array;

export interface TensorData {
  dtype: DType;
  shape: number[];
  /** Stored elements; float16/bfloat16 as bits (Uint16Array), float8 types as bytes, 4- and 2-bit types packed (lowest bits first). */
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
/** Sub-byte types (int4/uint4/float4e2m1, int2/uint2): packed, lowest bits first. */
export const isPacked = (d: DType) => dtypeInfo(d).bits > 0 && dtypeInfo(d).bits < 8;

/** Element i of packed sub-byte storage, as a number. */
export function getPacked(d: DType, a: Uint8Array, i: number): number {
  const bits = dtypeInfo(d).bits, per = 8 / bits, mask = (1 << bits) - 1;
  const code = (a[Math.floor(i / per)] >> ((i % per) * bits)) & mask;
  if (d === 'float4e2m1') return miniToFloat(d, code);
  return isSigned(d) && code > mask >> 1 ? code - mask - 1 : code;
}

/** Stores v at element i of packed sub-byte storage (integers keep their low bits). */
export function setPacked(d: DType, a: Uint8Array, i: number, v: number): void {
  const bits = dtypeInfo(d).bits, per = 8 / bits, mask = (1 << bits) - 1;
  const byte = Math.floor(i / per), shift = (i % per) * bits;
  const code = d === 'float4e2m1' ? floatToMini(d, v) : v & mask;
  a[byte] = (a[byte] & ~(mask << shift)) | (code << shift);
}

export function zeros(dtype: DType, shape: number[]): TensorData {
  const n = numel(shape);
  const C = arrayCtor(dtype);
  return { dtype, shape: [...shape], data: new C(isPacked(dtype) ? byteSize(dtype, n) : n) };
}

/** Element i as a JS number (int64 beyond 2^53 loses precision; use getBig for exactness). */
export function getNum(t: TensorData, i: number): number {
  const d = t.dtype;
  if (isPacked(d)) return getPacked(d, t.data as Uint8Array, i);
  const v = t.data[i];
  switch (d) {
    case 'float16': return halfToFloat(v as number);
    case 'bfloat16': return bf16ToFloat(v as number);
    case 'float8e4m3fn': case 'float8e4m3fnuz': case 'float8e5m2': case 'float8e5m2fnuz': case 'float8e8m0':
      return miniToFloat(d, v as number);
    default: return typeof v === 'bigint' ? Number(v) : v;
  }
}

export function getBig(t: TensorData, i: number): bigint {
  const v = t.data[i];
  return typeof v === 'bigint' ? v : toBig(getNum(t, i));
}

/** Stores a number at element i, encoding narrow floats. */
export function setNum(t: TensorData, i: number, v: number): void {
  const d = t.dtype;
  if (isPacked(d)) return setPacked(d, t.data as Uint8Array, i, v);
  switch (d) {
    case 'float16': t.data[i] = floatToHalf(v); return;
    case 'bfloat16': t.data[i] = floatToBf16(v); return;
    case 'float8e4m3fn': case 'float8e4m3fnuz': case 'float8e5m2': case 'float8e5m2fnuz': case 'float8e8m0':
      t.data[i] = floatToMini(d, v); return;
    case 'int64': case 'uint64': (t.data as BigInt64Array)[i] = toBig(v); return;
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

/** A number as a 64-bit integer, as C's conversion does where it is defined (NaN and ±Inf, undefined in C, give 0). */
function toBig(v: number): bigint {
  return Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n;
}
