// Times onnxruntime-node on a model in a process of its own, as onnxc's C binary is timed:
// no compiler heap, no WASM instances and no onnxruntime-web beside it. Prints one JSON line.
// Usage: node dist/benchmarks/ortNode.js MODEL ITERS WARMUP INPUT.pb...
import * as ort from 'onnxruntime-node';
import { readTensorFile } from '../src/runners/index.js';

async function main() {
  const [file, iters, warmup, ...inputs] = process.argv.slice(2);
  // one intra-op thread as the benchmark states; everything else ORT's defaults
  const s = await ort.InferenceSession.create(file, { intraOpNumThreads: 1, logSeverityLevel: 3 });
  const feeds: Record<string, ort.Tensor> = {};
  s.inputNames.forEach((n, i) => { const t = readTensorFile(inputs[i]); feeds[n] = new ort.Tensor(t.dtype as never, t.data as never, t.shape); });
  for (let i = 0; i < Number(warmup); i++) await s.run(feeds);
  const ts: number[] = [];
  for (let i = 0; i < Number(iters); i++) { const t0 = performance.now(); await s.run(feeds); ts.push(performance.now() - t0); }
  ts.sort((a, b) => a - b);
  const mid = ts.length >> 1;
  process.stdout.write(JSON.stringify({ median_ms: ts.length % 2 ? ts[mid] : (ts[mid - 1] + ts[mid]) / 2, min_ms: ts[0] }) + '\n');
}

main();
