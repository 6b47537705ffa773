// Every CLI option, in one table; commands pick the ones they take by name.
import type { Options } from 'yargs';

export const OPTIONS = {
  target: { type: 'string', choices: ['c', 'wasm', 'cuda', 'hls'], default: 'c', describe: 'code generation target (cuda: runs on a GPU when nvidia-smi finds one, else in the host emulation; hls: Vitis HLS C++, run as C-simulation with g++)' },
  output: { alias: 'o', type: 'string', describe: 'compile: output folder (default ./out); build: the program (default ./NAME); run: where output_K.pb go (default .)' },
  name: { type: 'string', describe: 'symbol prefix / module name (default: from the model file name)' },
  dim: { type: 'string', array: true, describe: 'bind a symbolic dimension: NAME=VALUE, or NAME=LO..HI for any value in that range at run time (repeatable)' },
  const: { type: 'string', array: true, describe: 'specialize on an input value: NAME=FILE.pb (repeatable)' },
  weights: { type: 'string', choices: ['incbin', 'c'], describe: 'C: large weights as a .bin pulled in with .incbin (GNU assembler), or as C arrays (default incbin; c with --no-simd)' },
  cpu: { type: 'string', choices: ['host', 'host-avx512', 'native', 'generic', 'cortex-m0plus', 'cortex-m4', 'cortex-m7', 'cortex-m33', 'cortex-m55'], describe: 'C: the CPU row kernels are sized for, as gcc -mcpu (native: host-avx512 where this machine has AVX-512F, else host; generic: plain C99; cortex-m*: microcontrollers, run under qemu-system-arm; default host, bench: native)' },
  freestanding: { type: 'boolean', default: false, describe: 'C: no libc and no libm (the math functions a model needs, memcpy and memset are generated into the C)' },
  'max-ram': { type: 'number', describe: 'compile: RAM budget in bytes (arena, plus the worst-case stack on cortex-m rows); over it, the plan trades speed for memory, else an error' },
  simd: { type: 'boolean', default: true, describe: 'emit SIMD vector code (--no-simd: plain C99 for any compiler)' },
  input: { alias: 'i', type: 'string', array: true, describe: 'input tensor file, TensorProto .pb or NumPy .npy (by extension), in graph input order (repeatable)' },
  'output-format': { type: 'string', choices: ['pb', 'npy'], default: 'pb', describe: 'run: write output_K.pb (TensorProto) or output_K.npy (NumPy)' },
  print: { type: 'boolean', default: false, describe: 'run: also print each output numpy-style (shape, dtype, summarised values, min/max/mean)' },
  'output-dir': { type: 'string', describe: 'where run writes output_K.pb or .npy (same as -o; default .)' },
  json: { type: 'string', describe: 'write results as JSON to this file (stdout when no file is given)' },
  'memory-svg': { type: 'string', describe: 'inspect: draw the arena plan (buffers over steps × offsets) into this SVG file' },
  filter: { type: 'string', describe: 'only cases whose name matches this regular expression' },
  jobs: { alias: 'j', type: 'number', describe: 'cases compiled and run in parallel (default: CPU count)' },
  keep: { type: 'boolean', default: false, describe: 'keep the build folders of test cases' },
  'print-after-all': { type: 'boolean', default: false, describe: 'print the IR after every pass (stderr)' },
  'dump-ir': { type: 'string', describe: 'write the IR after every pass to DIR/NNN_pass.txt' },
  'time-passes': { type: 'boolean', default: false, describe: 'print the time each pass takes' },
  verbose: { type: 'boolean', default: false, describe: 'print stack traces of internal errors' },
  profile: { type: 'boolean', default: false, describe: 'time every kernel (bench: print where the time goes; compile: emit a profile build that calls onnxc_profile_step / imports onnxc.step)' },
  'emit-build': { type: 'string', choices: ['make', 'cmake'], describe: 'C: also write a Makefile or CMakeLists.txt (and runtime-c\'s main) that build libNAME.a and the program NAME' },
  'hls-clock-ns': { type: 'number', default: 5, describe: 'hls: clock period in ns for run_hls.tcl and the latency estimate' },
  'hls-onchip-bytes': { type: 'number', default: 2097152, describe: 'hls: bytes of intermediates kept in on-chip arrays; past it the largest go to an m_axi DDR arena' },
  'hls-dataflow': { type: 'boolean', default: false, describe: 'hls: layers as processes of a DATAFLOW region connected by hls::stream FIFOs (as hls4ml\'s io_stream); every intermediate on chip (streams and process-local arrays), so --hls-onchip-bytes does not apply' },
  'hls-reuse': { type: 'number', default: 1, describe: 'hls: reuse factor: pipelined loops start an iteration every N cycles (II=N), each multiplier serving N operations (fewer DSPs, longer latency)' },
  iters: { type: 'number', default: 50, describe: 'timed iterations (bench)' },
} satisfies Record<string, Options>;

export type OptionName = keyof typeof OPTIONS;

export function pick(...names: OptionName[]): Record<string, Options> {
  return Object.fromEntries(names.map((n) => [n, OPTIONS[n] as Options]));
}
