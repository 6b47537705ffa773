// onnxc command line: compile, build, run, test, bench, inspect. Every failure is one `error:` line on
// stderr with exit code 1 (2 for usage errors); stack traces only with --verbose.
import yargs from 'yargs';
import { CompileError, InternalError } from '../ir/errors.js';
import { internalMessage, oneLine } from './commands/errors.js';
import { benchCommand } from './commands/bench.js';
import { buildCommand } from './commands/build.js';
import { compileCommand } from './commands/compile.js';
import { UsageError } from './commands/common.js';
import { inspectCommand } from './commands/inspect.js';
import { runCommand } from './commands/run.js';
import { tensorCommand } from './commands/tensor.js';
import { testCommand } from './commands/test.js';
import { pick } from './options.js';
import { checkCounts, formatUsage } from './usage.js';
import { loadWasmBackend } from './compile.js';

const COMPILE_OPTS = ['target', 'output', 'name', 'dim', 'const', 'weights', 'simd', 'cpu', 'freestanding', 'print-after-all', 'dump-ir', 'time-passes', 'hls-clock-ns', 'hls-onchip-bytes', 'hls-reuse', 'hls-dataflow'] as const;

export async function main(argv: string[]): Promise<number> {
  let action: (() => number | Promise<number>) | undefined;
  let usage: string | undefined;
  const parser = yargs(argv)
    .scriptName('onnxc')
    .usage('$0 <command> [options]')
    .command('compile <model>', 'compile an ONNX model to C, WebAssembly, CUDA or HLS C++', (y) => y.options(pick(...COMPILE_OPTS, 'profile', 'emit-build', 'max-ram')),
      (a) => { action = () => compileCommand(a as never); })
    .command('build <model>', 'compile to C and build a command-line program with runtime-c\'s main', (y) => y.options(pick('target', 'output', 'name', 'dim', 'const', 'weights', 'simd', 'cpu')),
      (a) => { action = () => buildCommand(a as never); })
    .command('run <model>', 'compile, run on .pb/.npy inputs, write output_K.pb (or .npy)', (y) => y.options(pick(...COMPILE_OPTS, 'input', 'output-dir', 'output-format', 'print')),
      (a) => { action = () => runCommand(a as never); })
    .command('test <dirs..>', 'run ONNX backend test cases and compare with their outputs', (y) => y.options(pick('target', 'json', 'filter', 'jobs', 'keep', 'simd', 'cpu', 'freestanding')),
      (a) => { action = () => testCommand(a as never); })
    .command('bench <model>', 'time the compiled model on seeded inputs (median of --iters runs)', (y) => y.options(pick('target', 'iters', 'dim', 'json', 'name', 'profile', 'cpu')),
      (a) => { action = () => benchCommand(a as never); })
    .command('tensor <file>', 'print a .pb or .npy tensor: name, dtype, shape, summarised values, min/max/mean', (y) => y,
      (a) => { action = () => tensorCommand(a as never); })
    .command('inspect <model>', 'show inputs, outputs, ops, inferred shapes and the arena size', (y) => y.options(pick('dim', 'json', 'memory-svg')),
      (a) => { action = () => inspectCommand(a as never); })
    .options(pick('verbose'))
    .demandCommand(1, 'a command is required')
    .strict()
    .version('0.1.0')
    .help()
    .fail((msg, err) => { usage = msg || err?.message || 'invalid arguments'; })
    .check((a) => { const bad = checkCounts(a, argv); if (bad) throw new Error(bad); return true; })
    .exitProcess(false);
  let verbose = argv.includes('--verbose');
  let parsed: { target?: unknown } = {};
  try {
    parsed = (await parser.parseAsync()) as { target?: unknown };
  } catch (e) {
    usage ??= (e as Error).message;
  }
  if (usage) {
    // no command at all: the list of commands is the useful answer
    if (!argv.some((a) => !a.startsWith('-'))) process.stderr.write(`${await parser.getHelp()}\n\n`);
    process.stderr.write(`error: ${oneLine(formatUsage(usage))}\n`);
    return 2;
  }
  if (!action) return 0; // --help / --version
  try {
    // Binaryen loads only for the commands that emit WASM (a C compile does not pay its import)
    if (parsed.target === 'wasm') await loadWasmBackend();
    return await action();
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`error: ${oneLine(e.message)}\n`);
      return 2;
    }
    if (e instanceof CompileError) {
      process.stderr.write(`error: ${oneLine(e.message)}\n`);
      return 1;
    }
    process.stderr.write(`error: ${oneLine(internalMessage(e, verbose))}\n`);
    if (verbose) process.stderr.write(`${((e instanceof InternalError ? e.cause : e) as Error)?.stack}\n`);
    return 1;
  }
}
