// `npm run conformance:update [-- TARGET...]`: runs the suites and adds newly passing cases to
// the expected lists. Cases that regressed are reported, never removed.
import { TARGETS } from '../nodeCompile.js';
import { Scoreboard, readExpected, runConformance, writeExpected } from './conformance.js';

async function main(): Promise<number> {
  const targets = (process.argv.slice(2).length ? process.argv.slice(2) : TARGETS) as Scoreboard[];
  let bad = 0;
  for (const t of targets) {
    const r = await runConformance(t);
    writeExpected(t, [...readExpected(t), ...r.newPasses]);
    console.log(`${t}: ${r.passed}/${r.results.length} pass; ${r.newPasses.length} added to the list; ${r.regressions.length} regressions`);
    for (const x of r.regressions) console.log(`  REGRESSION ${x.id}: ${x.reason}`);
    bad += r.regressions.length;
  }
  return bad ? 1 : 0;
}

main().then((c) => { process.exitCode = c; });
