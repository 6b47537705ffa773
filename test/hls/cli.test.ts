// `onnxc compile --target hls`: the files, the labelled estimate, and one error line for a bad
// HLS option.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tmpDir } from '../helpers.js';
import { compileFile } from '../../dist/src/api.js';

describe('onnxc compile --target hls', () => {
  it('writes the design and prints the estimate, labelled as one', () => {
    const dir = tmpDir('onnxc-hls-cli-');
    const r = cli(['compile', 'examples/tiny_cnn.onnx', '--target', 'hls', '--hls-clock-ns', '4', '-o', dir]);
    expect(r.code).toBe(0);
    for (const f of ['tiny_cnn.cpp', 'tiny_cnn.h', 'tiny_cnn_tb.cpp', 'run_hls.tcl', 'onnxc_main.c', 'onnxc_runtime.h']) expect(fs.existsSync(path.join(dir, f))).toBe(true);
    expect(r.stdout).toMatch(/HLS estimate \(analytical model at II=1, not synthesis results/);
    expect(r.stdout).toMatch(/total: \d+ MACs, \d+ DSPs, .* cycles = [\d.]+ ms at 4 ns/);
    expect(fs.readFileSync(path.join(dir, 'run_hls.tcl'), 'utf8')).toMatch(/create_clock -period 4 /);
  });

  it('rejects a clock period that is not positive with one error line', () => {
    const r = cli(['compile', 'examples/tiny_cnn.onnx', '--target', 'hls', '--hls-clock-ns', '0', '-o', tmpDir()]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error: --hls-clock-ns expects a positive number/)]);
  });

  it('--hls-reuse N pipelines at II=N: fewer DSPs, more cycles', () => {
    const est = (reuse: number) => {
      const r = compileFile('examples/tiny_cnn.onnx', { target: 'hls', hlsReuse: reuse });
      const sum = (f: (l: { dsps: number; cycles: number }) => number) => r.hls!.layers.reduce((n, l) => n + f(l), 0);
      return { cpp: r.files['tiny_cnn.cpp'] as string, dsps: sum((l) => l.dsps), cycles: sum((l) => l.cycles) };
    };
    const one = est(1), four = est(4);
    expect(four.cpp).toMatch(/#pragma HLS PIPELINE II=4/);
    expect(four.cpp).not.toMatch(/II=1\b/);
    expect(four.dsps).toBeLessThan(one.dsps);
    expect(four.cycles).toBeGreaterThan(one.cycles);
  });
});
