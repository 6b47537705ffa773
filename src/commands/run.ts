// `onnxc run MODEL --input a.pb|a.npy ...`: compiles for the target (specializing on inputs that
// decide shapes), runs, writes output_K.pb (or .npy) named as the graph outputs; --print shows them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CompileError, NeedsInputValues } from '../../ir/errors.js';
import { Model } from '../../ir/graph.js';
import { TensorData } from '../../ir/tensor.js';
import { CompileResult, Target, compileModel, loadModel, shapeInputs } from '../api.js';
import { encodeNpy, npyDescr } from '../onnx/npy.js';
import { encodeTensor } from '../onnx/tensorProto.js';
import { phaseReporter } from '../progress.js';
import { tensorText } from '../tensorText.js';
import { getRunner, readTensorFile } from '../runners/index.js';
import { CompileArgs, pipelineFlags } from './compile.js';
import { UsageError, parseDims } from './common.js';

type RunArgs = CompileArgs & { input?: string[]; 'output-dir'?: string; 'output-format'?: string; print?: boolean };
type Phases = ReturnType<typeof phaseReporter>;

export async function runCommand(a: RunArgs): Promise<number> {
  if (a.output !== undefined && a['output-dir'] !== undefined && a.output !== a['output-dir'])
    throw new UsageError(`-o and --output-dir name different folders ('${a.output}', '${a['output-dir']}'); give one`);
  const progress = phaseReporter(); // phases on a terminal's stderr only
  try {
    return await run(a, progress);
  } finally {
    progress.done();
  }
}

async function run(a: RunArgs, progress: Phases): Promise<number> {
  const outDir = a.output ?? a['output-dir'] ?? '.';
  const npy = a['output-format'] === 'npy';
  progress.phase('importing');
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
  const need = shapeInputs(model, a.target as Target);
  const compileOn = (m: Model) => {
    const consts: Record<string, TensorData> = {};
    names.forEach((n, i) => { if (need.has(n)) consts[n] = tensors[i]; });
    return compileModel(m, { target: a.target as Target, name: a.name ?? 'model', dims, consts, ...pipelineFlags(a), onPhase: progress.phase });
  };
  let compiled: CompileResult | undefined;
  for (let m = model; !compiled;) {
    try {
      compiled = compileOn(m);
    } catch (e) {
      // an If whose branches differ needs its condition's inputs: specialize on them too
      if (!(e instanceof NeedsInputValues) || !e.inputs.length || e.inputs.some((n) => need.has(n) || !names.includes(n))) throw e;
      e.inputs.forEach((n) => need.add(n));
      m = loadModel(a.model); // compiling bound the inputs of the first import
    }
  }
  const noNpy = npy ? compiled.program.outputs.find((o) => !npyDescr(o.buf.dtype)) : undefined;
  if (noNpy) throw new CompileError(`output '${noNpy.name}' is ${noNpy.buf.dtype}, which .npy cannot hold; use --output-format pb`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'onnxc-run-'));
  try {
    const runner = getRunner(a.target as Target, compiled.cpu);
    progress.phase('building');
    const handle = await runner.build(compiled, work);
    progress.phase('running');
    const outs = await runner.run(handle, files.map((f) => path.resolve(f)), path.join(work, 'out'), compiled.program.outputs.length);
    progress.done();
    fs.mkdirSync(outDir, { recursive: true });
    outs.forEach((t, i) => {
      const name = compiled.program.outputs[i].name;
      const f = path.join(outDir, `output_${i}.${npy ? 'npy' : 'pb'}`);
      fs.writeFileSync(f, npy ? encodeNpy(t) : encodeTensor(t, name));
      process.stdout.write(`${f}: ${name} ${t.dtype}[${t.shape.join('x')}]\n`);
      if (a.print) process.stdout.write(tensorText(name, t));
    });
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  return 0;
}
