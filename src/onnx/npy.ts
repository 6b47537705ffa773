// NumPy .npy ↔ TensorData (format 1.0/2.0/3.0 read, 1.0 written byte-for-byte as numpy.save
// does): little-endian C-order arrays of bool, int8..int64, uint8..uint64, float16/32/64.
import { DType, byteSize } from '../../ir/dtype.js';
import { CompileError } from '../../ir/errors.js';
import { TensorData, arrayCtor, tensorBytes } from '../../ir/tensor.js';
import { MAX_TENSOR_BYTES, checkedNumel } from './tensorProto.js';

/** descr without its byte-order character, per dtype .npy can hold. */
const DESCR: [string, DType][] = [
  ['f4', 'float32'], ['f8', 'float64'], ['f2', 'float16'], ['i1', 'int8'], ['i2', 'int16'], ['i4', 'int32'],
  ['i8', 'int64'], ['u1', 'uint8'], ['u2', 'uint16'], ['u4', 'uint32'], ['u8', 'uint64'], ['b1', 'bool'],
];
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
/** Longest header accepted (the C reader has the same bound). */
export const MAX_NPY_HEADER = 65536;

export const isNpyPath = (f: string) => /\.npy$/i.test(f);

/** Can a tensor of this dtype be written as .npy? */
export const npyDescr = (d: DType): string | undefined => {
  const code = DESCR.find(([, t]) => t === d)?.[0];
  return code && (code[1] === '1' ? '|' : '<') + code;
};

function descrType(d: string, what: string): DType {
  if (d[0] === '>') throw new CompileError(`${what}: big-endian data ('${d}') is not supported`);
  const row = DESCR.find(([c]) => c === d.slice(1));
  if (row && (d[0] === '<' || d[0] === '=' || (d[0] === '|' && d[2] === '1'))) return row[1];
  if (d.includes('O')) throw new CompileError(`${what}: object arrays are not supported`);
  throw new CompileError(`${what}: dtype '${d}' is not supported`);
}

/** The header dict (the subset numpy writes: descr, fortran_order, shape). */
function parseHeader(text: string, what: string): { dtype: DType; shape: number[] } {
  const bad = (why: string) => new CompileError(`${what}: ${why}`);
  if (/'descr'\s*:\s*\[/.test(text)) throw bad('structured arrays are not supported');
  const entry = String.raw`\s*(['"])(descr|fortran_order|shape)\1\s*:\s*('[^'\\]*'|"[^"\\]*"|True|False|\(\s*(?:\d+\s*(?:,\s*\d+\s*)*,?\s*)?\))\s*`;
  const kv = new Map<string, string>();
  const rest = text.replace(new RegExp(entry, 'g'), (_, _q, k: string, v: string) => { kv.set(k, v); return 'E'; });
  if (!/^\s*\{\s*(?:E,)*E?\s*\}\s*$/.test(rest)) throw bad('malformed .npy header dictionary');
  const descr = kv.get('descr'), fortran = kv.get('fortran_order'), shape = kv.get('shape');
  if (descr === undefined || fortran === undefined || shape === undefined) throw bad("header lacks 'descr', 'fortran_order' or 'shape'");
  if (!/^['"]/.test(descr)) throw bad("malformed 'descr'");
  const dtype = descrType(descr.slice(1, -1), what);
  if (fortran === 'True') throw bad('fortran_order arrays are not supported (save a C-order array)');
  if (fortran !== 'False') throw bad("'fortran_order' is not True or False");
  if (!shape.startsWith('(')) throw bad("'shape' is not a tuple");
  const dims = shape.slice(1, -1).split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (dims.some((d) => !Number.isSafeInteger(d))) throw bad('a dimension overflows');
  return { dtype, shape: dims };
}

/** Decodes .npy file contents. */
export function parseNpy(bytes: Uint8Array, what = '.npy file'): TensorData {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new CompileError(`${what}: not a .npy file (bad magic)`);
  const major = bytes[6];
  if (major < 1 || major > 3) throw new CompileError(`${what}: .npy format version ${major}.${bytes[7]} is not supported`);
  const off = major === 1 ? 10 : 12;
  if (bytes.length < off) throw new CompileError(`${what}: truncated .npy header`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hlen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  if (hlen > MAX_NPY_HEADER) throw new CompileError(`${what}: .npy header of ${hlen} bytes is too long`);
  if (bytes.length - off < hlen) throw new CompileError(`${what}: truncated .npy header`);
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(off, off + hlen));
  const { dtype, shape } = parseHeader(text, what);
  const n = checkedNumel(shape, what), nbytes = byteSize(dtype, n);
  if (nbytes > MAX_TENSOR_BYTES) throw new CompileError(`${what}: ${shape.join('x')} ${dtype} cannot fit in memory`);
  const have = bytes.length - off - hlen;
  if (have !== nbytes) throw new CompileError(`${what}: ${have} data bytes, the shape implies ${nbytes}`);
  const C = arrayCtor(dtype);
  const copy = new Uint8Array(nbytes);
  copy.set(bytes.subarray(off + hlen));
  return { dtype, shape, data: new C(copy.buffer, 0, n) };
}

/** Encodes a tensor as .npy (version 1.0, header padded to 64 bytes with spaces and '\n'). */
export function encodeNpy(t: TensorData): Uint8Array {
  const descr = npyDescr(t.dtype);
  if (!descr) throw new CompileError(`element type ${t.dtype} cannot be stored in .npy`);
  const shape = t.shape.length === 1 ? `(${t.shape[0]},)` : `(${t.shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  const total = 64 * (Math.floor((10 + header.length + 1) / 64) + 1);
  header = header.padEnd(total - 11, ' ') + '\n';
  const data = tensorBytes(t);
  const out = new Uint8Array(total + data.length);
  out.set([...MAGIC, 1, 0, (total - 10) & 255, (total - 10) >> 8]);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(data, total);
  return out;
}
