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
  const shapeFn = hasRuntimeDims(p) ? `${N}_output_shape` : 'NULL';
  out.push(`${linkage}const onnxc_model ${N}_model = {\n  ${cString(N)}, ${cString(TOOL)}, ${N}_ARENA_SIZE, ${ins.length}, ${outs.length},\n  ${ins.length ? `${N}_inputs` : 'NULL'}, ${N}_outputs, ${runFn}, ${shapeFn}\n};`);
  return out;
}

/** Whether an output's shape is known only after a run (ir/rtdims.ts). */
export const hasRuntimeDims = (p: Program): boolean => p.outputs.some((o) => o.dims);

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
  const out = [`/* Element counts, ranks and shapes of the inputs and outputs (names made C identifiers).${hasRuntimeDims(p) ? `
 * A run-time dim is at its upper bound here: ${p.name}_output_shape gives the actual one. */` : ' */'}`];
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
