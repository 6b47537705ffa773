// Pieces of the host program every C-family emitter writes the same way: the model descriptor
// (onnxc_model, runtime-c/onnxc_runtime.h), the weights blob and its .incbin, string literals.
import { byteSize, onnxCode } from '../../ir/dtype.js';
import { ARENA_ALIGN, Program, ProgramBuf } from '../../ir/kernel.js';
import { numel, tensorBytes } from '../../ir/tensor.js';

export const TOOL = 'onnxc 0.1.0';

/** A C string literal (no trigraphs). */
export const cString = (s: string): string => JSON.stringify(s).replace(/\?/g, '\\?');

/** The descriptor `const onnxc_model NAME_model` whose run function is `runFn`. */
export function descriptorLines(p: Program, runFn: string, linkage = ''): string[] {
  const N = p.name, out: string[] = [];
  const desc = (io: Program['inputs'][number], i: number, kind: string) => {
    const dims = io.shape.length ? `${N}_${kind}${i}_dims` : 'NULL';
    return { dims: io.shape.length ? `static const int64_t ${dims}[${io.shape.length}] = {${io.shape.join(', ')}};` : '',
      row: `  {${cString(io.name)}, ${onnxCode(io.buf.dtype)}, ${io.shape.length}, ${dims}, ${byteSize(io.buf.dtype, numel(io.shape))}u}` };
  };
  const ins = p.inputs.map((io, i) => desc(io, i, 'in')), outs = p.outputs.map((io, i) => desc(io, i, 'out'));
  out.push(...ins.map((d) => d.dims).filter(Boolean), ...outs.map((d) => d.dims).filter(Boolean));
  if (ins.length) out.push(`static const onnxc_tensor_desc ${N}_inputs[${ins.length}] = {\n${ins.map((d) => d.row).join(',\n')}\n};`);
  out.push(`static const onnxc_tensor_desc ${N}_outputs[${outs.length}] = {\n${outs.map((d) => d.row).join(',\n')}\n};`);
  const shapeFn = hasRuntimeDims(p) ? `${N}_output_shape` : 'NULL', shapedFn = p.inputDims ? `${N}_run_shaped` : 'NULL';
  out.push(`${linkage}const onnxc_model ${N}_model = {\n  ${cString(N)}, ${cString(TOOL)}, ${N}_ARENA_SIZE, ${ins.length}, ${outs.length},\n  ${ins.length ? `${N}_inputs` : 'NULL'}, ${N}_outputs, ${runFn}, ${shapeFn}, ${shapedFn}\n};`);
  return out;
}

/** Whether an output's shape is known only after a run (ir/rtdims.ts). */
export const hasRuntimeDims = (p: Program): boolean => p.outputs.some((o) => o.dims);

/**
 * NAME_run_shaped's checks of the input dims (bounded input dims: Program.inputDims): each
 * bounded dim's first occurrence is range-checked and stored into its slot (`slot`: the C
 * lvalue of its value, preset to the bound), later ones must agree; static dims must match.
 */
export function inputDimChecks(p: Program, slot: (b: ProgramBuf) => string): string[] {
  const out = ['  if (input_dims) {'], seen = new Set<ProgramBuf>();
  const bad = 'return ONNXC_ERR_INPUT_SHAPE;';
  p.inputs.forEach((io, i) => {
    if (!io.shape.length) return;
    const d = `input_dims[${i}]`, lines: string[] = [];
    io.shape.forEach((n, k) => {
      const b = io.dims?.[k];
      if (!b) { lines.push(`if (${d}[${k}] != ${n}) ${bad}`); return; }
      const r = p.inputDims!.find((x) => x.slot === b)!;
      if (seen.has(b)) lines.push(`if (${d}[${k}] != ${slot(b)}) ${bad}`);
      else lines.push(`if (${d}[${k}] < ${r.min} || ${d}[${k}] > ${r.max}) ${bad}`, `${slot(b)} = ${d}[${k}];`);
      seen.add(b);
    });
    out.push(io.dims ? `    if (!${d}) return ONNXC_ERR_NULL_ARG;` : `    if (${d}) {`, ...lines.map((l) => `    ${io.dims ? '' : '  '}${l}`));
    if (!io.dims) out.push('    }');
  });
  out.push('  }');
  return out;
}

/** The header's declaration of NAME_run_shaped, with its contract and the dims' ranges. */
export function runShapedDecl(p: Program): string[] {
  const N = p.name, ranges = p.inputDims!.map((d) => `${d.name} in [${d.min}, ${d.max}]`).join(', ');
  return [`/* Runs the model at the inputs' actual shapes: input_dims[i] holds input i's dims (rank entries;`,
    ` * NULL for an input without bounded dims: its declared shape). Bounded dims: ${ranges}.`,
    ` * A dim out of range, a static dim that differs or one dim given two values returns`,
    ` * ONNXC_ERR_INPUT_SHAPE before anything is written. ${N}_run (or input_dims NULL) runs at the`,
    ` * upper bounds. Outputs are dense in their actual shapes: see ${N}_output_shape. */`,
    `int ${N}_run_shaped(const void *const *inputs, const int64_t *const *input_dims, void *const *outputs, void *arena);`, ''];
}

/** NAME_output_shape: each output's actual dims, the run-time ones read from their slots in
 * the arena (`slotAt`: the C expression of a slot's address). */
export function outputShapeLines(p: Program, slotAt: (b: ProgramBuf) => string): string[] {
  const N = p.name;
  const out = [`int ${N}_output_shape(const void *arena, int32_t output, int64_t *dims) {`,
    '  const unsigned char *const mem = (const unsigned char *)arena;',
    '  if (!arena || !dims) return ONNXC_ERR_NULL_ARG;', '  (void)mem;', '  switch (output) {'];
  p.outputs.forEach((o, i) => {
    const set = o.shape.map((d, k) => (o.dims?.[k] ? `memcpy(&dims[${k}], ${slotAt(o.dims[k]!)}, 8);` : `dims[${k}] = ${d};`));
    out.push(`  case ${i}: ${[...set, 'return ONNXC_OK;'].join(' ')}`);
  });
  out.push('  default: return ONNXC_ERR_OUTPUT_INDEX;', '  }', '}');
  return out;
}

/** The header's declaration of NAME_output_shape, with its contract. */
export function outputShapeDecl(p: Program): string[] {
  const N = p.name;
  return [`/* Actual shape of output \`output\` after ${N}_run returned ONNXC_OK on \`arena\`: writes its`,
    ` * rank dims to dims. Outputs with run-time dims (upper bounds in the shapes above) are written`,
    ` * dense in their actual shape. Returns an onnxc_status (ONNXC_ERR_OUTPUT_INDEX: no such output). */`,
    `int ${N}_output_shape(const void *arena, int32_t output, int64_t *dims);`, ''];
}

/** C identifiers for tensor names: other characters become '_', clashes get _2, _3... */
export function cIdentifiers(names: string[]): string[] {
  const used = new Set<string>();
  return names.map((n) => {
    const base = n.replace(/[^A-Za-z0-9_]/g, '_') || '_';
    let id = base;
    for (let k = 2; used.has(id); k++) id = `${base}_${k}`;
    used.add(id);
    return id;
  });
}

/** Header macros per input and output: NAME_INPUT_x_SIZE (elements), _RANK, _SHAPE {d0, d1, ...} (rank > 0). */
export function shapeMacros(p: Program): string[] {
  const notes = [hasRuntimeDims(p) ? `A run-time dim is at its upper bound here: ${p.name}_output_shape gives the actual one.` : '',
    p.inputDims ? `Bounded input dims too: ${p.name}_run_shaped takes the actual ones.` : ''].filter(Boolean);
  const out = [`/* Element counts, ranks and shapes of the inputs and outputs (names made C identifiers).${notes.map((l) => `\n * ${l}`).join('')} */`];
  const group = (l: Program['inputs'], kind: string) => cIdentifiers(l.map((x) => x.name)).forEach((id, i) => {
    const M = `${p.name}_${kind}_${id}`, s = l[i].shape;
    out.push(`#define ${M}_SIZE ${numel(s)}u`, `#define ${M}_RANK ${s.length}`);
    if (s.length) out.push(`#define ${M}_SHAPE {${s.join(', ')}}`);
  });
  group(p.inputs, 'INPUT');
  group(p.outputs, 'OUTPUT');
  return out;
}

/** Constants packed into one blob, each at an ARENA_ALIGN-aligned offset. */
export function packWeights(bufs: ProgramBuf[]): { blob: Uint8Array; offsets: Map<ProgramBuf, number> } {
  const offsets = new Map<ProgramBuf, number>();
  let size = 0;
  for (const b of bufs) {
    size = Math.ceil(size / ARENA_ALIGN) * ARENA_ALIGN;
    offsets.set(b, size);
    size += byteSize(b.dtype, b.size);
  }
  const blob = new Uint8Array(size);
  for (const b of bufs) blob.set(tensorBytes(b.data!), offsets.get(b)!);
  return { blob, offsets };
}

/** Declares `SYMBOL[]` and assembles the blob file into it with .incbin (ELF and Mach-O). */
export function incbinLines(symbol: string, file: string, size: number, externC = false): string[] {
  return [`/* ${size} bytes of weights, assembled from ${file} (compile from this folder or pass -Wa,-I<dir>). */`,
    // C++: `extern "C" const T x[];` declares (a linkage specification implies extern); `extern "C" extern` is ill-formed
    externC ? `extern "C" const unsigned char ${symbol}[];` : `extern const unsigned char ${symbol}[];`,
    '#if defined(__APPLE__)',
    `__asm__(".const_data\\n.p2align 6\\n.globl _${symbol}\\n_${symbol}:\\n.incbin \\"${file}\\"\\n.text\\n");`,
    '#else',
    `__asm__(".section .rodata\\n.balign 64\\n.globl ${symbol}\\n.type ${symbol}, %object\\n${symbol}:\\n.incbin \\"${file}\\"\\n.size ${symbol}, ${size}\\n.previous\\n");`,
    '#endif', ''];
}
