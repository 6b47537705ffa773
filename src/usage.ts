// Command-line usage errors as one readable line: yargs' multi-line messages flattened, and
// number options (which yargs turns into NaN when given text) checked against the raw argv.
import { OPTIONS, OptionName } from './options.js';

/** yargs' `Invalid values:` block → `--target: invalid value 'x' (choices: c, wasm, cuda)`, one line. */
export function formatUsage(msg: string): string {
  const bad = [...msg.matchAll(/Argument: ([^,\n]+), Given: (.*?), Choices: ([^\n]*)/g)];
  if (bad.length) {
    const unq = (s: string) => s.trim().replace(/^"(.*)"$/, '$1');
    return bad.map(([, opt, given, choices]) => `--${opt}: invalid value '${unq(given)}' (choices: ${choices.split(/,\s*/).map(unq).join(', ')})`).join('; ');
  }
  return msg.split('\n').map((l) => l.trim()).filter(Boolean).join(' ');
}

/** Number options that must be integers ≥ 1 when given. */
const COUNTS: OptionName[] = ['iters', 'jobs'];

/** The first number option given something other than a positive integer, as a message; else undefined. */
export function checkCounts(args: Record<string, unknown>, argv: string[]): string | undefined {
  for (const name of COUNTS) {
    const v = args[name];
    if (v === undefined || (typeof v === 'number' && Number.isInteger(v) && v >= 1)) continue;
    const spellings = [`--${name}`, ...('alias' in OPTIONS[name] ? [`-${(OPTIONS[name] as { alias: string }).alias}`] : [])];
    const i = argv.findIndex((a) => spellings.includes(a));
    const raw = i >= 0 ? argv[i + 1] : argv.find((a) => spellings.some((s) => a.startsWith(`${s}=`)))?.split('=')[1];
    return `--${name} expects a positive integer, got '${raw ?? String(v)}'`;
  }
  return undefined;
}
