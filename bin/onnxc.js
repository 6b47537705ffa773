#!/usr/bin/env node
// Thin launcher: the CLI lives in dist/src/cli.js (built by `npm run build`).
import { main } from '../dist/src/cli.js';
// output piped into `head` and the like: stop quietly when the reader goes away
for (const s of [process.stdout, process.stderr]) s.on('error', (e) => { if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0); else throw e; });
main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
