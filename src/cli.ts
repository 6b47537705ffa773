// onnxc command line: compile, run, test, inspect. Every failure is one `error:` line on
// stderr with exit code 1 (2 for usage errors); stack traces only with --verbose.
import yargs from 'yargs';
import { CompileError } from '../ir/errors.js';
import { benchCommand } from './commands/bench.js';
import { compileCommand } from './commands/compile.js';
import { UsageError } from './commands/common.js';
import { inspectCommand } from './commands/inspect.js';
import { runCommand } from './commands/run.js';
import { testCommand } from './commands/test.js';
import { pick } from './options.js';

const COMPILE_OPTS = ['target', 'output', 'name', 'dim', 'const', 'weights', 'simd', 'cpu', 'freestanding', 'print-after-all', 'dump-ir', 'time-passes'] as const;

export async function main(argv: string[]): Promise<number> {
  let action: (() => number | Promise<number>) | undefined;
  let usage: string | undefined;
  const parser = yargs(argv)
    .scriptName('onnxc')
    .usage('$0 <command> [options]')
    .command('compile <model>', 'compile an ONNX model to C or WebAssembly', (y) => y.options(pick(...COMPILE_OPTS, 'max-ram')),
      (a) => { action = () => compileCommand(a as never); })
    .command('run <model>', 'compile, run on TensorProto inputs, write output_K.pb', (y) => y.options(pick(...COMPILE_OPTS, 'input', 'output-dir')),
      (a) => { action = () => runCommand(a as never); })
    .command('test <dirs..>', 'run ONNX backend test cases and compare with their outputs', (y) => y.options(pick('target', 'json', 'filter', 'jobs', 'keep', 'simd', 'cpu', 'freestanding')),
      (a) => { action = () => testCommand(a as never); })
    .command('bench <model>', 'time the compiled model on seeded inputs (median of --iters runs)', (y) => y.options(pick('target', 'iters', 'dim', 'json', 'name', 'profile', 'cpu')),
      (a) => { action = () => benchCommand(a as never); })
    .command('inspect <model>', 'show inputs, outputs, ops, inferred shapes and the arena size', (y) => y.options(pick('dim')),
      (a) => { action = () => inspectCommand(a as never); })
    .options(pick('verbose'))
    .demandCommand(1, 'a command is required')
    .strict()
    .version('0.1.0')
    .help()
    .fail((msg, err) => { usage = msg || err?.message || 'invalid arguments'; })
    .exitProcess(false);
  let verbose = argv.includes('--verbose');
  try {
    await parser.parseAsync();
  } catch (e) {
    usage ??= (e as Error).message;
  }
  if (usage) {
    process.stderr.write(`error: ${usage.split('\n')[0]}\n`);
    return 2;
  }
  if (!action) return 0; // --help / --version
  try {
    return await action();
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`error: ${e.message}\n`);
      return 2;
    }
    if (e instanceof CompileError) {
      process.stderr.write(`error: ${e.message}\n`);
      return 1;
    }
    const err = e as Error;
    process.stderr.write(`error: internal error: ${err.message?.split('\n')[0]}${verbose ? '' : ' (run with --verbose for details)'}\n`);
    if (verbose) process.stderr.write(`${err.stack}\n`);
    return 1;
  }
}
