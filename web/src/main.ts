// The page: a dropped (or chosen) .onnx is compiled here, in the browser; the page shows the
// inspect tables and the arena picture, offers the C zip and the WASM module + loader for
// download, and runs the module on seeded random inputs. Nothing is sent anywhere.
import { CompileError } from '../../ir/errors.js';
import { typeText } from '../../src/report/inspectReport.js';
import { bytesLabel } from '../../src/report/memorySvg.js';
import { PageBuild, buildModel } from './build.js';
import { runWasm } from './runWasm.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
let current: PageBuild | undefined;
const links: string[] = [];

function status(state: 'busy' | 'ready' | 'error', text: string): void {
  const s = $('status');
  s.dataset.state = state;
  s.textContent = text;
}

/** A table with a header row; cells are text (never parsed as HTML). */
function table(id: string, head: string[], rows: (string | number)[][]): HTMLTableElement {
  const t = document.createElement('table');
  t.id = id;
  const tr = t.createTHead().insertRow();
  for (const h of head) tr.appendChild(document.createElement('th')).textContent = h;
  const body = t.createTBody();
  for (const r of rows) {
    const row = body.insertRow();
    for (const c of r) row.insertCell().textContent = String(c);
  }
  return t;
}

function showSummary(b: PageBuild): void {
  const r = b.report, el = $('summary');
  const m = r.memory as Exclude<typeof r.memory, { notPlanned: string }>; // buildModel throws when unplanned
  el.replaceChildren();
  const p = el.appendChild(document.createElement('p'));
  p.textContent = `${r.model} (ir_version ${r.irVersion}${r.producer ? `, producer ${r.producer}` : ''}); ` +
    `opsets: ${r.opsets.map((o) => `${o.domain} ${o.version}`).join(', ')}; compiled for C and WASM in ${b.ms.toFixed(0)} ms; ` +
    `arena ${bytesLabel(m.arenaBytes)} (liveness lower bound ${bytesLabel(m.lowerBound)}; ${m.kernels} kernels, ${m.temporaries} temporaries)`;
  el.append(
    table('model-inputs', ['input', 'type'], r.inputs.map((v) => [v.name, typeText(v)])),
    table('model-outputs', ['output'], r.outputs.map((v) => [v.name])),
    table('model-ops', ['op', 'opset', 'nodes'], r.ops.map((o) => [o.op, o.opset, o.count])),
    table('model-values', ['value', 'type', 'note'], r.values.map((v) => [v.name, typeText(v), v.constant ? 'constant' : ''])),
    table('model-largest', ['largest temporaries', 'bytes', 'offset', 'steps'], m.largest.map((t) => [t.name, bytesLabel(t.bytes), t.offset, `${t.first}-${t.last}`])),
  );
  if (r.unsupported.length) el.appendChild(document.createElement('p')).textContent = `unsupported ops: ${r.unsupported.map((u) => `${u.node} (${u.op})`).join(', ')}`;
  if (r.inferenceStopped) el.appendChild(document.createElement('p')).textContent = `inference stopped at ${r.inferenceStopped}`;
  $('memory').innerHTML = b.svg; // memorySvg escapes every name
}

function offer(id: string, file: string, data: string | Uint8Array, type: string): void {
  const a = $<HTMLAnchorElement>(id);
  const url = URL.createObjectURL(new Blob([data as BlobPart], { type }));
  links.push(url);
  a.href = url;
  a.download = file;
  a.textContent = file;
}

async function run(): Promise<void> {
  if (!current) return;
  const seed = Number($<HTMLInputElement>('seed').value) >>> 0;
  const { outputs, ms } = await runWasm(current.wasm.files, current.name, current.wasm.program, seed);
  const el = $('outputs');
  el.replaceChildren(table('output-values', ['output', 'type', 'values'], outputs.map((o) => [o.name, `${o.dtype}[${o.shape.join(',')}]`, o.values.join(' ')])));
  el.dataset.seed = String(seed);
  el.appendChild(document.createElement('p')).textContent = `seed ${seed}: one run took ${ms.toFixed(2)} ms`;
}

async function open(file: File): Promise<void> {
  status('busy', `compiling ${file.name}…`);
  for (const u of links.splice(0)) URL.revokeObjectURL(u);
  $('result').hidden = true;
  await new Promise((ok) => setTimeout(ok, 0)); // let the status paint before the compiler blocks
  try {
    current = buildModel(new Uint8Array(await file.arrayBuffer()), file.name);
    showSummary(current);
    const n = current.name;
    offer('dl-c', `${n}_c.zip`, current.zip, 'application/zip');
    offer('dl-wasm', `${n}.wasm`, current.wasm.files[`${n}.wasm`], 'application/wasm');
    offer('dl-js', `${n}.js`, current.wasm.files[`${n}.js`], 'text/javascript');
    offer('dl-dts', `${n}.d.ts`, current.wasm.files[`${n}.d.ts`], 'text/plain');
    $('result').hidden = false;
    await run();
    status('ready', `${file.name}: done`);
  } catch (e) {
    current = undefined;
    status('error', `error: ${(e as Error).message}`);
    if (!(e instanceof CompileError)) console.error(e);
  }
}

$<HTMLInputElement>('file').addEventListener('change', (e) => {
  const f = (e.target as HTMLInputElement).files?.[0];
  if (f) void open(f);
});
const drop = $('drop');
drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  const f = e.dataTransfer?.files[0];
  if (f) void open(f);
});
$('run').addEventListener('click', () => {
  run().catch((e) => status('error', `error: ${(e as Error).message}`));
});
status('ready', 'drop an .onnx model or choose one');
