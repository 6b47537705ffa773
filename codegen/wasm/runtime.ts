// Registry of the runtime functions generated into a module on first use (math library,
// narrow-float conversions, guarded integer division...). A definition builds its body with an
// `Fn`; `Runtime.call` adds it (and whatever it calls) to the module and emits the call.
import { Ref, VT, WasmModule } from './binaryen.js';
import { Fn } from './fn.js';

export interface RuntimeDef {
  /** The intrinsic (ir/intrinsics.ts) this function implements, where it implements one. */
  row?: string;
  params: [string, VT][];
  result: VT | 'none';
  /** Builds the body; returns statements and the result value. */
  build(f: Fn, rt: Runtime): { body: Ref[]; value?: Ref };
}

const DEFS = new Map<string, RuntimeDef>();

export function defineRuntime(name: string, def: RuntimeDef): void {
  if (DEFS.has(name)) throw new Error(`runtime function ${name} defined twice`);
  DEFS.set(name, def);
}

/** Runtime functions that implement intrinsic rows: row name → runtime function name. */
export function runtimeRows(): Map<string, string> {
  const m = new Map<string, string>();
  for (const [name, d] of DEFS) if (d.row) m.set(d.row, name);
  return m;
}

/** Per-module state: which runtime functions were added, and data tables they need. */
export class Runtime {
  /** Data the runtime needs in memory (tables), placed by the module emitter. */
  readonly tables = new Map<string, { bytes: Uint8Array; offset: number }>();
  private tableEnd: number;

  constructor(readonly w: WasmModule, tableBase: number) {
    this.tableEnd = tableBase;
  }

  /** Calls runtime function `name` (wasm name `rt_<name>`). */
  call(name: string, args: Ref[]): Ref {
    const def = DEFS.get(name);
    if (!def) throw new Error(`no wasm runtime function ${name}`);
    const wname = `rt_${name}`;
    if (!this.w.hasFunction(wname)) {
      const f = new Fn(this.w, wname, def.params, def.result);
      const { body, value } = def.build(f, this);
      f.finish(body, value);
    }
    return this.w.call(wname, args, def.result);
  }

  /** Address of a constant table (added once under `key`). */
  table(key: string, make: () => Uint8Array): number {
    let t = this.tables.get(key);
    if (!t) {
      const bytes = make();
      t = { bytes, offset: this.tableEnd };
      this.tableEnd = Math.ceil((this.tableEnd + bytes.length) / 16) * 16;
      this.tables.set(key, t);
    }
    return t.offset;
  }

  /** First free byte after the tables. */
  get end(): number { return this.tableEnd; }
}
