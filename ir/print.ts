// Text printer for the tensor IR: one line per node with attributes and inferred types.
import { Attr, Graph, Model, TensorType, Value } from './graph.js';

export function typeStr(t: TensorType | null): string {
  return t ? `${t.dtype}[${t.shape.join(',')}]` : '?';
}

function attrStr(a: Attr): string {
  switch (a.kind) {
    case 'tensor': return `<${a.value.dtype}[${a.value.shape.join(',')}]>`;
    case 'graph': return `<graph ${a.value.name}>`;
    case 'graphs': return `<${a.value.length} graphs>`;
    case 'tensors': return `<${a.value.length} tensors>`;
    case 'string': return JSON.stringify(a.value);
    case 'ints': case 'floats': return `[${a.value.join(',')}]`;
    case 'strings': return JSON.stringify(a.value);
    case 'type': return '<type>';
    default: return String(a.value);
  }
}

const vref = (v: Value | null) => (v ? `%${v.name}${v.const ? '<const>' : ''}` : '_');

export function printGraph(g: Graph, indent = ''): string {
  const lines = [`${indent}graph ${g.name}(${g.inputs.map((v) => `%${v.name}: ${typeStr(v.type)}`).join(', ')}) {`];
  for (const n of g.nodes) {
    const attrs = [...n.attrs].map(([k, a]) => `${k}=${attrStr(a)}`).join(', ');
    const outs = n.outputs.map(vref).join(', ');
    const types = n.outputs.map((v) => typeStr(v?.type ?? null)).join(', ');
    const guard = n.guard ? `if ${n.guard.map((g) => `${g.when ? '' : '!'}${vref(g.cond)}`).join(' && ')}: ` : '';
    lines.push(`${indent}  ${guard}${outs} = ${n.domain ? n.domain + '.' : ''}${n.op}(${n.inputs.map(vref).join(', ')})${attrs ? ` {${attrs}}` : ''} : ${types}  # ${n.name}`);
    for (const a of n.attrs.values()) {
      if (a.kind === 'graph') lines.push(printGraph(a.value, indent + '    '));
      if (a.kind === 'graphs') for (const sg of a.value) lines.push(printGraph(sg, indent + '    '));
    }
  }
  lines.push(`${indent}  return ${g.outputs.map((v) => `%${v.name}: ${typeStr(v.type)}`).join(', ')}`, `${indent}}`);
  return lines.join('\n');
}

export function printModel(m: Model): string {
  const ops = [...m.opsets].map(([d, v]) => `${d || 'ai.onnx'}:${v}`).join(' ');
  return `# model ${m.source} (ir ${m.irVersion}, opsets ${ops})\n${printGraph(m.graph)}\n`;
}
