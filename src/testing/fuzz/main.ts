// `npm run fuzz -- --count N --seed S [--target c|wasm] [-j N] [--build-every K]`: the long fuzz
// run. Prints a summary per status and every failing case with how to reproduce it; exit 1 if any.
import { FuzzOptions, failures, reproduce, runFuzz } from './fuzz.js';

function arg(name: string, dflt: string): string {
  const k = process.argv.indexOf(`--${name}`);
  return k >= 0 && process.argv[k + 1] ? process.argv[k + 1] : dflt;
}

const o: FuzzOptions = {
  seed: Number(arg('seed', String(Date.now() % 1e9))), count: Number(arg('count', '500')),
  target: arg('target', 'c') as 'c' | 'wasm', jobs: Number(arg('j', '2')), buildEvery: Number(arg('build-every', '10')),
};
const t0 = Date.now();
let done = 0;
const lines = await runFuzz({ ...o, onCase: () => { if (++done % 100 === 0) process.stderr.write(`${done}/${o.count}\n`); } });
const by = new Map<string, number>();
for (const c of lines) by.set(c.status, (by.get(c.status) ?? 0) + 1);
console.log(`fuzz seed ${o.seed}, ${o.count} mutants on ${o.target}: ${[...by].map(([s, n]) => `${n} ${s}`).join(', ')} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
const bad = failures(lines);
for (const c of bad) console.log(reproduce(o, c));
process.exitCode = bad.length ? 1 : 0;
