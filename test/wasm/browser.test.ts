// The generated loader + module run unchanged in a browser: headless Chromium (Debian's
// /usr/bin/chromium driven by playwright-core) loads NAME.js from a loopback HTTP server,
// which fetches NAME.wasm beside it; the outputs must equal, bit for bit, those of the same
// files run in Node. Skips (with a message) where Chromium or playwright-core is missing.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileFile, writeFiles } from '../../dist/src/api.js';
import { readTensorFile } from '../../dist/src/runners/index.js';

const CHROMIUM = '/usr/bin/chromium';
const NODE_TESTS = path.resolve(__dirname, '../../../shared/onnx-tests/node');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
// float32 SIMD + lane-wise libm, float64 libm, float16 storage, int64 (BigInt64Array), a guarded input
const CASES: [string, string[]][] = [
  ['test_erf', []], ['test_sin', []], ['test_pow_types_float32_int64', []], ['test_mod_mixed_sign_float64', []],
  ['test_cast_FLOAT_to_FLOAT16', []], ['test_mod_mixed_sign_int64', []], ['test_reshape_reordered_all_dims', ['shape']],
];

const missing = !fs.existsSync(CHROMIUM) ? `${CHROMIUM} is absent (apt-get install chromium)` : !fs.existsSync(NODE_TESTS) ? `no ONNX node tests at ${NODE_TESTS}` : '';
if (missing) console.warn(`skipping the browser test: ${missing}`);

// Page-side code as source text (the test file itself is transformed by Vite; this must not be)
const RUN_IN_PAGE = `async ({ url, ins }) => {
  const m = await import(url);
  const model = await m.load();
  const arrays = model.model.inputs.map((t, i) => new t.array(new Uint8Array(ins[i]).buffer));
  const outs = model.run(arrays);
  return Object.values(outs).map((o) => ({ dtype: o.dtype, shape: o.shape, bytes: Array.from(new Uint8Array(o.data.buffer, o.data.byteOffset, o.data.byteLength)) }));
}`;
const WRONG_TYPE_IN_PAGE = `async (url) => {
  const model = await (await import(url)).load();
  try { model.run([new Float64Array(3 * 4 * 5)]); return 'no error'; } catch (e) { return String(e.message); }
}`;
const inPage = (fn: string, arg: unknown) => `(${fn})(${JSON.stringify(arg)})`;

type Bytes = { dtype: string; shape: number[]; bytes: number[] };
const bytesOf = (a: ArrayBufferView) => Array.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));

describe.skipIf(!!missing)('wasm output in headless Chromium', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'onnxc-wasm-browser-'));
  let server: http.Server, base = '';
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let browser: any;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const file = path.join(root, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
      if (!file.startsWith(root) || !fs.existsSync(file) || !fs.statSync(file).isFile()) { res.writeHead(404).end(); return; }
      const type = file.endsWith('.wasm') ? 'application/wasm' : file.endsWith('.js') ? 'text/javascript' : 'text/html';
      res.writeHead(200, { 'content-type': type }).end(fs.readFileSync(file));
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>onnxc</title>');
    let chromium;
    try {
      ({ chromium } = await import('playwright-core'));
    } catch {
      throw new Error('playwright-core is not installed (npm install --save-dev playwright-core)');
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((ok) => server?.close(ok));
    fs.rmSync(root, { recursive: true, force: true });
  });

  for (const [name, specialize] of CASES) {
    it(`${name}: same outputs as in Node`, async () => {
      const dir = path.join(NODE_TESTS, name), out = path.join(root, name);
      const inputs = fs.readdirSync(path.join(dir, 'test_data_set_0')).filter((f) => f.startsWith('input_')).sort()
        .map((f) => readTensorFile(path.join(dir, 'test_data_set_0', f)));
      const consts = Object.fromEntries(inputs.filter((t) => specialize.includes(t.name)).map((t) => [t.name, t]));
      writeFiles(out, compileFile(path.join(dir, 'model.onnx'), { target: 'wasm', name: 'model', consts }).files);

      // Node: the loader reads model.wasm beside it
      const loader = await import(pathToFileURL(path.join(out, 'model.js')).href);
      const inNode = (await loader.load()).run(inputs.map((t) => t.data));
      const nodeOut: Bytes[] = Object.values(inNode as Record<string, { dtype: string; shape: number[]; data: ArrayBufferView }>)
        .map((o) => ({ dtype: o.dtype, shape: o.shape, bytes: bytesOf(o.data) }));

      // Chromium: same loader, fetched over HTTP; inputs travel as bytes
      const page = await browser.newPage();
      try {
        await page.goto(`${base}/index.html`);
        const inBrowser: Bytes[] = await page.evaluate(inPage(RUN_IN_PAGE, { url: `${base}/${name}/model.js`, ins: inputs.map((t) => bytesOf(t.data)) }));
        expect(inBrowser).toEqual(nodeOut);
      } finally {
        await page.close();
      }
    }, 120_000);
  }

  it('rejects a wrong input type with a clear message in the browser', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${base}/index.html`);
      const msg = await page.evaluate(inPage(WRONG_TYPE_IN_PAGE, `${base}/test_erf/model.js`));
      expect(msg).toMatch(/input 'x' must be a Float32Array/);
    } finally {
      await page.close();
    }
  }, 60_000);
});
