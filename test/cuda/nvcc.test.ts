// nvcc gate for the CUDA target: node cases sampled across op families are compiled by onnxc
// for --target cuda, then by nvcc for sm_90 (and a part of them for sm_80) with every warning
// an error; ptxas' report per kernel (registers, static shared memory, spills) must be within
// the limits (src/runners/ptxas.ts). Skips with a message when nvcc or ../shared is missing.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileModel, loadModel, shapeInputs, writeFiles } from '../../dist/src/api.js';
import { readTensorFile } from '../../dist/src/runners/index.js';
import { checkNvcc } from '../../dist/src/runners/ptxas.js';
import { SHARED_TESTS } from '../../dist/src/testing/conformance.js';
import { findCases } from '../../dist/src/testing/cases.js';

const haveNvcc = spawnSync(process.env.NVCC || 'nvcc', ['--version']).status === 0;
const node = path.join(SHARED_TESTS, 'node');
const haveData = fs.existsSync(node);
if (!haveNvcc) console.warn('cuda/nvcc: skipped — nvcc not found (CUDA toolkit; /usr/local/bin/nvcc here)');
else if (!haveData) console.warn(`cuda/nvcc: skipped — ONNX test data not found at ${node}`);

/** One case per op family: elementwise, broadcast, reductions, normalizations, linear algebra,
 * convolutions, pooling, indexing, layout, narrow types, quantization, recurrent, control flow. */
const SAMPLE = [
  'test_add_bcast', 'test_sigmoid', 'test_gelu_tanh_1', 'test_clip', 'test_where_example', 'test_pow',
  'test_reduce_sum_keepdims_random', 'test_reduce_max_default_axes_keepdim_example', 'test_argmax_default_axis_random', 'test_softmax_axis_1',
  'test_layer_normalization_3d_axis1_epsilon', 'test_instancenorm_example', 'test_matmul_3d', 'test_gemm_all_attributes', 'test_einsum_batch_matmul',
  'test_conv_with_strides_padding', 'test_convtranspose_1d', 'test_maxpool_2d_pads', 'test_averagepool_2d_same_upper', 'test_gather_1',
  'test_scatter_elements_with_reduction_max', 'test_transpose_all_permutations_3', 'test_slice_neg_steps', 'test_resize_downsample_scales_linear',
  'test_cast_FLOAT_to_FLOAT16', 'test_quantizelinear', 'test_lstm_defaults', 'test_top_k', 'test_cumsum_2d_axis_1', 'test_if',
];
const SM80 = new Set(SAMPLE.filter((_, i) => i % 3 === 0));

describe.skipIf(!haveNvcc || !haveData)('generated CUDA compiles with nvcc, warning-free and within the limits', () => {
  it('covers 30 cases', () => expect(SAMPLE.length).toBe(30));
  it.concurrent.each(SAMPLE)('%s', async (name) => {
    const [c] = findCases([path.join(node, name)]);
    const model = loadModel(c.model), need = shapeInputs(model, 'cuda');
    const inputs = c.dataSets[0].inputs.map(readTensorFile);
    const consts = Object.fromEntries(model.graph.inputs.flatMap((v, i) => (need.has(v.name) ? [[v.name, inputs[i]]] : [])));
    const dims: Record<string, number> = {};
    model.graph.inputs.forEach((v, i) => v.type?.shape?.forEach((d, j) => { if (typeof d === 'string') dims[d] = inputs[i].shape[j]; }));
    const r = compileModel(model, { target: 'cuda', name: 'model', consts, dims, verify: true });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onnxc-nvcc-'));
    try {
      writeFiles(dir, r.files);
      for (const arch of SM80.has(name) ? ['sm_90', 'sm_80'] as const : ['sm_90'] as const) {
        const check = await checkNvcc('model.cu', dir, arch);
        expect(check.warnings, `${arch}: ${check.warnings.join('\n')}`).toEqual([]);
        expect(check.ok).toBe(true);
        expect(check.kernels.length).toBeGreaterThan(0);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
