// The report modules shared by `onnxc inspect` and the browser page (src/report/): the arena plan
// and its SVG picture (parsed back: boxes never overlap in steps × offsets, fit under the peak line,
// which is the arena size; same bytes twice; names escaped), and the inspect report as data.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CompileError, compileModel } from '../dist/src/api.js';
import { ModelBuilder } from '../dist/src/onnx/build.js';
import { importModel } from '../dist/src/onnx/importModel.js';
import { loadModel } from '../dist/src/onnx/loadModel.js';
import { inspectModel, typeText } from '../dist/src/report/inspectReport.js';
import { PLOT, arenaBoxes, bytesLabel, drawArena, memorySvg } from '../dist/src/report/memorySvg.js';
import { ROOT } from './helpers.js';
import { parseSvg } from './parseSvg.js';

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

describe('memory SVG', () => {
  for (const [label, load, target] of [['tiny_cnn (wasm)', () => loadModel(TINY), 'wasm'], ['branchy (c)', branchy, 'c']] as const) {
    it(`${label}: boxes disjoint in steps × offsets, under the peak line = arena size, deterministic`, () => {
      const r = compileModel(load(), { target, name: 'm' });
      const svg = memorySvg(r.program);
      expect(memorySvg(compileModel(load(), { target, name: 'm' }).program)).toBe(svg);
      expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*>\n[\s\S]*<\/svg>\n$/);
      expect(svg.match(/<g /g)!.length).toBe(svg.match(/<\/g>/g)!.length);
      const { boxes, peak } = parseSvg(svg);
      expect(peak).toBe(r.memory.arenaBytes);
      expect(boxes.length).toBe(r.memory.temps);
      expect(boxes.length).toBeGreaterThan(3);
      expect(boxes.map((b) => b.name)).toEqual(arenaBoxes(r.program).map((b) => b.name));
      expect(Math.max(...boxes.map((b) => b.offset + b.bytes))).toBe(peak);
      for (const [i, a] of boxes.entries()) {
        expect(a.first).toBeLessThanOrEqual(a.last);
        expect(a.h).toBeCloseTo((a.bytes / peak) * PLOT.H, 1);
        for (const b of boxes.slice(i + 1)) {
          const inTime = a.first <= b.last && b.first <= a.last, inSpace = a.offset < b.offset + b.bytes && b.offset < a.offset + a.bytes;
          expect(inTime && inSpace, `${a.name} and ${b.name} overlap`).toBe(false);
        }
      }
      expect(svg).toContain(`<title>${boxes[0].name}: ${boxes[0].bytes} bytes at offset ${boxes[0].offset}`);
    });
  }

  it('escapes names and spans a box over its steps at its offset (0 at the bottom)', () => {
    const svg = drawArena({ name: 'm&m', arenaBytes: 256, steps: ['k0 <a>', 'k1', 'k2', 'k3'], boxes: [{ name: `<a&"b'>`, offset: 128, bytes: 128, first: 2, last: 3 }] });
    expect(svg).toContain('data-name="&lt;a&amp;&quot;b&#39;&gt;"');
    expect(svg).toContain('<title>&lt;a&amp;&quot;b&#39;&gt;: 128 bytes at offset 128, steps 2–3</title>');
    expect(svg).toContain('<title>m&amp;m: arena 256 bytes');
    expect(svg).toContain('<title>k0 &lt;a&gt;</title>');
    expect(svg).not.toMatch(/<a[&>]/);
    const [b] = parseSvg(svg).boxes;
    // 4 steps over the plot width; the box's top is the arena top (offset 128 + 128 bytes = 256)
    expect([b.x, b.y, b.w, b.h]).toEqual([PLOT.L + PLOT.W / 2, PLOT.T, PLOT.W / 2, PLOT.H / 2]);
  });

  it('labels byte counts in B, KiB and MiB', () => {
    expect([bytesLabel(0), bytesLabel(1023), bytesLabel(1024), bytesLabel(35840), bytesLabel(3 * 1024 * 1024 + 1)]).toEqual(['0 B', '1023 B', '1 KiB', '35 KiB', '3 MiB']);
  });
});

describe('inspectModel', () => {
  it('reports inputs, the op histogram by opset, inferred values and the arena of the compile', () => {
    const { report: r, compiled } = inspectModel(() => loadModel(TINY), {}, (m) => compileModel(m, { target: 'c' }));
    expect(r.inputs.map(typeText)).toEqual(['float32[1,3,16,16]']);
    expect(r.outputs).toEqual([{ name: 'probabilities' }]);
    expect(r.ops.reduce((n, o) => n + o.count, 0)).toBe(loadModel(TINY).graph.nodes.length);
    expect(r.ops.find((o) => o.op === 'Conv')).toEqual({ op: 'Conv', opset: 17, count: 2 });
    expect(r.unsupported).toEqual([]);
    expect(r.inferenceStopped).toBeUndefined();
    expect(r.values.at(-1)).toEqual({ name: 'probabilities', dtype: 'float32', shape: [1, 10], constant: false });
    expect(r.memory).toMatchObject({ arenaBytes: compiled!.memory.arenaBytes, temporaries: compiled!.memory.temps, kernels: compiled!.program.steps.length });
    const largest = (r.memory as { largest: { bytes: number }[] }).largest;
    expect(largest.length).toBeGreaterThan(0);
    expect(largest.map((b) => b.bytes)).toEqual([...largest.map((b) => b.bytes)].sort((x, y) => y - x));
  });

  it('turns a CompileError into memory.notPlanned and lets any other error through', () => {
    const { report, compiled } = inspectModel(() => loadModel(TINY), {}, () => { throw new CompileError('no plan here'); });
    expect(compiled).toBeUndefined();
    expect(report.memory).toEqual({ notPlanned: 'no plan here' });
    expect(report.values.length).toBeGreaterThan(0);
    expect(() => inspectModel(() => loadModel(TINY), {}, () => { throw new TypeError('bug'); })).toThrow(TypeError);
  });
});

describe('src/report/', () => {
  it('imports nothing from Node (the web bundle takes it as it is)', () => {
    const dir = path.join(ROOT, 'src', 'report');
    const bad = fs.readdirSync(dir).filter((f) => f.endsWith('.ts'))
      .filter((f) => /\bfrom\s*['"](node:|fs['"]|path['"]|os['"])|\bimport\s*\(\s*['"]node:/.test(fs.readFileSync(path.join(dir, f), 'utf8')));
    expect(bad).toEqual([]);
  });
});
