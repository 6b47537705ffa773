// `onnxc run MODEL --input a.pb ...`: compiles for the target (specializing on inputs that
// decide shapes), runs, writes output_K.pb named as the graph outputs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CompileError } from '../../ir/errors.js';
import { TensorData } from '../../ir/tensor.js';
import { Target, compileModel, loadModel, shapeInputs } from '../api.js';
import { encodeTensor } from '../onnx/tensorProto.js';
import { getRunner, readTensorFile } from '../runners/index.js';
import { CompileArgs, pipelineFlags } from './compile.js';
import { parseDims } from './common.js';

export async function runCommand(a: CompileArgs & { input?: string[]; 'output-dir': string }): Promise<number> {
  const model = loadModel(a.model);
  const files = a.input ?? [];
  const names = model.graph.inputs.map((v) => v.name);
  if (files.length !== names.length)
    throw new CompileError(`the model has ${names.length} inputs (${names.join(', ')}), ${files.length} --input files were given`);
  const tensors = files.map(readTensorFile);
  const dims = parseDims(a.dim);
  model.graph.inputs.forEach((v, i) => v.type?.shape?.forEach((d, j) => {
    if (typeof d === 'string' && !(d in dims)) dims[d] = tensors[i].shape[j];
  }));
  const need = shapeInputs(model);
  const consts: Record<string, TensorData> = {};
  names.forEach((n, i) => { if (need.has(n)) consts[n] = tensors[i]; });
  const compiled = compileModel(model, { target: a.target as Target, name: a.name ?? 'model', dims, consts, ...pipelineFlags(a) });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'onnxc-run-'));
  try {
    const runner = getRunner(a.target as Target, compiled.cpu);
    const handle = await runner.build(compiled, work);
    const outs = await runner.run(handle, files.map((f) => path.resolve(f)), path.join(work, 'out'), compiled.program.outputs.length);
    fs.mkdirSync(a['output-dir'], { recursive: true });
    outs.forEach((t, i) => {
      const name = compiled.program.outputs[i].name;
      const f = path.join(a['output-dir'], `output_${i}.pb`);
      fs.writeFileSync(f, encodeTensor(t, name));
      process.stdout.write(`${f}: ${name} ${t.dtype}[${t.shape.join('x')}]\n`);
    });
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  return 0;
}
