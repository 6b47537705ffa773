// Per-input/output macros in the generated header (NAME_INPUT_x_SIZE, _RANK, _SHAPE): names
// that are not C identifiers, clashes after sanitising, scalars; checked by a C program that
// compares the macros with the model descriptor under -Wall -Wextra -Werror.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { compileModel, writeFiles } from '../dist/src/api.js';
import { cIdentifiers } from '../dist/codegen/c/hostParts.js';
import { ModelBuilder } from '../dist/src/onnx/build.js';
import { importModel } from '../dist/src/onnx/importModel.js';
import { ROOT, tmpDir } from './helpers.js';

it('sanitises tensor names into unique identifiers', () => {
  expect(cIdentifiers(['input.1', 'input_1', 'input_1_2', 'input-1', '0', ''])).toEqual(['input_1', 'input_1_2', 'input_1_2_2', 'input_1_3', '0', '_']);
});

it('header macros agree with the descriptor, and compile warning-free', () => {
  const b = new ModelBuilder(17, 'm');
  b.input('input.1', 'float32', [1, 3, 4, 4]);
  b.input('input_1', 'float32', [4]);
  b.input('s', 'float32', []);
  b.node('Add', ['input.1', 'input_1'], {}, { outputs: ['a'] });
  b.node('Mul', ['a', 's'], {}, { outputs: ['out:0'] });
  b.node('ReduceSum', ['out:0'], { keepdims: 0 }, { outputs: ['sum'] });
  b.output('out:0', 'float32', [1, 3, 4, 4]);
  b.output('sum', 'float32', []);
  const r = compileModel(importModel(b.encode(), 'm.onnx'), { target: 'c', name: 'm' });
  const h = r.files['m.h'] as string;
  for (const line of ['#define m_INPUT_input_1_SIZE 48u', '#define m_INPUT_input_1_RANK 4', '#define m_INPUT_input_1_SHAPE {1, 3, 4, 4}',
    '#define m_INPUT_input_1_2_SIZE 4u', '#define m_INPUT_s_RANK 0', '#define m_OUTPUT_out_0_SHAPE {1, 3, 4, 4}', '#define m_OUTPUT_sum_SIZE 1u'])
    expect(h).toContain(line + '\n');
  expect(h).not.toContain('m_INPUT_s_SHAPE');
  const dir = tmpDir('onnxc-macros-');
  writeFiles(dir, r.files);
  fs.writeFileSync(path.join(dir, 'check.c'), `#include <stdio.h>
#include <string.h>
#include "m.h"
static const long long shape0[] = m_INPUT_input_1_SHAPE, shape1[] = m_INPUT_input_1_2_SHAPE, shape2[] = m_OUTPUT_out_0_SHAPE;
static int same(const onnxc_tensor_desc *d, const long long *s, int rank, unsigned size) {
  int k; long long n = 1;
  if (d->rank != rank) return 0;
  for (k = 0; k < rank; k++) { if (d->dims[k] != s[k]) return 0; n *= s[k]; }
  return n == (long long)size;
}
int main(void) {
  int ok = same(&m_model.inputs[0], shape0, m_INPUT_input_1_RANK, m_INPUT_input_1_SIZE)
        && same(&m_model.inputs[1], shape1, m_INPUT_input_1_2_RANK, m_INPUT_input_1_2_SIZE)
        && same(&m_model.inputs[2], NULL, m_INPUT_s_RANK, m_INPUT_s_SIZE)
        && same(&m_model.outputs[0], shape2, m_OUTPUT_out_0_RANK, m_OUTPUT_out_0_SIZE)
        && same(&m_model.outputs[1], NULL, m_OUTPUT_sum_RANK, m_OUTPUT_sum_SIZE)
        && sizeof shape0 / sizeof shape0[0] == m_INPUT_input_1_RANK;
  puts(ok ? "macros ok" : "macros differ");
  return !ok;
}
`);
  const cc = spawnSync('gcc', ['-std=c99', '-Wall', '-Wextra', '-Werror', '-pedantic', '-I', dir, '-I', path.join(ROOT, 'runtime-c'),
    path.join(dir, 'check.c'), path.join(dir, 'm.c'), '-lm', '-o', path.join(dir, 'check')], { cwd: dir, encoding: 'utf8' });
  expect(cc.stderr).toBe('');
  const run = spawnSync(path.join(dir, 'check'), { encoding: 'utf8' });
  expect(run.stdout).toBe('macros ok\n');
}, 60_000);
