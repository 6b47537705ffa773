// AttributeProto as protobuf objects: the attribute types (code, name, the field holding the
// value) in one table, and the encoder the model builder and the fuzz mutator share.
import { TensorData } from '../../ir/tensor.js';
import { tensorObject } from './tensorProto.js';

/** AttributeProto.AttributeType: code → kind name and the field its value lives in. */
export const ATTR_TYPES = {
  1: ['float', 'f'], 2: ['int', 'i'], 3: ['string', 's'], 4: ['tensor', 't'], 5: ['graph', 'g'],
  6: ['floats', 'floats'], 7: ['ints', 'ints'], 8: ['strings', 'strings'], 9: ['tensors', 'tensors'], 10: ['graphs', 'graphs'],
} as const;
export type AttrCode = keyof typeof ATTR_TYPES;

/** The JavaScript value each kind takes (a graph is a GraphProto object). */
export interface AttrValues {
  float: number; int: number | bigint; string: string; tensor: TensorData; graph: object;
  floats: number[]; ints: (number | bigint)[]; strings: string[]; tensors: TensorData[]; graphs: object[];
}
export type AttrKind = keyof AttrValues;

const CODES = Object.fromEntries(Object.entries(ATTR_TYPES).map(([c, [k]]) => [k, Number(c)])) as Record<AttrKind, AttrCode>;
const utf8 = new TextEncoder();

/** The kind name of an attribute type code (undefined for codes onnxc does not encode). */
export const attrKind = (code: number): AttrKind | undefined => ATTR_TYPES[code as AttrCode]?.[0];

/** List kinds whose elements are encoded one by one (floats and ints go as they are). */
const ELEMENT: Partial<Record<AttrKind, AttrKind>> = { strings: 'string', tensors: 'tensor', graphs: 'graph' };

const encode = (kind: AttrKind, v: unknown): unknown =>
  kind === 'string' ? utf8.encode(v as string) : kind === 'tensor' ? tensorObject(v as TensorData, '') : v;

/** An AttributeProto object `{ name, type, <field>: value }` (strings as UTF-8 bytes, tensors with raw_data). */
export function attrObject<K extends AttrKind>(name: string, kind: K, value: AttrValues[K]): { name: string; type: number } & Record<string, unknown> {
  const code = CODES[kind], el = ELEMENT[kind];
  return { name, type: code, [ATTR_TYPES[code][1]]: el ? (value as unknown[]).map((v) => encode(el, v)) : encode(kind, value) };
}
