// A seeded, deterministic mutator for ONNX models: byte-level edits of the serialized bytes and
// structured edits of the decoded ModelProto (attribute types and values, element types, dims,
// op types, opsets, inputs, outputs, initializers). The same (bytes, seed) gives the same mutant.
import { tensorFrom } from '../../../ir/tensor.js';
import { AttrKind, AttrValues, attrKind, attrObject } from '../../onnx/attrProto.js';
import { seededRandom as rng } from '../../onnx/build.js';
import { ModelProto } from '../../onnx/schema.js';

export type Rand = () => number;
const below = (r: Rand, n: number) => Math.floor(r() * n);
const pick = <T>(r: Rand, xs: T[]): T | undefined => (xs.length ? xs[below(r, xs.length)] : undefined);

const INTS = [0, 1, -1, 2, 3, -2, 7, 64, 255, 2 ** 31 - 1, -(2 ** 31), 2 ** 32, 2 ** 40, -(2 ** 40), 2 ** 53];
const FLOATS = [0, -0, 1, -1, 0.5, 1.5, 1e30, -1e30, NaN, Infinity, -Infinity, 1e-40];
const DIMS = [0, 1, 2, 3, 5, 64, 2 ** 31 - 1, 2 ** 40];

// ---- byte level ----
const BYTE_MUTATIONS: [string, (b: Uint8Array, r: Rand) => Uint8Array][] = [
  ['flip bits', (b, r) => { const c = b.slice(); for (let k = 1 + below(r, 4); k > 0; k--) c[below(r, c.length)] ^= 1 << below(r, 8); return c; }],
  ['set byte', (b, r) => { const c = b.slice(); c[below(r, c.length)] = pick(r, [0, 1, 0x7f, 0x80, 0xff, 0x08, 0x10, 0x12, 0x1a])!; return c; }],
  ['delete range', (b, r) => { const i = below(r, b.length), n = 1 + below(r, 16); return concat(b.subarray(0, i), b.subarray(i + n)); }],
  ['duplicate range', (b, r) => { const i = below(r, b.length), n = 1 + below(r, 32); return concat(b.subarray(0, i + n), b.subarray(i)); }],
  ['truncate', (b, r) => b.slice(0, below(r, b.length))],
  ['varint max', (b, r) => { const i = below(r, b.length); return concat(b.subarray(0, i), Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x0f), b.subarray(i + 1)); }],
];

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

// ---- structured ----
/* eslint-disable @typescript-eslint/no-explicit-any */
type M = any;
const nodesOf = (m: M): M[] => m.graph?.node ?? [];
const attrsOf = (m: M): M[] => nodesOf(m).flatMap((n: M) => n.attribute ?? []);
const valueInfos = (m: M): M[] => [...(m.graph?.input ?? []), ...(m.graph?.output ?? [])];
const names = (m: M): string[] => [...new Set([...valueInfos(m).map((v) => v.name), ...nodesOf(m).flatMap((n: M) => [...(n.input ?? []), ...(n.output ?? [])])].filter(Boolean))];

const OPS = ['Add', 'Relu', 'Concat', 'Conv', 'LSTM', 'GRU', 'RoiAlign', 'Gather', 'Reshape', 'Slice', 'Pad', 'Resize', 'Attention',
  'MatMul', 'Softmax', 'TopK', 'Cast', 'Where', 'Expand', 'Tile', 'Einsum', 'Loop', 'If', 'Scan', 'ReduceSum', 'Split', 'NonZero', 'Unknown'];

/** New values per attribute kind (the type stays valid, the value need not). */
const list = <T>(r: Rand, xs: T[]) => Array.from({ length: below(r, 6) }, () => pick(r, xs)!);
const NEW_VALUES: { [K in AttrKind]?: (r: Rand) => AttrValues[K] } = {
  float: (r) => pick(r, FLOATS)!,
  int: (r) => pick(r, INTS)!,
  string: (r) => pick(r, ['', 'x', 'NOTSET', 'SAME_UPPER', 'linear', 'constant', 'reflect', 'ij,jk->ik', 'bidirectional'])!,
  floats: (r) => list(r, FLOATS),
  ints: (r) => list(r, INTS),
  strings: (r) => list(r, ['', 'Relu', 'Tanh', 'x']),
};

/** A new value of the attribute's own type; a tensor attribute gets new dims. */
function mutateAttrValue(m: M, r: Rand): boolean {
  const a = pick(r, attrsOf(m));
  if (!a) return false;
  if (a.type === 4) { if (!a.t) return false; a.t.dims = list(r, DIMS.slice(0, 5)); return true; }
  const kind = attrKind(a.type), make = kind && NEW_VALUES[kind] as ((r: Rand) => never) | undefined;
  if (!kind || !make) return false;
  Object.assign(a, attrObject(a.name, kind, make(r)));
  return true;
}

const STRUCT_MUTATIONS: [string, (m: M, r: Rand) => boolean][] = [
  ['attribute type', (m, r) => { const a = pick(r, attrsOf(m)); if (!a) return false; a.type = 1 + below(r, 10); return true; }],
  ['attribute value', mutateAttrValue],
  ['attribute value', mutateAttrValue],
  ['attribute value', mutateAttrValue],
  ['drop attribute', (m, r) => { const n = pick(r, nodesOf(m).filter((x: M) => x.attribute?.length)); if (!n) return false; n.attribute.splice(below(r, n.attribute.length), 1); return true; }],
  ['add attribute', (m, r) => {
    const n = pick(r, nodesOf(m)), a = pick(r, ['axis', 'axes', 'perm', 'hidden_size', 'kernel_shape', 'pads', 'strides', 'to', 'keepdims', 'mode', 'value', 'direction']);
    if (!n) return false;
    (n.attribute ??= []).push(r() < 0.5 ? attrObject(a!, 'int', pick(r, INTS)!) : attrObject(a!, 'tensor', tensorFrom('float32', [1], [1])));
    return true;
  }],
  ['element type', (m, r) => { const v = pick(r, valueInfos(m)); if (!v?.type?.tensor_type) return false; v.type.tensor_type.elem_type = below(r, 24); return true; }],
  ['dimension', (m, r) => {
    const v = pick(r, valueInfos(m)), d = pick(r, v?.type?.tensor_type?.shape?.dim ?? []) as M;
    if (!d) return false;
    if (r() < 0.2) { delete d.dim_value; d.dim_param = 'N'; } else { delete d.dim_param; d.dim_value = pick(r, DIMS); }
    return true;
  }],
  ['rank', (m, r) => { const v = pick(r, valueInfos(m)), s = v?.type?.tensor_type?.shape; if (!s) return false; if (r() < 0.5) s.dim.pop(); else s.dim.push({ dim_value: 1 + below(r, 3) }); return true; }],
  ['op type', (m, r) => { const n = pick(r, nodesOf(m)); if (!n) return false; n.op_type = pick(r, OPS); return true; }],
  ['drop node input', (m, r) => { const n = pick(r, nodesOf(m).filter((x: M) => x.input?.length)); if (!n) return false; n.input.splice(below(r, n.input.length), 1); return true; }],
  ['blank node input', (m, r) => { const n = pick(r, nodesOf(m).filter((x: M) => x.input?.length)); if (!n) return false; n.input[below(r, n.input.length)] = ''; return true; }],
  ['extra node input', (m, r) => { const n = pick(r, nodesOf(m)), x = pick(r, names(m)); if (!n || !x) return false; (n.input ??= []).push(x); return true; }],
  ['rewire input', (m, r) => { const n = pick(r, nodesOf(m).filter((x: M) => x.input?.length)), x = pick(r, names(m)); if (!n || !x) return false; n.input[below(r, n.input.length)] = x; return true; }],
  ['duplicate output', (m, r) => {
    const ns = nodesOf(m);
    if (!ns.length) return false;
    const src = pick(r, ns), x = pick(r, names(m));
    if (!x) return false;
    if (r() < 0.5) ns.push({ ...src, name: `${src.name || 'node'}_dup`, output: [x] }); else src.output = [x, ...(src.output ?? []).slice(1)];
    return true;
  }],
  ['repeat node', (m, r) => { const ns = nodesOf(m); const n = pick(r, ns); if (!n) return false; const k = 1 + below(r, 3); for (let i = 0; i < k; i++) ns.push({ ...n }); return true; }],
  ['opset', (m, r) => {
    const o = pick(r, m.opset_import ?? []) as M;
    if (!o || r() < 0.2) { m.opset_import = []; return true; }
    o.version = pick(r, [0, 1, 2, 6, 7, 9, 11, 13, 18, 21, 29, -1, 2 ** 40]);
    return true;
  }],
  ['opset domain', (m, r) => { const o = pick(r, m.opset_import ?? []) as M; if (!o) return false; o.domain = pick(r, ['ai.onnx.ml', 'com.microsoft', 'x', 'ai.onnx']); return true; }],
  ['initializer type', (m, r) => { const t = pick(r, m.graph?.initializer ?? []) as M; if (!t) return false; t.data_type = below(r, 24); return true; }],
  ['initializer dims', (m, r) => { const t = pick(r, m.graph?.initializer ?? []) as M; if (!t) return false; t.dims = Array.from({ length: below(r, 4) }, () => pick(r, DIMS)); return true; }],
  ['initializer raw', (m, r) => { const t = pick(r, m.graph?.initializer ?? []) as M; if (!t?.raw_data?.length) return false; t.raw_data = t.raw_data.subarray(0, below(r, t.raw_data.length)); return true; }],
  ['initializer external', (m, r) => {
    const t = pick(r, m.graph?.initializer ?? []) as M;
    if (!t) return false;
    t.data_location = 1;
    t.external_data = [{ key: 'location', value: pick(r, ['/dev/zero', '../model.onnx', 'model.onnx', 'missing.bin', '.']) },
      { key: 'length', value: pick(r, ['-16', '16', '1e3', 'x', '99999999999']) }, { key: 'offset', value: pick(r, ['0', '-1', '3']) }];
    return true;
  }],
  ['graph output type', (m, r) => {
    const o = pick(r, m.graph?.output ?? []) as M;
    if (!o) return false;
    o.type = { tensor_type: { elem_type: below(r, 17), shape: { dim: Array.from({ length: below(r, 4) }, () => ({ dim_value: pick(r, DIMS) })) } } };
    return true;
  }],
  ['drop graph output', (m, r) => { const os = m.graph?.output ?? []; if (!os.length) return false; os.splice(below(r, os.length), 1); return true; }],
];

export interface Mutant { bytes: Uint8Array; what: string }

/** One mutant of `bytes`: 1–3 structured edits (75%) or 1–2 byte-level edits. */
export function mutate(bytes: Uint8Array, seed: number): Mutant {
  const r = rng(seed);
  if (r() < 0.75) {
    const m = ModelProto.decode(bytes) as M;
    const done: string[] = [];
    const x = r();
    for (let k = x < 0.6 ? 1 : x < 0.9 ? 2 : 3, tries = 0; done.length < k && tries < 10; tries++) {
      const [name, f] = STRUCT_MUTATIONS[below(r, STRUCT_MUTATIONS.length)];
      if (f(m, r)) done.push(name);
    }
    return { bytes: ModelProto.encode(m).finish(), what: done.join(', ') || 'none' };
  }
  let b = bytes;
  const done: string[] = [];
  for (let k = 1 + below(r, 2); k > 0 && b.length > 0; k--) {
    const [name, f] = BYTE_MUTATIONS[below(r, BYTE_MUTATIONS.length)];
    b = f(b, r);
    done.push(name);
  }
  return { bytes: b, what: done.join(', ') };
}
