// A strict lint for generated HLS designs (NAME.cpp). No vendor tool runs here, so it checks
// the synthesizability rules on the text itself: no dynamic memory, no recursion, no pointer
// arithmetic (arrays are indexed, passed whole, or their scalars' addresses taken), no while/do/
// goto, every for loop with a constant trip count or a LOOP_TRIPCOUNT pragma, PIPELINE on every
// innermost loop, no `double` unless the model computes in float64, and the top function's
// interface pragmas (m_axi with depth= and s_axilite per array, s_axilite on return). In a
// DATAFLOW region (--hls-dataflow): only stream declarations, STREAM pragmas and process calls;
// every stream written by exactly one process and read by exactly one other, each stream
// parameter of a process read or written at one site only.

export interface LintOptions {
  /** Name of the top function (NAME_top). */
  top: string;
  /** The model computes in float64: `double` may appear. */
  allowDouble?: boolean;
}

/** Source without comments and string literals (kept: line structure and pragmas). */
function strip(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' ')).replace(/\/\/[^\n]*/g, '').replace(/"(?:[^"\\\n]|\\.)*"/g, '""');
}

/** Index of the bracket closing the one at `open`. */
function closing(s: string, open: number): number {
  const o = s[open], c = o === '(' ? ')' : o === '{' ? '}' : ']';
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if (s[i] === o) depth++;
    else if (s[i] === c && --depth === 0) return i;
  }
  return s.length;
}

const lineOf = (s: string, i: number) => s.slice(0, i).split('\n').length;
const isConst = (e: string) => /^\(?\s*-?\d+u?\s*\)?$/.test(e.trim());

interface Fn { name: string; params: string; body: string; at: number }

/** Function definitions at file scope. */
function functions(s: string): Fn[] {
  const out: Fn[] = [];
  const re = /^[A-Za-z_][\w ]*?\b([A-Za-z_]\w*)\s*\(/gm;
  for (const m of s.matchAll(re)) {
    if (/^(if|for|return|switch)$/.test(m[1]) || /^\s/.test(m[0])) continue;
    const open = m.index! + m[0].length - 1, close = closing(s, open);
    const after = s.slice(close + 1).match(/^\s*\{/);
    if (!after) continue;
    const bOpen = close + 1 + after[0].length - 1;
    out.push({ name: m[1], params: s.slice(open + 1, close), body: s.slice(bOpen, closing(s, bOpen) + 1), at: m.index! });
  }
  return out;
}

/** Violations of the HLS rules in a design's source, one line each ("line N: what"). */
export function lintHls(src: string, opts: LintOptions): string[] {
  const s = strip(src), bad: string[] = [];
  const flag = (i: number, what: string) => bad.push(`line ${lineOf(s, i)}: ${what}`);
  for (const m of s.matchAll(/\b(malloc|calloc|realloc|free|alloca|new|delete)\b/g)) flag(m.index!, `dynamic memory (${m[1]})`);
  for (const m of s.matchAll(/\b(while|do|goto)\b/g)) flag(m.index!, `unbounded control flow (${m[1]})`);
  if (!opts.allowDouble) for (const m of s.matchAll(/\bdouble\b/g)) flag(m.index!, 'double in a float32 design');
  for (const m of s.matchAll(/->|\(\s*(?:const\s+)?\w+\s*\*+\s*\)/g)) flag(m.index!, `pointer use (${m[0]})`);
  for (const m of s.matchAll(/(?:^|[(,=?:!]|\breturn)\s*&\s*\w+\s*\[/gm)) flag(m.index!, 'address of an array element (pointer arithmetic)');
  // loops: bounds and pipelining
  for (const m of s.matchAll(/\bfor\s*\(/g)) {
    const open = m.index! + m[0].length - 1, close = closing(s, open);
    const [, cond = ''] = s.slice(open + 1, close).split(';');
    const init = s.slice(open + 1, close).split(';')[0];
    const bOpen = s.indexOf('{', close);
    if (!/^\s*\{/.test(s.slice(close + 1))) { flag(m.index!, 'for loop without a braced body'); continue; }
    const body = s.slice(bOpen + 1, closing(s, bOpen));
    const lead = body.split('\n').slice(1).filter((l) => l.trim().startsWith('#pragma')).join('\n');
    const hi = /<\s*(.+)$/.exec(cond)?.[1] ?? '', lo = /=\s*(.+)$/.exec(init)?.[1] ?? '';
    if (!(isConst(hi) && isConst(lo)) && !/LOOP_TRIPCOUNT\s+max=\d+/.test(lead)) flag(m.index!, `loop without a constant trip count or LOOP_TRIPCOUNT (${cond.trim()})`);
    if (!/\bfor\s*\(/.test(body) && !/PIPELINE\s+II=\d+/.test(lead)) flag(m.index!, 'innermost loop without PIPELINE');
  }
  // recursion: a cycle in the call graph of the file's functions
  const fns = functions(s), defined = new Map(fns.map((f) => [f.name, f]));
  const calls = new Map(fns.map((f) => [f.name, new Set([...f.body.matchAll(/\b([A-Za-z_]\w*)\s*\(/g)].map((c) => c[1]).filter((c) => defined.has(c)))]));
  const state = new Map<string, number>();
  const visit = (n: string, path: string[]): void => {
    if (state.get(n) === 2) return;
    if (state.get(n) === 1) { flag(defined.get(n)!.at, `recursion (${[...path, n].join(' -> ')})`); return; }
    state.set(n, 1);
    for (const c of calls.get(n)!) visit(c, [...path, n]);
    state.set(n, 2);
  };
  for (const f of fns) visit(f.name, []);
  // arrays and pointer parameters: indexed, or passed whole as a call argument
  for (const f of fns) {
    const arrays = [...f.params.matchAll(/\*\s*(?:const\s+)?([A-Za-z_]\w*)|([A-Za-z_]\w*)\s*\[/g)].map((x) => x[1] ?? x[2]);
    const code = f.body.replace(/^\s*#pragma[^\n]*/gm, '');
    for (const a of arrays) for (const u of code.matchAll(new RegExp(`\\b${a}\\b`, 'g'))) {
      const before = code.slice(0, u.index!).trimEnd(), after = code.slice(u.index! + a.length).trimStart();
      const ok = after.startsWith('[') || ((/[(,]$/.test(before) || /\(void\)$/.test(before)) && /^[,);]/.test(after));
      if (!ok) flag(f.at, `${f.name}: '${a}' used other than indexed or passed whole`);
    }
  }
  dataflowRules(fns, flag);
  // the top function's interface
  const top = defined.get(opts.top);
  if (!top) bad.push(`no top function ${opts.top}`);
  else {
    if (!/#pragma HLS INTERFACE s_axilite port=return\b/.test(top.body)) flag(top.at, `${opts.top}: no s_axilite control on return`);
    for (const [, name] of top.params.matchAll(/([A-Za-z_]\w*)\s*\[/g)) {
      if (!new RegExp(`#pragma HLS INTERFACE m_axi port=${name} .*depth=\\d+`).test(top.body)) flag(top.at, `${opts.top}: port ${name} has no m_axi interface with depth=`);
      if (!new RegExp(`#pragma HLS INTERFACE s_axilite port=${name}\\b`).test(top.body)) flag(top.at, `${opts.top}: port ${name} has no s_axilite control`);
    }
  }
  return bad;
}

/** The DATAFLOW rules (see the file head) over every function that holds the pragma. */
function dataflowRules(fns: Fn[], flag: (i: number, what: string) => void): void {
  const byName = new Map(fns.map((f) => [f.name, f]));
  /** How a process uses each of its stream parameters: 'read', 'write', or a violation. */
  const streamUse = (f: Fn): string[] => [...f.params.matchAll(/hls::stream<[^>]+>\s*&\s*(\w+)/g)].map(([, p]) => {
    const reads = f.body.match(new RegExp(`\\b${p}\\.read\\(`, 'g'))?.length ?? 0, writes = f.body.match(new RegExp(`\\b${p}\\.write\\(`, 'g'))?.length ?? 0;
    if (reads + writes !== 1) flag(f.at, `${f.name}: stream '${p}' is read ${reads} and written ${writes} times (one site expected)`);
    return reads ? 'read' : 'write';
  });
  for (const region of fns.filter((f) => /#pragma HLS DATAFLOW\b/.test(f.body))) {
    const streams = new Map<string, { w: number; r: number }>();
    for (const line of region.body.slice(1, -1).split('\n').map((l) => l.trim()).filter(Boolean)) {
      const decl = /^hls::stream<[^>]+>\s+(\w+)\s*(?:\([^)]*\))?;$/.exec(line);
      if (decl) { streams.set(decl[1], { w: 0, r: 0 }); continue; }
      if (/^#pragma HLS (DATAFLOW|STREAM variable=\w+ depth=\d+)$/.test(line)) continue;
      const call = /^(\w+)\(([^)]*)\);$/.exec(line);
      const proc = call && byName.get(call[1]);
      if (!proc) { flag(region.at, `${region.name}: DATAFLOW region holds '${line}' (only streams and process calls)`); continue; }
      const uses = streamUse(proc), args = call![2].split(',').map((a) => a.trim());
      const params = proc.params.split(',');
      args.forEach((a, i) => {
        const st = streams.get(a);
        if (!st || !/hls::stream/.test(params[i] ?? '')) return;
        const k = params.slice(0, i).filter((q) => /hls::stream/.test(q)).length;
        if (uses[k] === 'read') st.r++; else st.w++;
      });
    }
    for (const [name, { w, r }] of streams) if (w !== 1 || r !== 1) flag(region.at, `${region.name}: stream '${name}' has ${w} writers and ${r} readers (one each expected)`);
  }
}
