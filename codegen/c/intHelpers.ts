// C helpers for the integer intrinsics (ir/intrinsics.ts): division and remainder that define
// x / 0 and MIN / -1, shifts that define counts past the width, saturating float→int casts.
// One helper per row, named onnxc_<row>; plain C99 that also compiles as C++/CUDA (no UB on any
// input; arithmetic right shift of a negative value is the one implementation-defined step).
import { INT_TYPES, IntT, bitsOf, intRange, signedInt } from '../../ir/intrinsics.js';
import { C_TYPES, literal } from './cstyle.js';

/** Integer types the helpers exist for: the rows' types, and idx (ptrdiff_t, as i64). */
type HelperT = IntT | 'idx';
const CT = (t: HelperT) => C_TYPES[t];
const UT: Record<HelperT, string> = {
  i8: 'uint8_t', i16: 'uint16_t', i32: 'uint32_t', i64: 'uint64_t', u8: 'uint8_t', u16: 'uint16_t', u32: 'uint32_t', u64: 'uint64_t', idx: 'size_t',
};
/** Types C promotes to int (no overflow of the operation itself). */
const small = (t: HelperT) => t !== 'idx' && bitsOf(t) < 32;
const signed = (t: HelperT) => t === 'idx' || signedInt(t);

function divMod(t: HelperT): Record<string, string> {
  const T = CT(t), guard = signed(t) && !small(t);
  return {
    [`onnxc_div_${t}`]: `static inline ${T} onnxc_div_${t}(${T} a, ${T} b) { return b == 0 ? 0 : ${guard ? `b == -1 ? (${T})(0u - (${UT[t]})a) : ` : ''}(${T})(a / b); }`,
    [`onnxc_mod_${t}`]: `static inline ${T} onnxc_mod_${t}(${T} a, ${T} b) { return ${guard ? '(b == 0 || b == -1)' : 'b == 0'} ? 0 : (${T})(a % b); }`,
  };
}

function shifts(t: IntT): Record<string, string> {
  const T = CT(t), U = UT[t], w = bitsOf(t);
  return {
    [`onnxc_shl_${t}`]: `static inline ${T} onnxc_shl_${t}(${T} a, ${T} b) { return (${U})b >= ${w}u ? 0 : (${T})(${U})((${U})a << (${U})b); }`,
    [`onnxc_shr_${t}`]: `static inline ${T} onnxc_shr_${t}(${T} a, ${T} b) { return (${U})b >= ${w}u ? 0 : (${T})(a >> (${U})b); }`,
  };
}

/** Saturating float → integer: NaN 0, beyond the range MIN/MAX (the bound compares exactly:
 * MAX rounds up to a power of two in the float type, so values below it convert in range). */
function toInt(f: 'f32' | 'f64', t: HelperT): string {
  const F = C_TYPES[f], T = CT(t), sfx = f === 'f32' ? 'f' : '';
  const [lo, hi] = t === 'idx' ? ['PTRDIFF_MIN', 'PTRDIFF_MAX'] : intRange(t).map((v) => literal(t, v));
  const [loF, hiF] = t === 'idx' ? [`(${F})PTRDIFF_MIN`, `-(${F})PTRDIFF_MIN`]
    : intRange(t).map((v) => `${(f === 'f32' ? Math.fround(Number(v)) : Number(v)).toFixed(1)}${sfx}`);
  return `static inline ${T} onnxc_${f}_to_${t}(${F} x) { return x != x ? 0 : x <= ${loF} ? ${lo} : x >= ${hiF} ? ${hi} : (${T})x; }`;
}

/** name → C source of every integer-intrinsic helper. */
export const INT_HELPERS: Record<string, string> = {};
for (const t of [...INT_TYPES, 'idx'] as HelperT[]) {
  Object.assign(INT_HELPERS, divMod(t));
  if (t !== 'idx') Object.assign(INT_HELPERS, shifts(t));
  for (const f of ['f32', 'f64'] as const) INT_HELPERS[`onnxc_${f}_to_${t}`] = toInt(f, t);
}
// row dot2_i32: the halves sign-extended through int16_t, the sum added unsigned (wraps, no UB)
INT_HELPERS.onnxc_dot2_i32 = 'static inline int32_t onnxc_dot2_i32(int32_t a, int32_t b) { '
  + 'return (int32_t)((uint32_t)((int32_t)(int16_t)(uint16_t)a * (int16_t)(uint16_t)b) + (uint32_t)((int32_t)(int16_t)(uint16_t)((uint32_t)a >> 16) * (int16_t)(uint16_t)((uint32_t)b >> 16))); }';
