// `npm run conformance:check -- TARGET... [--every N]`: runs the ONNX suites on each target and
// fails when a case of its expected list (test/conformance/expected-TARGET.txt) does not pass.
// --every N runs only every Nth case of the list (a sample); --offset K starts that sample at case K. CI runs the full CUDA suite this way
// after `npm test` (which runs CUDA on a sample): every expected list is enforced on every submission.
import { Scoreboard } from './conformance.js';
import { cudaDevice } from '../runners/cuda.js';
import { readExpected, runConformance } from './conformance.js';

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const at = args.indexOf('--every'), every = at >= 0 ? Number(args.splice(at, 2)[1]) : 1;
  const ot = args.indexOf('--offset'), offset = ot >= 0 ? Number(args.splice(ot, 2)[1]) : 0;
  let bad = 0;
  for (const t of args as Scoreboard[]) {
    if (t === 'cuda') console.log(`cuda: running on ${cudaDevice().description}`);
    const list = readExpected(t), only = every > 1 ? new Set(list.filter((_, i) => i % every === offset % every)) : undefined;
    const t0 = Date.now();
    const r = await runConformance(t, { only });
    console.log(`conformance ${t}: ${r.passed}/${r.results.length} pass (expected list ${list.length}${only ? `, sample of ${only.size}` : ''}); ` +
      `${r.newPasses.length} newly passing; ${r.regressions.length} regressions; ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    for (const x of r.regressions) console.log(`  REGRESSION ${x.id}: ${x.reason}`);
    // the closing line counts the cases of the list: the ones it gates on
    const gated = only ?? new Set(list);
    console.log(`${t}: ${gated.size - r.regressions.length} passed, ${r.regressions.length} failed`);
    bad += r.regressions.length;
  }
  return bad ? 1 : 0;
}

main().then((c) => { process.exitCode = c; });
