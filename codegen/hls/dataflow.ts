// --hls-dataflow: the layers of a design as processes of one `#pragma HLS DATAFLOW` region,
// connected by hls::stream FIFOs, as hls4ml's io_stream does. Every intermediate that crosses
// from one process to another is a stream carrying the tensor once, in row-major order:
// - a process is a run of consecutive layers: one layer, or several where they share an array
//   (the Concat inputs its producers write in place, an array a layer updates in place), so
//   every array is written by one process;
// - the producing process computes into a local array and writes it out in order, one stream
//   per consuming process (a fan-out is one stream per reader, so each stream has one writer
//   and one reader); a consuming process reads each stream once, in order, into a local array
//   its layers index (the generic kernels read their inputs in any order, so they buffer);
// - graph inputs enter through a load process per input (m_axi port to streams, checking a
//   --const input's value there), graph outputs leave through a store process per output;
// - run-time checks: each process that can fail writes its status to a status stream, and a
//   last process keeps the first failure, which the top function returns.
// FIFO depths are the tensor's elements, so no order of reads can deadlock (Vitis's
// co-simulation FIFO sizing can shrink them). The region is NAME_dataflow; NAME_top calls it.
import { Program } from '../../ir/kernel.js';
import { failsIn } from '../c/cstyle.js';
import { HlsMemory, bufName } from './memory.js';

/** An array of the design: its element type and length. */
export interface ArrayDecl { t: string; elems: number }

/** The arrays (non-constant) each step reads and writes. */
function accesses(p: Program, mem: HlsMemory): { reads: Set<string>; writes: Set<string> }[] {
  return p.steps.map((s) => {
    const reads = new Set<string>(), writes = new Set<string>();
    s.kernel.params.forEach((kb) => {
      const b = p.bufs[kb.id];
      if (b.role === 'const') return;
      const a = mem.place.get(b)!.array;
      (s.kernel.writes.has(kb) ? writes : reads).add(a);
    });
    return { reads, writes };
  });
}

/** Groups the steps into processes: runs of consecutive steps, each array written in one run
 * (from its first use to its last write). */
export function groupSteps(p: Program, mem: HlsMemory): number[][] {
  const acc = accesses(p, mem);
  const span = new Map<string, [number, number]>(); // array -> [first use, last write]
  acc.forEach((a, i) => {
    for (const x of [...a.reads, ...a.writes]) if (!span.has(x)) span.set(x, [i, -1]);
    for (const x of a.writes) span.get(x)![1] = i;
  });
  const joinNext = new Array<boolean>(p.steps.length).fill(false); // step i and i+1 in one process
  for (const [lo, hi] of span.values()) for (let i = lo; i < hi; i++) joinNext[i] = true;
  const groups: number[][] = [];
  p.steps.forEach((_, i) => {
    if (i === 0 || !joinNext[i - 1]) groups.push([]);
    groups[groups.length - 1].push(i);
  });
  return groups;
}

interface Stream { name: string; array: string; t: string; elems: number }

/** The processes, the DATAFLOW region and the top function of a dataflow design (NAME.cpp's tail). */
export function dataflowDesign(p: Program, mem: HlsMemory, arrays: Map<string, ArrayDecl>, reuse: number, ports: string[], portNames: string[]): string[] {
  const N = p.name, II = `#pragma HLS PIPELINE II=${reuse}`;
  const acc = accesses(p, mem), groups = groupSteps(p, mem);
  const procName = (g: number) => `${N}_p${g}_${p.steps[groups[g][0]].kernel.name}`;
  const writerOf = new Map<string, number>(); // array -> process
  groups.forEach((steps, g) => steps.forEach((i) => acc[i].writes.forEach((a) => writerOf.set(a, g))));
  const inputs = p.inputs.map((io) => bufName(io.buf)), outputs = p.outputs.map((io) => bufName(io.buf));
  const decl = (a: string) => `${arrays.get(a)!.t} ${a}[${arrays.get(a)!.elems}]`;
  const stream = (array: string, to: string): Stream => ({ name: `s_${array}_${to}`, array, t: arrays.get(array)!.t, elems: arrays.get(array)!.elems });
  const param = (s: Stream) => `hls::stream<${s.t}> &${s.name}`;
  const loop = (n: number, body: string[]) => [`  for (ptrdiff_t i = 0; i < ${n}; ++i) {`, II, ...body.map((l) => `    ${l}`), '  }'];

  // streams: into each process, its reads of arrays another process (or a load) writes
  const ins = groups.map((steps, g) => {
    const read = new Set<string>();
    for (const i of steps) for (const a of acc[i].reads) if (writerOf.get(a) !== g && (writerOf.has(a) || inputs.includes(a))) read.add(a);
    return [...read].map((a) => stream(a, `p${g}`));
  });
  const stores = outputs.filter((a) => writerOf.has(a)).map((a) => ({ array: a, s: stream(a, 'store') }));
  const outsOf = (a: string): Stream[] => [...ins.flat().filter((s) => s.array === a), ...stores.filter((x) => x.array === a).map((x) => x.s)];
  const status: string[] = []; // status streams, in the order their checks run
  const declared: Stream[] = []; // every stream, once, from its writer's side
  const fns: string[] = [], calls: string[] = [];
  const scalarT = (a: string) => arrays.get(a)!.t;

  // load processes: a graph input's port into the streams of its readers (and its --const check)
  p.inputs.forEach((io) => {
    const a = bufName(io.buf), outs = outsOf(a), guard = p.guards.findIndex((g) => g.buf === io.buf);
    const checked = guard >= 0 && p.guards[guard].data.data.length > 0;
    if (!outs.length && !checked) return;
    const st = checked ? `st_load_${a}` : '';
    const params = [`const ${decl(a)}`, ...outs.map(param), ...(st ? [`hls::stream<int> &${st}`] : [])];
    const body = [`/* load: graph input ${io.name} into the processes that read it${checked ? ', checking the value it was specialized on' : ''} */`, `static void ${N}_load_${a}(${params.join(', ')}) {`];
    if (checked) body.push('  int bad = 0;');
    const n = checked ? p.guards[guard].data.data.length : 0, elems = arrays.get(a)!.elems;
    const check = `${n < elems ? `i < ${n} && ` : ''}x != ${N}_guard${guard}[i]`;
    body.push(...loop(elems, [`const ${scalarT(a)} x = ${a}[i];`, ...(checked ? [`if (${check}) bad = 1;`] : []), ...outs.map((s) => `${s.name}.write(x);`)]));
    if (checked) body.push(`  ${st}.write(bad ? 2 : 0); /* ONNXC_ERR_INPUT_VALUE: not the value it was specialized on */`);
    body.push('}');
    fns.push(body.join('\n'));
    declared.push(...outs);
    calls.push(`${N}_load_${a}(${[a, ...outs.map((s) => s.name), ...(st ? [st] : [])].join(', ')});`);
    if (st) status.push(st);
  });

  // the layer processes
  groups.forEach((steps, g) => {
    const touched = new Set<string>();
    for (const i of steps) for (const a of [...acc[i].reads, ...acc[i].writes]) touched.add(a);
    const written = [...touched].filter((a) => writerOf.get(a) === g);
    const outs = written.flatMap(outsOf);
    const fails = steps.some((i) => failsIn(p.steps[i].kernel.body));
    const st = fails ? `st_p${g}` : '';
    const name = procName(g);
    const body = [`/* process ${g}: ${steps.map((i) => p.steps[i].kernel.label).join('; ')} */`,
      `static void ${name}(${[...ins[g].map(param), ...outs.map(param), ...(st ? [`hls::stream<int> &${st}`] : [])].join(', ') || 'void'}) {`];
    for (const a of touched) body.push(`  static ${decl(a)};`);
    if (fails) body.push('  int status = 0;');
    for (const s of ins[g]) body.push(...loop(s.elems, [`${s.array}[i] = ${s.name}.read();`]));
    for (const i of steps) {
      const k = p.steps[i].kernel;
      const args = kernelArrays(p, i, mem);
      const call = `${k.name}(${args.join(', ')})`;
      body.push(failsIn(k.body) ? `  { const int s = ${call}; if (s && !status) status = s; }` : `  ${call};`);
    }
    for (const a of written) {
      const to = outsOf(a);
      if (to.length) body.push(...loop(arrays.get(a)!.elems, [`const ${scalarT(a)} x = ${a}[i];`, ...to.map((s) => `${s.name}.write(x);`)]));
    }
    if (st) body.push(`  ${st}.write(status);`);
    body.push('}');
    fns.push(body.join('\n'));
    declared.push(...outs);
    calls.push(`${name}(${[...ins[g], ...outs].map((s) => s.name).concat(st ? [st] : []).join(', ')});`);
    if (st) status.push(st);
  });

  // store processes: a graph output's stream to its port
  for (const { array: a, s } of stores) {
    fns.push([`/* store: graph output ${p.outputs.find((io) => bufName(io.buf) === a)!.name} to its port */`,
      `static void ${N}_store_${a}(${param(s)}, ${decl(a)}) {`, ...loop(s.elems, [`${a}[i] = ${s.name}.read();`]), '}'].join('\n'));
    calls.push(`${N}_store_${a}(${s.name}, ${a});`);
  }
  if (status.length) {
    fns.push([`/* status: the first failed run-time check, in program order (0: none) */`,
      `static void ${N}_status(${status.map((s) => `hls::stream<int> &${s}`).join(', ')}, int &status) {`, '  int s = 0;',
      ...status.map((x) => `  { const int v = ${x}.read(); if (v && !s) s = v; }`), '  status = s;', '}'].join('\n'));
    calls.push(`${N}_status(${status.join(', ')}, status);`);
  }

  // the region: stream declarations and process calls only
  const used = new Set(calls.join('\n').match(/\b\w+\b/g));
  const regionPorts = ports.filter((_, i) => used.has(portNames[i]));
  const region = [`/* the DATAFLOW region: ${groups.length} layer processes connected by streams */`,
    `static void ${N}_dataflow(${[...regionPorts, ...(status.length ? ['int &status'] : [])].join(', ') || 'void'}) {`, '#pragma HLS DATAFLOW'];
  for (const s of declared) region.push(`  hls::stream<${s.t}> ${s.name}("${s.name}");`, `#pragma HLS STREAM variable=${s.name} depth=${s.elems}`);
  for (const s of status) region.push(`  hls::stream<int> ${s}("${s}");`, `#pragma HLS STREAM variable=${s} depth=1`);
  region.push(...calls.map((c) => `  ${c}`), '}');

  const top = [`int ${N}_top(${ports.join(', ') || 'void'}) {`];
  portNames.forEach((n, i) => top.push(`#pragma HLS INTERFACE m_axi port=${n} offset=slave bundle=gmem${i} depth=${arrays.get(n)!.elems}`,
    `#pragma HLS INTERFACE s_axilite port=${n} bundle=control`));
  top.push('#pragma HLS INTERFACE s_axilite port=return bundle=control');
  for (const n of portNames) if (!used.has(n)) top.push(`  (void)${n};`);
  if (status.length) top.push('  int status = 0;');
  top.push(`  ${N}_dataflow(${[...portNames.filter((n) => used.has(n)), ...(status.length ? ['status'] : [])].join(', ')});`, `  return ${status.length ? 'status' : '0'};`, '}');
  return [...fns.flatMap((f) => [f, '']), ...region, '', ...top];
}

/** The arrays a step's kernel is called with (its distinct arrays, in first-use order). */
function kernelArrays(p: Program, i: number, mem: HlsMemory): string[] {
  const seen = new Set<string>();
  for (const kb of p.steps[i].kernel.params) seen.add(mem.place.get(p.bufs[kb.id])!.array);
  return [...seen];
}
