// Values that are not plain tensors, as ONNX's test data and `onnxc run` hold them: a
// SequenceProto of tensors or an OptionalProto of a tensor or such a sequence. Read into a
// Layout (ir/graph.ts) plus its tensors in order, the way a program takes and returns them,
// and written back from the same.
import { CompileError } from '../../ir/errors.js';
import { Layout, layoutLeaves } from '../../ir/graph.js';
import { TensorData } from '../../ir/tensor.js';
import { OptionalProto, PTensor, SequenceProto } from './schema.js';
import { decodeTensor, parseTensor, tensorObject } from './tensorProto.js';

/** A value read from a file: what it holds and its tensors in order. */
export interface ValueData { layout: Layout; tensors: TensorData[] }

/** The kinds of value a graph input or output is declared as. */
export type ValueKind = 'tensor' | 'sequence' | 'optional';

// ONNX's SequenceProto/OptionalProto elem_type codes
const TENSOR = 1, SEQUENCE = 3;

interface PSeq { elem_type?: number; tensor_values?: PTensor[] }
interface POpt { elem_type?: number; tensor_value?: PTensor | null; sequence_value?: PSeq | null }

const typeOf = (t: TensorData) => ({ dtype: t.dtype, shape: t.shape });

function sequenceValue(p: PSeq, what: string): ValueData {
  if (p.elem_type && p.elem_type !== TENSOR) throw new CompileError(`${what}: only sequences of tensors are supported (elem_type ${p.elem_type})`);
  const tensors = (p.tensor_values ?? []).map((t) => decodeTensor(t));
  return { layout: { sequence: tensors.map(typeOf) }, tensors };
}

function decode<T>(type: typeof SequenceProto, bytes: Uint8Array, what: string): T {
  try {
    return type.decode(bytes) as T;
  } catch (e) {
    throw new CompileError(`${what}: not a valid ${type.name} (${(e as Error).message})`);
  }
}

/** Reads a serialized value of the given kind (a TensorProto, SequenceProto or OptionalProto). */
export function parseValue(bytes: Uint8Array, kind: ValueKind, what: string): ValueData {
  if (kind === 'tensor') {
    const t = parseTensor(bytes, what);
    return { layout: { tensor: typeOf(t) }, tensors: [t] };
  }
  if (kind === 'sequence') return sequenceValue(decode<PSeq>(SequenceProto, bytes, what), what);
  const p = decode<POpt>(OptionalProto, bytes, what);
  if (p.tensor_value) {
    const t = decodeTensor(p.tensor_value);
    return { layout: { optional: { tensor: typeOf(t) } }, tensors: [t] };
  }
  if (p.sequence_value) {
    const s = sequenceValue(p.sequence_value, what);
    return { layout: { optional: s.layout }, tensors: s.tensors };
  }
  if (p.elem_type && p.elem_type !== TENSOR && p.elem_type !== SEQUENCE) throw new CompileError(`${what}: only optionals of tensors and sequences are supported (elem_type ${p.elem_type})`);
  return { layout: { optional: null }, tensors: [] };
}

/** The decoded sequence file's tensors (ONNX's sequence test data). */
export function parseSequence(bytes: Uint8Array, what = 'sequence file'): TensorData[] {
  return parseValue(bytes, 'sequence', what).tensors;
}

/** Serializes a value of layout l whose tensors are `tensors` (in order) as a SequenceProto
 * or OptionalProto (a tensor: TensorProto) named `name`. */
export function encodeValue(l: Layout, tensors: TensorData[], name: string): Uint8Array {
  if (tensors.length !== layoutLeaves(l).length) throw new Error(`internal: ${tensors.length} tensors for a value of ${layoutLeaves(l).length}`);
  const seq = (ts: TensorData[]) => ({ name, elem_type: TENSOR, tensor_values: ts.map((t, i) => tensorObject(t, `${name}_${i}`)) });
  if ('tensor' in l) return encodeMessage('TensorProto', tensorObject(tensors[0], name));
  if ('sequence' in l) return encodeMessage('SequenceProto', seq(tensors));
  const inner = l.optional;
  const msg = !inner ? { name, elem_type: 0 }
    : 'tensor' in inner ? { name, elem_type: TENSOR, tensor_value: tensorObject(tensors[0], name) }
    : { name, elem_type: SEQUENCE, sequence_value: seq(tensors) };
  return encodeMessage('OptionalProto', msg);
}

function encodeMessage(type: string, obj: object): Uint8Array {
  const T = SequenceProto.root.lookupType(`onnx.${type}`);
  return T.encode(T.fromObject(obj)).finish();
}

/** The kind a value is declared as. */
export const kindOf = (v: { sequence?: boolean; optional?: boolean }): ValueKind => (v.sequence ? 'sequence' : v.optional ? 'optional' : 'tensor');

/** The kind of value a layout describes. */
export const layoutKind = (l: Layout): ValueKind => ('tensor' in l ? 'tensor' : 'sequence' in l ? 'sequence' : 'optional');

/** "float32[2x3]", "a sequence of 2 (float32[2], float32[3])", "an empty optional"… */
export function describeLayout(l: Layout): string {
  if ('tensor' in l) return `${l.tensor.dtype}[${l.tensor.shape.join('x')}]`;
  if ('sequence' in l) return `a sequence of ${l.sequence.length}${l.sequence.length ? ` (${l.sequence.map((t) => describeLayout({ tensor: t })).join(', ')})` : ''}`;
  return l.optional ? `an optional holding ${describeLayout(l.optional)}` : 'an empty optional';
}
