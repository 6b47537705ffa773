// The portable plain-C99 path (`compileModel(..., { simd: false })`, CLI `--no-simd`): a
// representative set of backend cases compiled without vector extensions must pass against
// their expected outputs, contain no vector-extension code, and compile as strict C99.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED_TESTS, conformanceCases } from '../dist/src/testing/conformance.js';
import { runTests } from '../dist/src/testing/runTests.js';
import { tmpDir } from './helpers.js';

/** Kernel families the SIMD path specializes, each with a plain-C99 counterpart to check. */
const CASES = [
  // convolution: plain, padded/strided, depthwise and grouped, transposed
  'node/test_basic_conv_with_padding', 'node/test_conv_with_strides_and_asymmetric_padding', 'pytorch-converted/test_Conv2d',
  'pytorch-converted/test_Conv2d_depthwise', 'pytorch-converted/test_Conv2d_depthwise_strided', 'pytorch-converted/test_Conv2d_groups',
  'pytorch-converted/test_Conv2d_dilated', 'node/test_convtranspose_group_2',
  // matmul / gemm
  'node/test_matmul_2d', 'node/test_matmul_4d', 'node/test_gemm_all_attributes', 'node/test_gemm_transposeA', 'pytorch-converted/test_Linear',
  // pooling
  'node/test_maxpool_2d_pads', 'node/test_averagepool_2d_strides', 'node/test_globalaveragepool', 'pytorch-converted/test_MaxPool2d_stride_padding_dilation',
  // softmax and normalization
  'node/test_softmax_axis_1', 'pytorch-converted/test_log_softmax_dim3', 'node/test_layer_normalization_3d_axis1_epsilon', 'node/test_batchnorm_example',
  // elementwise, broadcasting, transcendental
  'node/test_add_bcast', 'node/test_mul_bcast', 'node/test_relu', 'node/test_sigmoid', 'node/test_gelu_tanh_2', 'node/test_pow_bcast_array',
  'node/test_reduce_mean_default_axes_keepdims_random', 'node/test_clip_splitbounds',
  // float16
  'node/test_max_float16', 'node/test_celu_float16',
  // whole networks, large enough for every vectorized kernel (depthwise and grouped conv in shufflenet)
  'light/light_squeezenet', 'light/light_shufflenet',
];

/** Vector-extension spellings the SIMD C path uses (codegen/c/helpers.ts). */
const VECTOR_CODE = /onnxc_[fiu]\d+x\d+|__attribute__\s*\(\(\s*vector_size|__builtin_shuffle|__builtin_convertvector/;
/** Small node cases mostly stay scalar even with SIMD on; at least this many must not. */
const MIN_VECTORIZED = 6;
const STRICT = ['-std=c99', '-Wall', '-Wextra', '-Werror', '-pedantic'];

const haveData = fs.existsSync(SHARED_TESTS);
if (!haveData) console.warn(`no-simd test: skipped — ONNX test data not found at ${SHARED_TESTS}`);

describe.skipIf(!haveData)('--no-simd: plain C99 on representative backend cases', () => {
  const cases = haveData ? conformanceCases(['node', 'pytorch-converted', 'light']).filter((c) => CASES.includes(c.id)) : [];

  it('finds every listed case', () => {
    expect(cases.map((c) => c.id).sort()).toEqual([...CASES].sort());
  });

  /** Compiles, builds and runs every case; returns the results and the generated model.c files. */
  async function build(simd: boolean) {
    const work = tmpDir('onnxc-nosimd-');
    const results = await runTests(cases, { target: 'c', simd, jobs: 2, keep: true, workDir: work });
    // the generated models: batched builds (runners/batch.ts) name them m0.c, m1.c, … in batch folders
    const sources = fs.readdirSync(work, { recursive: true, encoding: 'utf8' }).filter((f) => /(^|\/)(m\d+|model)\.c$/.test(f)).map((f) => path.join(work, f));
    return { work, results, sources, code: sources.map((f) => [f, fs.readFileSync(f, 'utf8')] as const) };
  }

  it('the same cases do use vector code with SIMD on (so the check below means something)', async () => {
    const { work, code } = await build(true);
    const vectorized = code.filter(([, c]) => VECTOR_CODE.test(c)).map(([f]) => path.relative(work, f));
    console.log(`SIMD builds with vector code: ${vectorized.join(', ')}`);
    expect(vectorized.length).toBeGreaterThanOrEqual(MIN_VECTORIZED);
    fs.rmSync(work, { recursive: true, force: true });
  }, 5 * 60_000);

  it('passes against the expected outputs, without vector code, as strict C99', async () => {
    const { work, results, sources, code } = await build(false);
    expect(results.filter((r) => r.status !== 'pass').map((r) => `${r.name}: ${r.status} ${r.reason ?? ''}`)).toEqual([]);
    expect(sources.length).toBeGreaterThanOrEqual(cases.length);
    for (const [f, c] of code) expect(VECTOR_CODE.exec(c)?.[0], f).toBeUndefined();
    const cc = spawnSync(process.env.CC || 'gcc', [...STRICT, '-fsyntax-only', ...sources], { encoding: 'utf8' });
    expect(cc.stderr, 'gcc -std=c99 -Wall -Wextra -Werror -pedantic').toBe('');
    expect(cc.status).toBe(0);
    fs.rmSync(work, { recursive: true, force: true });
  }, 5 * 60_000);
});
