// `onnxc run MODEL --input a.pb|a.npy ...`: compiles for the target (specializing on inputs that
// decide shapes), runs, writes output_K.pb (or .npy) named as the graph outputs; --print shows them.
// Sequence and optional inputs and outputs are SequenceProto and OptionalProto files.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CompileError, NeedsInputValues } from '../../ir/errors.js';
import { Model } from '../../ir/graph.js';
import { TensorData } from '../../ir/tensor.js';
import { CompileResult, Target, compileModel, loadModel, shapeInputs } from '../nodeCompile.js';
import { encodeNpy, npyDescr } from '../onnx/npy.js';
import { describeLayout, encodeValue } from '../onnx/valueProto.js';
import { phaseReporter } from '../progress.js';
import { tensorText } from '../tensorText.js';
import { getRunner } from '../runners/index.js';
import { groupOutputs, readInputFiles } from '../runners/valueFiles.js';
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
  const outputNames = model.graph.outputs.map((v) => v.name);
  if (files.length !== names.length)
    throw new CompileError(`the model has ${names.length} inputs (${names.join(', ')}), ${files.length} --input files were given`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'onnxc-run-'));
  try {
    // a sequence or optional input (SequenceProto, OptionalProto) is passed as the tensors it holds
    const inputs = readInputFiles(model.graph.inputs, files.map((f) => path.resolve(f)), work, 'run');
    const byName = new Map(inputs.names.map((n, i) => [n, inputs.tensors[i]]));
    const dims = parseDims(a.dim);
    model.graph.inputs.forEach((v) => v.type?.shape?.forEach((d, j) => {
      if (typeof d === 'string' && !(d in dims)) dims[d] = byName.get(v.name)!.shape[j];
    }));
    const need = shapeInputs(model, a.target as Target);
    const compileOn = (m: Model) => {
      const consts: Record<string, TensorData> = {};
      inputs.names.forEach((n, i) => { if (need.has(n)) consts[n] = inputs.tensors[i]; });
      return compileModel(m, { target: a.target as Target, name: a.name ?? 'model', dims, consts, layouts: inputs.layouts, ...pipelineFlags(a), onPhase: progress.phase });
    };
    let compiled: CompileResult | undefined;
    for (let m = model; !compiled;) {
      try {
        compiled = compileOn(m);
      } catch (e) {
        // an If whose branches differ (or a Loop that is unrolled) needs its inputs' values: specialize on them too
        if (!(e instanceof NeedsInputValues) || !e.inputs.length || e.inputs.some((n) => need.has(n) || !byName.has(n))) throw e;
        e.inputs.forEach((n) => need.add(n));
        m = loadModel(a.model); // compiling bound the inputs of the first import
      }
    }
    const layouts = compiled.model.outputLayouts;
    if (npy && layouts?.some((l) => !('tensor' in l))) throw new CompileError('a sequence or optional output cannot be written as .npy; use --output-format pb');
    const noNpy = npy ? compiled.program.outputs.find((o) => !npyDescr(o.buf.dtype)) : undefined;
    if (noNpy) throw new CompileError(`output '${noNpy.name}' is ${noNpy.buf.dtype}, which .npy cannot hold; use --output-format pb`);
    const runner = getRunner(a.target as Target, compiled.cpu);
    progress.phase('building');
    const buildDir = path.join(work, 'build');
    fs.mkdirSync(buildDir);
    const handle = await runner.build(compiled, buildDir);
    progress.phase('running');
    const outs = await runner.run(handle, inputs.files, path.join(work, 'out'), compiled.program.outputs.length);
    progress.done();
    fs.mkdirSync(outDir, { recursive: true });
    groupOutputs(outs, layouts).forEach(({ layout, tensors }, i) => {
      const name = layouts ? outputNames[i] : compiled.program.outputs[i].name;
      const f = path.join(outDir, `output_${i}.${npy ? 'npy' : 'pb'}`);
      fs.writeFileSync(f, npy ? encodeNpy(tensors[0]) : encodeValue(layout, tensors, name));
      process.stdout.write(`${f}: ${name} ${describeLayout(layout)}\n`);
      if (a.print) tensors.forEach((t, k) => process.stdout.write(tensorText('tensor' in layout ? name : `${name}[${k}]`, t)));
    });
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  return 0;
}
