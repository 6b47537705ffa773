// The module's data section, written by onnxc rather than Binaryen: weights never enter
// Binaryen's heap (which would hold them twice more, once as segments and once in the emitted
// binary), so a model compiles in memory close to its size. The section is spliced in after the
// code section of the binary Binaryen emits for the module without segments.

/** One active segment of memory 0: `data` placed at byte `offset`. */
export interface Segment { offset: number; data: Uint8Array }

const CODE = 10, DATA = 11, DATA_COUNT = 12;

/** Unsigned LEB128. */
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

/** Signed LEB128 of a 32-bit value (an i32.const immediate: addresses past 2 GiB are negative). */
function sleb32(v: number): number[] {
  let n = BigInt.asIntN(32, BigInt(v));
  const out: number[] = [];
  for (;;) {
    const b = Number(n & 0x7fn);
    n >>= 7n;
    if ((n === 0n && !(b & 0x40)) || (n === -1n && b & 0x40)) { out.push(b); return out; }
    out.push(b | 0x80);
  }
}

/** Where each top-level section of a binary starts and ends (header excluded). */
function sections(bin: Uint8Array): { id: number; start: number; end: number }[] {
  const out: { id: number; start: number; end: number }[] = [];
  let p = 8;
  while (p < bin.length) {
    const start = p, id = bin[p++];
    let size = 0, scale = 1, b: number;
    do { b = bin[p++]; size += (b & 0x7f) * scale; scale *= 128; } while (b & 0x80);
    p += size;
    out.push({ id, start, end: p });
  }
  return out;
}

/**
 * `bin` (a module without data segments) with a data section holding `segments`, placed after
 * its code section. The weights are copied once, into the returned binary.
 */
export function spliceDataSection(bin: Uint8Array, segments: Segment[]): Uint8Array {
  const live = segments.filter((s) => s.data.length);
  if (!live.length) return bin;
  const secs = sections(bin);
  if (secs.some((s) => s.id === DATA || s.id === DATA_COUNT)) throw new Error('wasm: Binaryen emitted data segments; onnxc writes them');
  const code = secs.find((s) => s.id === CODE);
  const at = code ? code.end : bin.length;
  const heads = live.map((s) => [0, 0x41, ...sleb32(s.offset), 0x0b, ...uleb(s.data.length)]);
  const body = uleb(live.length).length + live.reduce((n, s, i) => n + heads[i].length + s.data.length, 0);
  const secHead = [DATA, ...uleb(body)];
  const out = new Uint8Array(bin.length + secHead.length + body);
  out.set(bin.subarray(0, at), 0);
  let o = at;
  const put = (b: ArrayLike<number>) => { out.set(b, o); o += b.length; };
  put(secHead);
  put(uleb(live.length));
  live.forEach((s, i) => { put(heads[i]); put(s.data); });
  put(bin.subarray(at));
  return out;
}
