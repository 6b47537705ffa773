// A small ONNX model writer: builds ModelProto bytes from code. Used for the bundled example,
// tests that need hand-made (or deliberately broken) models, and benchmarks.
import { DType, onnxCode } from '../../ir/dtype.js';
import { TensorData } from '../../ir/tensor.js';
import { attrObject } from './attrProto.js';
import { ModelProto } from './schema.js';
import { tensorObject } from './tensorProto.js';

export type AttrInput = number | string | number[] | string[] | TensorData | { floats: number[] } | { float: number } | { graph: ModelBuilder };

interface PNodeOut { input: string[]; output: string[]; name: string; op_type: string; domain: string; attribute: object[] }

function attrProto(name: string, v: AttrInput): object {
  if (typeof v === 'number') return Number.isInteger(v) ? attrObject(name, 'int', v) : attrObject(name, 'float', v);
  if (typeof v === 'string') return attrObject(name, 'string', v);
  if (Array.isArray(v)) {
    if (v.length && typeof v[0] === 'string') return attrObject(name, 'strings', v as string[]);
    return (v as number[]).every(Number.isInteger) ? attrObject(name, 'ints', v as number[]) : attrObject(name, 'floats', v as number[]);
  }
  if ('floats' in v) return attrObject(name, 'floats', v.floats);
  if ('float' in v) return attrObject(name, 'float', v.float);
  if ('graph' in v) return attrObject(name, 'graph', v.graph.graphProto());
  return attrObject(name, 'tensor', v);
}

const valueInfo = (name: string, dtype: DType, shape: (number | string)[]) => ({
  name, type: { tensor_type: { elem_type: onnxCode(dtype), shape: { dim: shape.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) } } },
});

/** The TypeProto of a sequence of tensors, or of an optional of a tensor (or of such a sequence). */
function structuredType(kind: 'sequence' | 'optional', dtype: DType, ofSequence: boolean): object {
  const tensor = { tensor_type: { elem_type: onnxCode(dtype) } };
  const seq = { sequence_type: { elem_type: tensor } };
  return kind === 'sequence' ? seq : { optional_type: { elem_type: ofSequence ? seq : tensor } };
}

export class ModelBuilder {
  private nodes: PNodeOut[] = [];
  private inputs: object[] = [];
  private outputs: object[] = [];
  private inits: object[] = [];
  private counter = 0;
  constructor(private opset = 17, private graphName = 'main') {}

  input(name: string, dtype: DType, shape: (number | string)[]): string {
    this.inputs.push(valueInfo(name, dtype, shape));
    return name;
  }

  /** A graph input that is a sequence of tensors of the given element type. */
  sequenceInput(name: string, dtype: DType): string {
    this.inputs.push({ name, type: { sequence_type: { elem_type: { tensor_type: { elem_type: onnxCode(dtype) } } } } });
    return name;
  }

  /** A graph input that is an optional of a tensor (or of a sequence of tensors) of the given element type. */
  optionalInput(name: string, dtype: DType, ofSequence = false): string {
    this.inputs.push({ name, type: structuredType('optional', dtype, ofSequence) });
    return name;
  }

  /** Declares a graph output that is a sequence, or an optional (of a sequence where `ofSequence`). */
  structuredOutput(name: string, kind: 'sequence' | 'optional', dtype: DType, ofSequence = false): void {
    this.outputs.push({ name, type: structuredType(kind, dtype, ofSequence) });
  }

  initializer(name: string, t: TensorData): string {
    this.inits.push(tensorObject(t, name));
    return name;
  }

  /** Adds a node; returns its output names (one fresh name per output). */
  node(op: string, inputs: string[], attrs: Record<string, AttrInput> = {}, opts: { outputs?: number | string[]; name?: string; domain?: string } = {}): string[] {
    const id = this.counter++;
    const outs = Array.isArray(opts.outputs) ? opts.outputs : Array.from({ length: opts.outputs ?? 1 }, (_, k) => `${op.toLowerCase()}${id}${k ? `_${k}` : ''}`);
    this.nodes.push({ input: inputs, output: outs, name: opts.name ?? `${op.toLowerCase()}${id}`, op_type: op, domain: opts.domain ?? '',
      attribute: Object.entries(attrs).map(([k, v]) => attrProto(k, v)) });
    return outs;
  }

  /** Declares a graph output; without a dtype its TypeProto is left empty (as exporters write
   * for If branch outputs), which means "inferred". */
  output(name: string, dtype?: DType, shape: (number | string)[] = []): void {
    this.outputs.push(dtype ? valueInfo(name, dtype, shape) : { name, type: {} });
  }

  /** The GraphProto object built so far (also a subgraph attribute: { graph: builder }). */
  graphProto(): object {
    return { name: this.graphName, node: this.nodes, input: this.inputs, output: this.outputs, initializer: this.inits };
  }

  /** Serialized ModelProto. */
  encode(extra: { opsetImports?: { domain: string; version: number }[]; irVersion?: number } = {}): Uint8Array {
    const msg = ModelProto.fromObject({
      ir_version: extra.irVersion ?? 8, producer_name: 'onnxc', producer_version: '0.1.0',
      opset_import: extra.opsetImports ?? [{ domain: '', version: this.opset }],
      graph: this.graphProto(),
    });
    return ModelProto.encode(msg).finish();
  }
}

/** Deterministic pseudo-random numbers (mulberry32) for seeded weights. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
