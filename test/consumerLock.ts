// A package-lock.json for a fresh consumer project that depends on a packed onnxc tarball, with
// onnxc's runtime dependencies pinned as in this repository's lockfile: `npm ci --offline` then
// installs from the npm cache alone (a plain `npm install` would ask the registry for versions).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

interface LockEntry { version?: string; dependencies?: Record<string, string>; optionalDependencies?: Record<string, string>; dev?: boolean; devOptional?: boolean; [k: string]: unknown }

/** Where npm would find `dep` for the package installed at `from` (its own node_modules, then up). */
function resolve(pkgs: Record<string, LockEntry>, from: string, dep: string): string | undefined {
  for (let at = from; ; at = at.replace(/\/?node_modules\/(@[^/]+\/)?[^/]+$/, '')) {
    const p = `${at ? `${at}/` : ''}node_modules/${dep}`;
    if (pkgs[p]) return p;
    if (!at) return undefined;
  }
}

/** Writes package.json and package-lock.json for a consumer of `tarball` into dir. */
export function writeConsumer(dir: string, root: string, tarball: string): void {
  const own = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const spec = `file:${path.basename(tarball)}`;
  const integrity = `sha512-${crypto.createHash('sha512').update(fs.readFileSync(tarball)).digest('base64')}`;
  const packages: Record<string, LockEntry> = {
    '': { name: 'consumer', version: '1.0.0', dependencies: { onnxc: spec } },
    'node_modules/onnxc': { version: own.version, resolved: spec, integrity, license: own.license, dependencies: own.dependencies, bin: own.bin, engines: own.engines },
  };
  const queue = Object.keys(own.dependencies).map((d) => resolve(lock.packages, '', d)!);
  while (queue.length) {
    const p = queue.pop()!;
    if (packages[p]) continue;
    const { dev: _d, devOptional: _o, ...entry } = lock.packages[p];
    packages[p] = entry;
    for (const d of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies })) {
      const at = resolve(lock.packages, p, d);
      if (at) queue.push(at);
    }
  }
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module', dependencies: { onnxc: spec } }, null, 2));
  fs.writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2));
}
