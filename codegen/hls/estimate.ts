// Per-layer estimates for an HLS design, from an analytical model over the kernel IR (not
// synthesis results; Vitis reports the real figures after csynth_design):
// - MACs: float or integer multiplies executed, each loop body counted its bound (trip count or
//   upper bound) times;
// - DSPs at II=R (--hls-reuse R, default 1): the multipliers and adders of one pipelined
//   innermost loop body divided by R (each serves R operations), DSP48 slices
//   as UltraScale+ maps them (fp32 multiply 3, fp32 add 2, fp64 multiply 11, fp64 add 3, integer
//   multiply 1); a layer's loops run one after another and share them (the largest loop counts),
//   layers do not (they add up);
// - on-chip bytes: the ROM of the weights a layer reads plus the on-chip intermediates it writes;
// - latency: every pipelined innermost loop starts an iteration every R cycles, after a fill of
//   PIPELINE_DEPTH cycles each time it starts; other statements take one cycle.
import { byteSize } from '../../ir/dtype.js';
import { Expr, Program, Stmt } from '../../ir/kernel.js';
import { hasLoop } from '../c/cstyle.js';
import { HlsMemory } from './memory.js';

/** Cycles assumed to fill a floating-point pipeline each time a loop starts. */
export const PIPELINE_DEPTH = 10;

export interface LayerEstimate { label: string; macs: number; dsps: number; onchipBytes: number; cycles: number }

const DSP: Record<string, number> = { 'mul:f32': 3, 'add:f32': 2, 'sub:f32': 2, 'mul:f64': 11, 'add:f64': 3, 'sub:f64': 3 };
const dspOf = (op: string, t: string) => DSP[`${op}:${t}`] ?? (op === 'mul' && t !== 'bool' ? 1 : 0);

/** Multiplies and DSPs of the expressions of one statement (not of nested loops). */
function exprCost(e: Expr, acc: { muls: number; dsps: number }): void {
  switch (e.k) {
    case 'bin': acc.muls += e.op === 'mul' && e.t !== 'idx' ? 1 : 0; acc.dsps += e.t === 'idx' ? 0 : dspOf(e.op, e.t); exprCost(e.a, acc); exprCost(e.b, acc); return;
    case 'un': case 'cast': exprCost(e.a, acc); return;
    case 'cmp': exprCost(e.a, acc); exprCost(e.b, acc); return;
    case 'select': exprCost(e.c, acc); exprCost(e.a, acc); exprCost(e.b, acc); return;
    case 'load': return; // index arithmetic is address logic, not DSP work
    default: return;
  }
}

interface Walk { macs: number; dsps: number; cycles: number; reuse: number }

function walk(b: Stmt[], times: number, w: Walk): void {
  for (const s of b) {
    if (s.k === 'for' || s.k === 'while') {
      const trips = s.k === 'for' ? s.bound : s.bound ?? 1;
      if (!hasLoop(s.body)) {
        const acc = { muls: 0, dsps: 0 };
        bodyCost(s.body, acc);
        w.macs += acc.muls * trips * times;
        w.dsps = Math.max(w.dsps, Math.ceil(acc.dsps / w.reuse));
        w.cycles += times * (trips * w.reuse + PIPELINE_DEPTH);
      } else walk(s.body, times * trips, w);
    } else if (s.k === 'if') {
      walk(s.then, times, w);
      walk(s.else, times, w);
    } else {
      const acc = { muls: 0, dsps: 0 };
      bodyCost([s], acc);
      w.macs += acc.muls * times;
      w.cycles += times;
    }
  }
}

function bodyCost(b: Stmt[], acc: { muls: number; dsps: number }): void {
  for (const s of b) {
    if (s.k === 'store') exprCost(s.val, acc);
    else if (s.k === 'decl') exprCost(s.init, acc);
    else if (s.k === 'assign') exprCost(s.val, acc);
    else if (s.k === 'if') { exprCost(s.c, acc); bodyCost(s.then, acc); bodyCost(s.else, acc); }
  }
}

/** One estimate per step (layer) of a program placed by memory.ts. */
export function estimateLayers(p: Program, mem: HlsMemory, reuse = 1): LayerEstimate[] {
  const onchip = new Set(mem.onchip);
  return p.steps.map((s) => {
    const w: Walk = { macs: 0, dsps: 0, cycles: 0, reuse };
    walk(s.kernel.body, 1, w);
    const rom = s.args.filter((b) => b.role === 'const').reduce((n, b) => n + byteSize(b.dtype, b.size), 0);
    const temps = s.args.filter((b, i) => onchip.has(b) && s.kernel.writes.has(s.kernel.params[i])).reduce((n, b) => n + byteSize(b.dtype, b.size), 0);
    return { label: `${s.kernel.name} ${s.kernel.label}`, macs: w.macs, dsps: w.dsps, onchipBytes: rom + temps, cycles: w.cycles };
  });
}

/** The estimate as text lines: a table of the layers (the costliest 20 of a larger model) and the totals. */
export function estimateLines(layers: LayerEstimate[], clockNs: number, mem: HlsMemory, reuse = 1): string[] {
  const shown = layers.length <= 24 ? layers : [...layers].sort((a, b) => b.cycles - a.cycles).slice(0, 20);
  const sum = (f: (l: LayerEstimate) => number) => layers.reduce((n, l) => n + f(l), 0);
  const cycles = sum((l) => l.cycles), rom = sum((l) => l.onchipBytes);
  const rows = shown.map((l) => `  ${String(l.macs).padStart(12)} ${String(l.dsps).padStart(6)} ${String(l.onchipBytes).padStart(12)} ${String(l.cycles).padStart(12)}  ${l.label}`);
  return [`HLS estimate (analytical model at II=${reuse}, not synthesis results; see README "FPGA (HLS)"):`,
    `  ${'MACs'.padStart(12)} ${'DSPs'.padStart(6)} ${'on-chip B'.padStart(12)} ${'cycles'.padStart(12)}  layer${shown.length < layers.length ? ` (the ${shown.length} longest of ${layers.length})` : ''}`,
    ...rows,
    `  total: ${sum((l) => l.macs)} MACs, ${sum((l) => l.dsps)} DSPs, ${rom} bytes of weights and on-chip intermediates read or written` +
    ` (${mem.onchipBytes} bytes of on-chip intermediates, ${mem.arenaBytes} bytes in the DDR arena), ${cycles} cycles = ${(cycles * clockNs / 1e6).toFixed(3)} ms at ${clockNs} ns`];
}
