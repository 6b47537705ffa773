// `onnxc inspect`: aligned tables, a clean --json, and --memory-svg written (the report and the
// picture themselves are tested in report.test.ts).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { textTable } from '../dist/src/textTable.js';
import { ROOT, cli, tmpDir } from './helpers.js';
import { parseSvg } from './parseSvg.js';

const dir = tmpDir('onnxc-inspect-');
const TINY = path.join(ROOT, 'examples', 'tiny_cnn.onnx');

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
