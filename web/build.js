// Builds the browser page (npm run web): web/src/main.ts and everything it imports, the
// compiler and Binaryen included, bundled by esbuild into web/dist/app.js beside index.html.
// esbuild: one fast, dependency-free bundler with a JS API the test calls directly.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Writes index.html and app.js into `outDir` (default web/dist); returns the folder. */
export async function buildWeb(outDir = path.join(ROOT, 'web/dist')) {
  const r = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: ['web/src/main.ts'],
    outfile: path.join(outDir, 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    loader: { '.h': 'text' },
    // binaryen.js imports node:module only when it runs under Node
    external: ['node:module'],
    logLevel: 'silent',
  });
  for (const w of r.warnings) process.stderr.write(`warning: ${w.text}\n`);
  fs.copyFileSync(path.join(ROOT, 'web/index.html'), path.join(outDir, 'index.html'));
  return outDir;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    const out = await buildWeb(process.argv[2] && path.resolve(process.argv[2]));
    process.stdout.write(`web page: ${path.relative(process.cwd(), out) || '.'}/index.html\n`);
  } catch (e) {
    const errs = e.errors ?? [];
    process.stderr.write(errs.length ? errs.map((x) => `error: ${x.location ? `${x.location.file}:${x.location.line}: ` : ''}${x.text}\n`).join('') : `error: ${e.message}\n`);
    process.exit(1);
  }
}
