// The data section onnxc writes itself (codegen/wasm/dataSection.ts): segments land at their
// offsets, including past 2 GiB (a negative i32.const immediate), and the module keeps its code.
import { describe, expect, it } from 'vitest';
import { WasmModule } from '../../dist/codegen/wasm/binaryen.js';

/** A module of `pages` pages exporting memory and `get(addr)`, the byte at addr. */
function build(pages: number, segments: { offset: number; data: Uint8Array }[]): Uint8Array {
  const w = new WasmModule();
  try {
    w.addFunction('get', ['i32'], 'i32', [], w.load('i32', 'load8_u', w.get(0, 'i32')));
    w.exportFunction('get');
    w.setMemory(pages, segments);
    return w.finish(2);
  } finally { w.dispose(); }
}

describe('wasm data section', () => {
  it('places segments at their offsets, below and past 2 GiB, and keeps the code', async () => {
    const high = 2 ** 31 + 16;
    const bin = build(Math.ceil((high + 64) / 65536), [
      { offset: 64, data: new Uint8Array([1, 2, 3]) }, { offset: 200, data: new Uint8Array(0) }, { offset: high, data: new Uint8Array([7, 8]) }]);
    const { instance } = await WebAssembly.instantiate(bin);
    const get = instance.exports.get as (a: number) => number;
    expect([get(63), get(64), get(65), get(66), get(67)]).toEqual([0, 1, 2, 3, 0]);
    expect([get(high | 0), get((high + 1) | 0), get((high + 2) | 0)]).toEqual([7, 8, 0]);
  });
});
