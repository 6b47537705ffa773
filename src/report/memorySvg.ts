// The arena plan as an SVG picture, for `onnxc inspect --memory-svg` and the browser page: each
// temporary a box spanning the steps it is live (x) at its byte offset (y, 0 at the bottom), the
// arena size marked as the peak line. Rows come from planMemory's own liveRanges, so the picture
// shows the plan that was made. Deterministic: same program, same bytes. Boxes carry data-*
// attributes (offset, bytes, first/last step) so tests and tools can read the plan back.
// Node-free: the web bundle imports it.
import { Program, ProgramBuf, stepLabel } from '../../ir/kernel.js';
import { arenaBytesOf, liveRanges } from '../../passes/planMemory.js';

export interface ArenaBox { name: string; offset: number; bytes: number; first: number; last: number }

/** What the picture draws: the arena size, one label per step, and the boxes. */
export interface ArenaPlan { name: string; arenaBytes: number; steps: string[]; boxes: ArenaBox[] }

/** The planned temporaries of a compiled program, ordered by offset, first step, then name. */
export function arenaBoxes(p: Program): ArenaBox[] {
  const { first, last } = liveRanges(p);
  return [...first.keys()].map((b: ProgramBuf) => ({ name: b.name, offset: b.offset ?? 0, bytes: arenaBytesOf(b), first: first.get(b)!, last: last.get(b)! }))
    .sort((a, b) => a.offset - b.offset || a.first - b.first || a.name.localeCompare(b.name));
}

/** The arena plan of a compiled program as plain data. */
export function arenaPlan(p: Program): ArenaPlan {
  return { name: p.name, arenaBytes: p.arenaSize, steps: p.steps.map(stepLabel), boxes: arenaBoxes(p) };
}

/** A byte count for people (B, KiB, MiB). */
export function bytesLabel(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${+(n / 1024).toFixed(1)} KiB`;
  return `${+(n / 1024 / 1024).toFixed(1)} MiB`;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
const f = (v: number) => String(Math.round(v * 100) / 100);

/** A stable pastel colour per name. */
function colour(name: string): string {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return `hsl(${(h >>> 0) % 360},55%,75%)`;
}

/** Plot geometry: left, top, width, height, right and bottom margins. */
export const PLOT = { L: 70, T: 40, W: 900, H: 420, R: 20, B: 50 } as const;

/** The SVG document of an arena plan (standalone, with a title per box as tooltip). */
export function drawArena(a: ArenaPlan): string {
  const { L, T, W, H, R, B } = PLOT, n = a.steps.length, arena = a.arenaBytes;
  const sx = W / Math.max(1, n), sy = arena ? H / arena : 0;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${L + W + R}" height="${T + H + B}" viewBox="0 0 ${L + W + R} ${T + H + B}" font-family="sans-serif" font-size="11">`,
    `<title>${esc(a.name)}: arena ${arena} bytes, ${a.boxes.length} buffers over ${n} steps</title>`,
    `<rect x="${L}" y="${T}" width="${W}" height="${H}" fill="#fafafa" stroke="#999"/>`,
  ];
  for (const b of a.boxes) {
    const x = L + b.first * sx, w = (b.last - b.first + 1) * sx, y = T + H - (b.offset + b.bytes) * sy, h = b.bytes * sy;
    const tip = `${b.name}: ${b.bytes} bytes at offset ${b.offset}, steps ${b.first}–${b.last}`;
    out.push(`<g class="buf"><title>${esc(tip)}</title><rect data-name="${esc(b.name)}" data-offset="${b.offset}" data-bytes="${b.bytes}" data-first="${b.first}" data-last="${b.last}" x="${f(x)}" y="${f(y)}" width="${f(w)}" height="${f(h)}" fill="${colour(b.name)}" stroke="#333" stroke-width="0.5"/>`
      + (w >= b.name.length * 6.5 + 4 && h >= 13 ? `<text x="${f(x + 2)}" y="${f(y + h / 2 + 4)}">${esc(b.name)}</text>` : '') + '</g>');
  }
  out.push(`<line class="peak" data-bytes="${arena}" x1="${L}" y1="${T}" x2="${L + W}" y2="${T}" stroke="#c00" stroke-width="1.5" stroke-dasharray="6 3"/>`,
    `<text x="${L + W}" y="${T - 6}" text-anchor="end" fill="#c00">peak: arena ${arena} bytes (${bytesLabel(arena)})</text>`,
    `<text x="${L - 6}" y="${T + H}" text-anchor="end">0</text>`, `<text x="${L - 6}" y="${T + 10}" text-anchor="end">${bytesLabel(arena)}</text>`,
    `<text x="${L + W / 2}" y="${T + H + 32}" text-anchor="middle">step (kernel index, 0–${Math.max(0, n - 1)})</text>`,
    `<text transform="translate(16 ${T + H / 2}) rotate(-90)" text-anchor="middle">arena offset</text>`);
  const tick = Math.max(1, Math.ceil(n / 10));
  for (let s = 0; s < n; s += tick)
    out.push(`<text x="${f(L + (s + 0.5) * sx)}" y="${T + H + 14}" text-anchor="middle"><title>${esc(a.steps[s])}</title>${s}</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** The SVG picture of a compiled program's arena plan. */
export const memorySvg = (p: Program): string => drawArena(arenaPlan(p));
