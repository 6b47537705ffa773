// Tensor element types: one table row per ONNX TensorProto.DataType, with storage size,
// the kernel-IR scalar type used to compute on it, and the typed array that holds it in JS.

/** Element type of a tensor (ONNX names, lower-cased). */
export type DType =
  | 'float32' | 'float64' | 'float16' | 'bfloat16'
  | 'int8' | 'int16' | 'int32' | 'int64' | 'uint8' | 'uint16' | 'uint32' | 'uint64' | 'bool'
  | 'float8e4m3fn' | 'float8e4m3fnuz' | 'float8e5m2' | 'float8e5m2fnuz'
  | 'int4' | 'uint4' | 'float4e2m1' | 'float8e8m0' | 'uint2' | 'int2' | 'string' | 'complex64' | 'complex128';

/** Scalar types of the kernel IR. `idx` is the loop/address integer of the target. */
export type Scalar = 'f32' | 'f64' | 'i8' | 'i16' | 'i32' | 'i64' | 'u8' | 'u16' | 'u32' | 'u64' | 'bool' | 'idx';

export interface DTypeInfo {
  dtype: DType;
  onnx: number;       // TensorProto.DataType
  bits: number;       // storage bits per element (0 = unsupported storage)
  compute: Scalar | null; // scalar type kernels compute in (null: not computable)
  float: boolean;
  signed: boolean;
}

const rows: [DType, number, number, Scalar | null, boolean, boolean][] = [
  ['float32', 1, 32, 'f32', true, true],
  ['uint8', 2, 8, 'u8', false, false],
  ['int8', 3, 8, 'i8', false, true],
  ['uint16', 4, 16, 'u16', false, false],
  ['int16', 5, 16, 'i16', false, true],
  ['int32', 6, 32, 'i32', false, true],
  ['int64', 7, 64, 'i64', false, true],
  ['string', 8, 0, null, false, false],
  ['bool', 9, 8, 'bool', false, false],
  ['float16', 10, 16, 'f32', true, true],
  ['float64', 11, 64, 'f64', true, true],
  ['uint32', 12, 32, 'u32', false, false],
  ['uint64', 13, 64, 'u64', false, false],
  ['complex64', 14, 0, null, false, true],
  ['complex128', 15, 0, null, false, true],
  ['bfloat16', 16, 16, 'f32', true, true],
  ['float8e4m3fn', 17, 8, 'f32', true, true],
  ['float8e4m3fnuz', 18, 8, 'f32', true, true],
  ['float8e5m2', 19, 8, 'f32', true, true],
  ['float8e5m2fnuz', 20, 8, 'f32', true, true],
  ['uint4', 21, 4, 'u8', false, false],
  ['int4', 22, 4, 'i8', false, true],
  ['float4e2m1', 23, 4, 'f32', true, true],
  ['float8e8m0', 24, 8, 'f32', true, false],
  ['uint2', 25, 2, 'u8', false, false],
  ['int2', 26, 2, 'i8', false, true],
];

const byName = new Map<DType, DTypeInfo>();
const byOnnx = new Map<number, DTypeInfo>();
for (const [dtype, onnx, bits, compute, float, signed] of rows) {
  const info = { dtype, onnx, bits, compute, float, signed };
  byName.set(dtype, info);
  byOnnx.set(onnx, info);
}

/** Table row of a dtype. */
export function dtypeInfo(d: DType): DTypeInfo {
  return byName.get(d)!;
}

/** DType for an ONNX TensorProto.DataType code, or undefined. */
export function dtypeFromOnnx(code: number): DType | undefined {
  return byOnnx.get(code)?.dtype;
}

export function onnxCode(d: DType): number {
  return dtypeInfo(d).onnx;
}

/** Bytes needed to store n elements (sub-byte types are packed). */
export function byteSize(d: DType, n: number): number {
  return Math.ceil((dtypeInfo(d).bits * n) / 8);
}

export const isFloat = (d: DType) => dtypeInfo(d).float;
export const isInt = (d: DType) => !dtypeInfo(d).float && d !== 'bool' && d !== 'string';
export const isSigned = (d: DType) => dtypeInfo(d).signed;

/** Types stored in a different format than they are computed in (conversion on load/store). */
export function isConverted(d: DType): boolean {
  const info = dtypeInfo(d);
  return info.compute !== null && storageScalar(d) !== info.compute;
}

/** Scalar type of one stored element (bit pattern holder for converted types). */
export function storageScalar(d: DType): Scalar {
  switch (d) {
    case 'float16': case 'bfloat16': return 'u16';
    case 'float8e4m3fn': case 'float8e4m3fnuz': case 'float8e5m2': case 'float8e5m2fnuz':
    case 'float4e2m1': case 'uint4': case 'int4': return 'u8';
    case 'float8e8m0': case 'uint2': case 'int2': return 'u8';
    default: return dtypeInfo(d).compute ?? 'u8';
  }
}

/** The kernel-IR scalar a dtype is computed in; throws for non-numeric types. */
export function computeScalar(d: DType): Scalar {
  const s = dtypeInfo(d).compute;
  if (!s) throw new Error(`element type ${d} is not supported in kernels`);
  return s;
}

export const scalarIsFloat = (s: Scalar) => s === 'f32' || s === 'f64';
export const scalarIsSigned = (s: Scalar) => s === 'f32' || s === 'f64' || s[0] === 'i';
export const scalarIs64 = (s: Scalar) => s === 'i64' || s === 'u64';
export function scalarBits(s: Scalar): number {
  switch (s) {
    case 'bool': case 'i8': case 'u8': return 8;
    case 'i16': case 'u16': return 16;
    case 'f32': case 'i32': case 'u32': return 32;
    case 'idx': return 32;
    default: return 64;
  }
}
