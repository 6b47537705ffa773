// The memory picture: arena bytes (down) against steps (across); each temporary is a box from
// its first to its last step at its offset, so boxes never overlap where the plan is sound.
// Takes plain rows (arenaBuffers.ts) and returns standalone SVG text, the same for the same rows.
import { ArenaPicture } from './arenaBuffers.js';

const W = 640, H = 320, LEFT = 72, TOP = 24, BOTTOM = 32, RIGHT = 12;

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A byte count as the picture labels it (B, KiB, MiB). */
export function bytesLabel(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${+(n / 1024).toFixed(1)} KiB`;
  return `${+(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** SVG text of the arena picture. */
export function memorySvg(a: ArenaPicture): string {
  const plotW = W - LEFT - RIGHT, plotH = H - TOP - BOTTOM;
  const steps = Math.max(1, a.steps), bytes = Math.max(1, a.arenaBytes);
  const x = (step: number) => LEFT + (step / steps) * plotW;
  const y = (off: number) => TOP + (off / bytes) * plotH;
  const f = (v: number) => +v.toFixed(2);
  const boxes = a.buffers.map((b, i) => {
    const hue = (i * 137) % 360;
    const tip = `${b.name}: ${bytesLabel(b.size)} at offset ${b.offset}, steps ${b.first}–${b.last}`;
    return `<rect x="${f(x(b.first))}" y="${f(y(b.offset))}" width="${f(x(b.last + 1) - x(b.first))}" height="${f(Math.max(1, y(b.offset + b.size) - y(b.offset)))}" fill="hsl(${hue} 60% 62%)" stroke="#333" stroke-width="0.5"><title>${esc(tip)}</title></rect>`;
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<title>arena: ${esc(bytesLabel(a.arenaBytes))}, ${a.buffers.length} temporaries over ${a.steps} steps</title>`,
    `<rect x="${LEFT}" y="${TOP}" width="${plotW}" height="${plotH}" fill="#f6f6f6" stroke="#999"/>`,
    ...boxes,
    `<text x="${LEFT}" y="${TOP - 8}">arena ${esc(bytesLabel(a.arenaBytes))}, ${a.buffers.length} temporaries</text>`,
    `<text x="${LEFT - 6}" y="${TOP + 10}" text-anchor="end">0</text>`,
    `<text x="${LEFT - 6}" y="${TOP + plotH}" text-anchor="end">${esc(bytesLabel(a.arenaBytes))}</text>`,
    `<text x="${LEFT}" y="${H - 10}">step 0</text>`,
    `<text x="${LEFT + plotW}" y="${H - 10}" text-anchor="end">step ${a.steps}</text>`,
    '</svg>',
  ].join('\n') + '\n';
}
