// `onnxc inspect`: aligned tables, a clean --json, and --memory-svg (parsed back: boxes never
// overlap in steps × offsets, fit under the peak line, which is the arena size; same bytes twice).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileModel } from '../dist/src/api.js';
import { ModelBuilder } from '../dist/src/onnx/build.js';
import { importModel } from '../dist/src/onnx/importModel.js';
import { loadModel } from '../dist/src/onnx/loadModel.js';
import { memorySvg } from '../dist/src/memorySvg.js';
import { textTable } from '../dist/src/textTable.js';
import { ROOT, cli, tmpDir } from './helpers.js';

const dir = tmpDir('onnxc-inspect-');
const TINY = path.join(ROOT, 'examples', 'tiny_cnn.onnx');

/** A model with branches, so that buffers live over different, overlapping step ranges. */
function branchy() {
  const b = new ModelBuilder(17, 'branchy');
  b.input('x', 'float32', [4, 64]);
  let a = 'x';
  const kept: string[] = [];
  for (let i = 0; i < 6; i++) {
    const [r] = b.node(i % 2 ? 'Sigmoid' : 'Tanh', [a]);
    const [s] = b.node('Mul', [r, a]);
    kept.push(r);
    a = s;
  }
  let sum = a;
  for (const k of kept) [sum] = b.node('Add', [sum, k]);
  b.node('Relu', [sum], {}, { outputs: ['y'] });
  b.output('y', 'float32', [4, 64]);
  return importModel(b.encode(), 'branchy.onnx');
}

interface Box { name: string; offset: number; bytes: number; first: number; last: number; y: number; h: number }
function parseSvg(svg: string): { boxes: Box[]; peak: number } {
  const num = (s: string, k: string) => Number(new RegExp(`${k}="([^"]*)"`).exec(s)![1]);
  const boxes = [...svg.matchAll(/<rect data-name="[^"]*"[^>]*>/g)].map(([r]) => ({
    name: /data-name="([^"]*)"/.exec(r)![1], offset: num(r, 'data-offset'), bytes: num(r, 'data-bytes'),
    first: num(r, 'data-first'), last: num(r, 'data-last'), y: num(r, ' y'), h: num(r, 'height') }));
  return { boxes, peak: num(/<line class="peak"[^>]*>/.exec(svg)![0], 'data-bytes') };
}

describe('memory SVG', () => {
  for (const [label, load] of [['tiny_cnn', () => loadModel(TINY)], ['branchy', branchy]] as const) {
    it(`${label}: boxes disjoint in steps × offsets, under the peak line = arena size, deterministic`, () => {
      const r = compileModel(load(), { target: 'c', name: 'm' });
      const svg = memorySvg(r.program);
      expect(memorySvg(compileModel(load(), { target: 'c', name: 'm' }).program)).toBe(svg);
      expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*>\n[\s\S]*<\/svg>\n$/);
      expect(svg.match(/<g /g)!.length).toBe(svg.match(/<\/g>/g)!.length);
      const { boxes, peak } = parseSvg(svg);
      expect(peak).toBe(r.memory.arenaBytes);
      expect(boxes.length).toBe(r.memory.temps);
      expect(boxes.length).toBeGreaterThan(3);
      expect(Math.max(...boxes.map((b) => b.offset + b.bytes))).toBe(peak);
      for (const [i, a] of boxes.entries()) {
        expect(a.h).toBeCloseTo((a.bytes / peak) * 420, 1);
        for (const b of boxes.slice(i + 1)) {
          const inTime = a.first <= b.last && b.first <= a.last, inSpace = a.offset < b.offset + b.bytes && b.offset < a.offset + a.bytes;
          expect(inTime && inSpace, `${a.name} and ${b.name} overlap`).toBe(false);
        }
      }
      expect(svg).toContain(`<title>${boxes[0].name}: ${boxes[0].bytes} bytes at offset ${boxes[0].offset}`);
    });
  }
});

describe('onnxc inspect', () => {
  it('prints aligned tables and writes the SVG; --json is one clean object', () => {
    const svg = path.join(dir, 'plan.svg');
    const t = cli(['inspect', TINY, '--memory-svg', svg]);
    expect(t.stderr).toBe('');
    expect(t.stdout).toContain(['  count  op                 opset', '  -----  -----------------  -----', '      2  Conv                  17'].join('\n'));
    expect(t.stdout).toContain('  arena                 35840\n');
    expect(t.stdout).toMatch(/\n  input   image          float32\[1,3,16,16\]\n  output  probabilities  float32\[1,10\]\n/);
    expect(t.stdout.split('\n').filter((l) => / $/.test(l))).toEqual([]);
    expect(parseSvg(fs.readFileSync(svg, 'utf8')).peak).toBe(35840);
    const j = cli(['inspect', TINY, '--json']);
    expect(j.stderr).toBe('');
    const report = JSON.parse(j.stdout);
    expect(report.memory.arenaBytes).toBe(35840);
    expect(report.ops.find((o: { op: string }) => o.op === 'Conv')).toEqual({ op: 'Conv', opset: 17, count: 2 });
    expect(report.values.at(-1)).toEqual({ name: 'probabilities', dtype: 'float32', shape: [1, 10], constant: false });
  }, 60_000);
  it('textTable pads columns and right-aligns numbers', () => {
    expect(textTable(['a', 'n'], [['xyz', 5], ['b', 123]], [1], '')).toBe('a      n\n---  ---\nxyz    5\nb    123\n');
  });
});
