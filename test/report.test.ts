// The page's report modules (src/report/): the arena rows of a planned Program, the memory
// picture drawn from them, and the inspect summary as data.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileFile, loadModel } from '../dist/src/api.js';
import { arenaBuffers } from '../dist/src/report/arenaBuffers.js';
import { memorySvg } from '../dist/src/report/memorySvg.js';
import { summarizeModel } from '../dist/src/report/modelSummary.js';

const MODEL = path.resolve(__dirname, '../examples/tiny_cnn.onnx');

describe('arena rows and the memory picture', () => {
  const r = compileFile(MODEL, { target: 'wasm' });
  const a = arenaBuffers(r.program);

  it('lists every temporary inside the arena, none overlapping another live at the same step', () => {
    expect(a.buffers.length).toBe(r.memory.temps);
    expect(a.arenaBytes).toBe(r.memory.arenaBytes);
    for (const b of a.buffers) {
      expect(b.offset + b.size).toBeLessThanOrEqual(a.arenaBytes);
      expect(b.first).toBeLessThanOrEqual(b.last);
    }
    for (const x of a.buffers) for (const y of a.buffers) {
      if (x === y || x.last < y.first || y.last < x.first) continue;
      expect(x.offset + x.size <= y.offset || y.offset + y.size <= x.offset, `${x.name} / ${y.name}`).toBe(true);
    }
  });

  it('draws one box per temporary, the same text for the same rows', () => {
    const svg = memorySvg(a);
    expect(svg.match(/<rect [^>]*><title>/g)?.length).toBe(a.buffers.length);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(memorySvg(arenaBuffers(compileFile(MODEL, { target: 'wasm' }).program))).toBe(svg);
  });

  it('escapes names and spans a box over its steps at its offset', () => {
    const svg = memorySvg({ arenaBytes: 256, steps: 4, buffers: [{ name: '<a&"b">', offset: 128, size: 128, first: 2, last: 3 }] });
    expect(svg).toContain('&#60;a&#38;&#34;b&#34;&#62;: 128 B at offset 128, steps 2–3');
    expect(svg).not.toContain('<a&');
    // plot: x from 72 over 556 px for 4 steps, y from 24 over 264 px for 256 bytes
    expect(svg).toContain('<rect x="350" y="156" width="278" height="132"');
  });
});

describe('summarizeModel', () => {
  it('reports what inspect reports: inputs, op histogram, inferred values', () => {
    const s = summarizeModel(loadModel(MODEL));
    expect(s.inputs).toEqual([{ name: 'image', type: 'float32[1,3,16,16]' }]);
    expect(s.ops.reduce((n, o) => n + o.count, 0)).toBe(loadModel(MODEL).graph.nodes.length);
    expect(s.ops.map((o) => o.op)).toContain('Conv (opset 17)');
    expect(s.unsupported).toEqual([]);
    expect(s.stopped).toBeUndefined();
    expect(s.values.at(-1)?.type).toMatch(/^float32\[1,\d+\]$/);
  });
});
