// The HLS lint (codegen/hls/lint.ts) on hand-written designs: a clean one passes, and each
// rule catches the design that breaks it (generated designs are linted by every HLS build:
// test/hls/models.test.ts and the conformance suite).
import { describe, expect, it } from 'vitest';
import { lintHls } from '../../dist/codegen/hls/lint.js';

const kernel = (body: string) => `static void k0(const float x[8], float y[8]) {
${body}
}
`;
const top = `int m_top(const float x[8], float y[8]) {
#pragma HLS INTERFACE m_axi port=x offset=slave bundle=gmem0 depth=8
#pragma HLS INTERFACE s_axilite port=x bundle=control
#pragma HLS INTERFACE m_axi port=y offset=slave bundle=gmem1 depth=8
#pragma HLS INTERFACE s_axilite port=y bundle=control
#pragma HLS INTERFACE s_axilite port=return bundle=control
  k0(x, y);
  return 0;
}
`;
const CLEAN = `  for (ptrdiff_t i = 0; i < 8; ++i) {
    #pragma HLS PIPELINE II=1
    y[i] = x[i] > 0.0f ? x[i] & 1 : 0.0f;
  }`;
const lint = (body: string, t = top) => lintHls(kernel(body) + t, { top: 'm_top' });

describe('HLS lint', () => {
  it('passes a design that follows every rule', () => {
    expect(lint(CLEAN)).toEqual([]);
    // a bound that is not constant, with its trip count given
    expect(lint('  for (ptrdiff_t j = 0; j < 4; ++j) {\n    for (ptrdiff_t i = j; i < 8; ++i) {\n      #pragma HLS LOOP_TRIPCOUNT max=8\n      #pragma HLS PIPELINE II=1\n      y[i] = x[j];\n    }\n  }')).toEqual([]);
  });

  const cases: [string, string, RegExp][] = [
    ['dynamic memory', '  float *t = (float *)malloc(32);\n  (void)t;', /dynamic memory \(malloc\)/],
    ['new', '  float *t = new float[8];\n  (void)t;', /dynamic memory \(new\)/],
    ['a while loop', '  int i = 0;\n  while (i < 8) { y[i] = x[i]; ++i; }', /unbounded control flow \(while\)/],
    ['pointer arithmetic', '  const float *p = x + 1;\n  y[0] = p[0];', /'x' used other than indexed/],
    ['the address of an element', '  k1(&y[2]);', /address of an array element/],
    ['a loop with a variable bound and no trip count', '  for (ptrdiff_t j = 0; j < 4; ++j) {\n    for (ptrdiff_t i = j; i < 8; ++i) {\n      #pragma HLS PIPELINE II=1\n      y[i] = x[j];\n    }\n  }', /without a constant trip count or LOOP_TRIPCOUNT/],
    ['an innermost loop without PIPELINE', '  for (ptrdiff_t i = 0; i < 8; ++i) {\n    y[i] = x[i];\n  }', /innermost loop without PIPELINE/],
    ['double in a float design', '  double s = x[0];\n  y[0] = (float)s;', /double in a float32 design/],
  ];
  it.each(cases)('catches %s', (_, body, why) => {
    expect(lint(body).join('\n')).toMatch(why);
  });

  it('allows double where the model computes in float64', () => {
    expect(lintHls(kernel('  double s = x[0];\n  y[0] = (float)s;') + top, { top: 'm_top', allowDouble: true })).toEqual([]);
  });

  it('catches recursion, direct or through another function', () => {
    const rec = 'static int f(int n) {\n  return n ? g(n - 1) : 0;\n}\nstatic int g(int n) {\n  return f(n);\n}\n';
    expect(lintHls(rec + kernel(CLEAN) + top, { top: 'm_top' }).join('\n')).toMatch(/recursion \(f -> g -> f\)/);
  });

  it('checks the top function\'s interface pragmas', () => {
    const noDepth = top.replace(' depth=8\n#pragma HLS INTERFACE s_axilite port=x', '\n#pragma HLS INTERFACE s_axilite port=x');
    expect(lint(CLEAN, noDepth).join('\n')).toMatch(/port x has no m_axi interface with depth=/);
    expect(lint(CLEAN, top.replace(/.*port=return.*\n/, '')).join('\n')).toMatch(/no s_axilite control on return/);
    expect(lintHls(kernel(CLEAN), { top: 'm_top' })).toEqual(['no top function m_top']);
  });

  it('checks DATAFLOW regions: only streams and process calls, one writer and one reader per stream', () => {
    const procs = `static void prod(const float x[8], hls::stream<float> &o) {
  for (ptrdiff_t i = 0; i < 8; ++i) {
    #pragma HLS PIPELINE II=1
    o.write(x[i]);
  }
}
static void cons(hls::stream<float> &in, float y[8]) {
  for (ptrdiff_t i = 0; i < 8; ++i) {
    #pragma HLS PIPELINE II=1
    y[i] = in.read();
  }
}
`;
    const region = (calls: string) => `static void df(const float x[8], float y[8]) {
#pragma HLS DATAFLOW
  hls::stream<float> s0("s0");
#pragma HLS STREAM variable=s0 depth=8
${calls}
}
`;
    const dfTop = top.replace('k0(x, y);', 'df(x, y);');
    const lintDf = (calls: string, p = procs) => lintHls(p + region(calls) + dfTop, { top: 'm_top' });
    expect(lintDf('  prod(x, s0);\n  cons(s0, y);')).toEqual([]);
    expect(lintDf('  prod(x, s0);\n  cons(s0, y);\n  cons(s0, y);').join('\n')).toMatch(/stream 's0' has 1 writers and 2 readers/);
    expect(lintDf('  prod(x, s0);').join('\n')).toMatch(/stream 's0' has 1 writers and 0 readers/);
    expect(lintDf('  prod(x, s0);\n  float t = 0;\n  cons(s0, y);').join('\n')).toMatch(/region holds 'float t = 0;'/);
    expect(lintDf('  prod(x, s0);\n  cons(s0, y);', procs.replace('y[i] = in.read();', 'y[i] = in.read() + in.read();')).join('\n')).toMatch(/stream 'in' is read 2 and written 0 times/);
  });
});
