// The browser page (web/): built by esbuild, served from a loopback HTTP server and driven in
// headless Chromium. It must compile examples/tiny_cnn.onnx in the page to the same C and WASM
// files Node writes, offer them for download, and its in-page run on seeded inputs must equal
// Node running the downloaded module on the same inputs. Skips where Chromium is missing.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileFile } from '../../dist/src/api.js';
import { seededInputs } from '../../dist/src/runners/seeded.js';
import { buildWeb } from '../../web/build.js';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = path.resolve(__dirname, '../..');
const MODEL = path.join(ROOT, 'examples/tiny_cnn.onnx');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

const missing = fs.existsSync(CHROMIUM) ? '' : `${CHROMIUM} is absent (apt-get install chromium)`;
if (missing) console.warn(`skipping the web page test: ${missing}`);

type Out = { name: string; values: string[] };

describe.skipIf(!!missing)('web page in headless Chromium', () => {
  let root = '', site = '', got = '';
  const requests: string[] = [];
  let server: http.Server, base = '';
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let browser: any, page: any;
  // what Node compiles from the same model: the page must produce the same files
  let node: ReturnType<typeof compileFile>, nodeC: ReturnType<typeof compileFile>;

  beforeAll(async () => {
    node = compileFile(MODEL, { target: 'wasm' });
    nodeC = compileFile(MODEL, { target: 'c' });
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'onnxc-web-'));
    site = path.join(root, 'site');
    got = path.join(root, 'downloads');
    const t0 = performance.now();
    await buildWeb(site);
    console.log(`web page built in ${(performance.now() - t0).toFixed(0)} ms`);
    fs.mkdirSync(got);
    server = http.createServer((req, res) => {
      const file = path.join(site, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
      if (!file.startsWith(site) || !fs.existsSync(file) || !fs.statSync(file).isFile()) { res.writeHead(404).end(); return; }
      res.writeHead(200, { 'content-type': file.endsWith('.js') ? 'text/javascript' : 'text/html' }).end(fs.readFileSync(file));
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
    page = await (await browser.newContext({ acceptDownloads: true })).newPage();
    page.on('request', (r: { url(): string }) => requests.push(r.url()));
    await page.goto(`${base}/index.html`);
    await page.waitForSelector('#status[data-state=ready]', { timeout: 60_000 });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((ok) => server?.close(ok));
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  /** Waits for the page to finish with the model; fails with its error line otherwise. */
  async function settled(): Promise<void> {
    await page.waitForSelector('#status:not([data-state=busy])', { timeout: 60_000 });
    const s = await page.textContent('#status');
    expect(await page.getAttribute('#status', 'data-state'), s).toBe('ready');
  }

  const pageOutputs = async (): Promise<Out[]> => page.$$eval('#output-values tbody tr', (rows: HTMLTableRowElement[]) =>
    rows.map((r) => ({ name: r.cells[0].textContent!, values: r.cells[2].textContent!.split(' ') })));

  /** The downloaded loader + module run in Node on the inputs seeded by `seed`. */
  async function nodeOutputs(seed: number): Promise<Out[]> {
    const loader = await import(pathToFileURL(path.join(got, 'tiny_cnn.js')).href);
    const model = await loader.load(fs.readFileSync(path.join(got, 'tiny_cnn.wasm')));
    const outs = model.run(seededInputs(node.program, seed).map((t) => t.data));
    return Object.entries(outs as Record<string, { data: ArrayLike<number> }>).map(([name, o]) => ({ name, values: Array.from(o.data, String) }));
  }

  async function download(id: string): Promise<Buffer> {
    const [d] = await Promise.all([page.waitForEvent('download'), page.click(`#${id}`)]);
    const file = path.join(got, d.suggestedFilename());
    await d.saveAs(file);
    return fs.readFileSync(file);
  }

  it('compiles tiny_cnn in the page and shows the inspect tables and the arena', async () => {
    await page.setInputFiles('#file', MODEL);
    await settled();
    const ops = await page.$$eval('#model-ops tbody tr', (rows: HTMLTableRowElement[]) => rows.map((r) => [r.cells[0].textContent, r.cells[1].textContent]));
    expect(ops).toContainEqual(['Conv', '17']);
    const cells = (id: string) => page.$$eval(`#${id} tbody td`, (tds: Element[]) => tds.map((t) => t.textContent));
    expect(await cells('model-inputs')).toEqual(['image', 'float32[1,3,16,16]']);
    expect(await cells('model-outputs')).toEqual(['probabilities']);
    const boxes = await page.$$eval('#memory svg rect[data-name]', (rs: Element[]) => rs.length);
    expect(boxes).toBe(node.memory.temps);
    expect(await page.getAttribute('#memory svg line.peak', 'data-bytes')).toBe(String(node.memory.arenaBytes));
    expect(await page.textContent('#summary')).toContain(`(liveness lower bound`);
  }, 120_000);

  it('offers the C zip and the WASM module + loader, the same files Node writes', async () => {
    const zip = unzipSync(new Uint8Array(await download('dl-c')));
    expect(Object.keys(zip).sort()).toEqual(Object.keys(nodeC.files).sort());
    expect(Object.keys(zip)).toEqual(expect.arrayContaining(['tiny_cnn.c', 'tiny_cnn.h']));
    for (const [f, data] of Object.entries(nodeC.files)) expect(Buffer.from(zip[f]).equals(Buffer.from(data)), f).toBe(true);
    for (const f of ['tiny_cnn.wasm', 'tiny_cnn.js']) expect((await download(`dl-${f.split('.')[1]}`)).equals(Buffer.from(node.files[f])), f).toBe(true);
  }, 120_000);

  it('runs the module in the page with the outputs Node gets from the download', async () => {
    expect(await page.getAttribute('#outputs', 'data-seed')).toBe('1');
    const first = await pageOutputs();
    expect(first.length).toBe(node.program.outputs.length);
    expect(first).toEqual(await nodeOutputs(1));
    await page.fill('#seed', '7');
    await page.click('#run');
    await page.waitForSelector('#outputs[data-seed="7"]');
    const again = await pageOutputs();
    expect(again).toEqual(await nodeOutputs(7));
    expect(again).not.toEqual(first);
  }, 120_000);

  it('takes a dropped file, and reports a bad one in one error line', async () => {
    const drop = async (name: string, bytes: number[]) => page.evaluate(({ name, bytes }: { name: string; bytes: number[] }) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(bytes)], name));
      document.getElementById('drop')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, { name, bytes });
    await drop('junk.onnx', [1, 2, 3, 4, 5]);
    await page.waitForSelector('#status[data-state=error]');
    expect(await page.textContent('#status')).toMatch(/^error: 'junk\.onnx' is not a valid ONNX model/);
    await drop('tiny_cnn.onnx', [...fs.readFileSync(MODEL)]);
    await settled();
    // the seed field keeps its value (7, from the test before) across models
    expect(await page.getAttribute('#outputs', 'data-seed')).toBe('7');
    expect(await pageOutputs()).toEqual(await nodeOutputs(7));
  }, 120_000);

  it('sent nothing anywhere: every request was for the page itself', () => {
    const foreign = requests.filter((u) => !u.startsWith(`${base}/`) && !u.startsWith('blob:') && !u.startsWith('data:'));
    expect(foreign).toEqual([]);
    expect(new Set(requests.filter((u) => u.startsWith(base)).map((u) => new URL(u).pathname))).toEqual(new Set(['/index.html', '/app.js']));
  });
});
