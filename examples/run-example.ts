// `npm start`: compiles the bundled example model to C (and WebAssembly), runs it on a seeded
// input, compares with onnxc's reference evaluation, and says where the generated code went.
import fs from 'node:fs';
import path from 'node:path';
import { evaluateModel } from '../codegen/js/evaluateModel.js';
import { TensorData, tensorFrom } from '../ir/tensor.js';
import { TARGETS, Target, compileFile, loadModel } from '../src/api.js';
import { seededRandom } from '../src/onnx/build.js';
import { encodeTensor } from '../src/onnx/tensorProto.js';
import { getRunner } from '../src/runners/index.js';
import { compareTensors } from '../src/testing/compare.js';

const root = new URL('../../', import.meta.url).pathname;
const modelPath = path.join(root, 'examples', 'tiny_cnn.onnx');
const outRoot = path.join(root, 'out', 'example');

async function main(): Promise<number> {
  const rnd = seededRandom(7);
  const input = tensorFrom('float32', [1, 3, 16, 16], Array.from({ length: 768 }, () => rnd()));
  fs.mkdirSync(outRoot, { recursive: true });
  const inputFile = path.join(outRoot, 'input_0.pb');
  fs.writeFileSync(inputFile, encodeTensor(input, 'image'));
  const [expected] = evaluateModel(loadModel(modelPath), [input]);
  let failed = 0;
  for (const target of TARGETS as Target[]) {
    const dir = path.join(outRoot, target);
    let compiled;
    try {
      compiled = compileFile(modelPath, { target, name: 'tiny_cnn' });
    } catch (e) {
      console.log(`${target}: not available (${(e as Error).message})`);
      continue;
    }
    const runner = getRunner(target);
    const handle = await runner.build(compiled, dir);
    const [got] = await runner.run(handle, [inputFile], path.join(dir, 'run'), 1);
    const why = compareTensors(got, expected as TensorData);
    const files = Object.keys(compiled.files).map((f) => path.relative(root, path.join(dir, f)));
    console.log(`${target}: ${why ? `MISMATCH: ${why}` : 'output matches the reference evaluation'}`);
    console.log(`  generated: ${files.join(', ')} (arena ${compiled.memory.arenaBytes} bytes)`);
    console.log(`  probabilities: [${Array.from(got.data as Float32Array).map((v) => v.toFixed(4)).join(', ')}]`);
    if (why) failed++;
  }
  return failed ? 1 : 0;
}

main().then((c) => { process.exitCode = c; }, (e) => { console.error(`error: ${(e as Error).message}`); process.exitCode = 1; });
