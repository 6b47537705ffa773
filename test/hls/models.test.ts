// HLS designs of the bundled models, C-simulated (g++ -std=c++14, linted first) and compared
// with host C on the same seeded inputs: the float CNN within ONNX tolerances, the int8 QDQ
// keyword-spotting CNN exactly on its integer path (the dequantized logits). The DDR arena
// (--hls-onchip-bytes 0) gives the same results as on-chip intermediates.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileFile } from '../../dist/src/api.js';
import { getRunner } from '../../dist/src/runners/index.js';
import { encodeTensor } from '../../dist/src/onnx/tensorProto.js';
import { lintHls } from '../../dist/codegen/hls/lint.js';
import { estimateLines } from '../../dist/codegen/hls/estimate.js';
import { ROOT, tmpDir } from '../helpers.js';

const gxx = spawnSync(process.env.CXX || 'g++', ['--version']).status === 0;
const model = (f: string) => path.join(ROOT, 'examples', f);

/** Seeded inputs of a compiled model written as .pb files. */
function inputs(r: ReturnType<typeof compileFile>, dir: string): string[] {
  let s = 12345;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  return r.program.inputs.map((io, i) => {
    const f = path.join(dir, `in${i}.pb`);
    const n = io.shape.reduce((a, b) => a * b, 1);
    fs.writeFileSync(f, encodeTensor({ dtype: 'float32', shape: io.shape, data: Float32Array.from({ length: n }, rand) }, io.name));
    return f;
  });
}

async function runOn(target: 'c' | 'hls', file: string, dir: string, opts: Record<string, unknown> = {}) {
  const r = compileFile(file, { target, name: `m_${target}`, ...opts } as never);
  const runner = getRunner(target);
  const exe = await runner.build(r, path.join(dir, `build_${target}`));
  const outs = await runner.run(exe, inputs(r, dir), path.join(dir, `out_${target}_${Object.keys(opts).length}`), r.program.outputs.length);
  return { r, outs: outs.map((t) => Array.from(t.data as Float32Array)) };
}

describe.skipIf(!gxx)('HLS designs of the bundled models', () => {
  it('tiny_cnn: writes the design, testbench and Vitis script, lints clean, C-simulates as host C does', async () => {
    const dir = tmpDir('onnxc-hls-');
    const c = await runOn('c', model('tiny_cnn.onnx'), dir);
    const h = await runOn('hls', model('tiny_cnn.onnx'), dir);
    const N = h.r.program.name;
    expect(Object.keys(h.r.files)).toEqual(expect.arrayContaining([`${N}.cpp`, `${N}.h`, `${N}_tb.cpp`, 'run_hls.tcl', 'onnxc_main.c']));
    const cpp = h.r.files[`${N}.cpp`] as string;
    expect(lintHls(cpp, { top: `${N}_top` })).toEqual([]);
    expect(cpp).toMatch(/static const float w\d+_\w+\[\d+\] = \{/); // weights in ROM
    expect(h.r.files['run_hls.tcl']).toMatch(/set_top m_hls_top[\s\S]*create_clock -period 5 [\s\S]*csim_design[\s\S]*csynth_design[\s\S]*cosim_design/);
    h.outs.forEach((o, i) => o.forEach((v, k) => expect(Math.abs(v - c.outs[i][k])).toBeLessThanOrEqual(1e-4 + 1e-4 * Math.abs(c.outs[i][k]))));
    const est = estimateLines(h.r.hls!.layers, 5, h.r.hls!.memory).join('\n');
    expect(est).toMatch(/not synthesis results/);
    expect(h.r.hls!.layers.reduce((n, l) => n + l.macs, 0)).toBeGreaterThan(0);
  }, 120_000);

  it('tiny_cnn with --hls-onchip-bytes 0: intermediates in the DDR arena, same results', async () => {
    const dir = tmpDir('onnxc-hls-');
    const on = await runOn('hls', model('tiny_cnn.onnx'), dir);
    const off = await runOn('hls', model('tiny_cnn.onnx'), dir, { hlsOnchipBytes: 0, hlsClockNs: 3.3 });
    expect(off.r.hls!.memory.onchip).toEqual([]);
    expect(off.r.files['m_hls.cpp']).toMatch(/#pragma HLS INTERFACE m_axi port=arena_f32 offset=slave bundle=gmem\d+ depth=\d+/);
    expect(off.r.files['run_hls.tcl']).toMatch(/create_clock -period 3.3 /);
    expect(off.outs).toEqual(on.outs);
  }, 120_000);

  it('kws_int8 (QDQ): C-simulation matches host C exactly on the integer path', async () => {
    const dir = tmpDir('onnxc-hls-');
    const c = await runOn('c', model('kws_int8.onnx'), dir);
    const h = await runOn('hls', model('kws_int8.onnx'), dir);
    const logits = h.r.program.outputs.findIndex((o) => o.name === 'logits');
    expect(logits).toBeGreaterThanOrEqual(0);
    expect(h.outs[logits]).toEqual(c.outs[logits]);
    h.outs.forEach((o, i) => o.forEach((v, k) => expect(Math.abs(v - c.outs[i][k])).toBeLessThanOrEqual(1e-5 + 1e-5 * Math.abs(c.outs[i][k]))));
  }, 120_000);

  it('--hls-dataflow: layers as DATAFLOW processes joined by streams, lint clean, same results as the default design', async () => {
    for (const f of ['tiny_cnn.onnx', 'kws_int8.onnx']) {
      const dir = tmpDir('onnxc-hls-df-');
      const plain = await runOn('hls', model(f), dir);
      const df = await runOn('hls', model(f), dir, { hlsDataflow: true });
      const cpp = df.r.files['m_hls.cpp'] as string;
      expect(cpp).toMatch(/#pragma HLS DATAFLOW/);
      expect(cpp).toMatch(/hls::stream<float> s_\w+\("s_\w+"\);\n#pragma HLS STREAM variable=s_\w+ depth=\d+/);
      expect(df.r.files).toHaveProperty(['onnxc_hls_stream.h']);
      expect(lintHls(cpp, { top: 'm_hls_top' })).toEqual([]);
      expect(df.outs).toEqual(plain.outs);
    }
  }, 240_000);
});

// squeezenet1_1 exported by Debian's python3-torchvision (seeded weights): the float design
// C-simulates within ONNX tolerances of host C, and so does its DATAFLOW form.
const torchvision = spawnSync('/usr/bin/python3', ['-c', 'import torchvision'], { stdio: 'ignore' }).status === 0;
if (!torchvision) console.warn('skipping the squeezenet1_1 HLS test: /usr/bin/python3 cannot import torchvision (apt install python3-torchvision)');
describe.skipIf(!gxx || !torchvision)('HLS design of squeezenet1_1', () => {
  it('C-simulates as host C does, default and --hls-dataflow', async () => {
    const dir = tmpDir('onnxc-hls-sq-');
    const ex = spawnSync('/usr/bin/python3', [path.join(ROOT, 'benchmarks', 'export_models.py'), dir, 'squeezenet1_1'], { encoding: 'utf8' });
    expect(ex.status, ex.stderr).toBe(0);
    const file = path.join(dir, 'squeezenet1_1.onnx');
    const c = await runOn('c', file, dir);
    const h = await runOn('hls', file, dir);
    const df = await runOn('hls', file, dir, { hlsDataflow: true });
    expect(lintHls(h.r.files['m_hls.cpp'] as string, { top: 'm_hls_top' })).toEqual([]);
    expect(lintHls(df.r.files['m_hls.cpp'] as string, { top: 'm_hls_top' })).toEqual([]);
    expect(c.outs[0].length).toBe(1000);
    for (const o of [h, df]) o.outs[0].forEach((v, k) => expect(Math.abs(v - c.outs[0][k])).toBeLessThanOrEqual(1e-4 + 1e-3 * Math.abs(c.outs[0][k])));
  }, 600_000);
});
