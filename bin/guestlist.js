#!/usr/bin/env node
// Runs the compiled JavaScript in dist/, which `npm install` builds (the prepare script) and `npm run build`
// rebuilds: production runs plain Node, never a TypeScript loader.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('guestlist: dist/ is missing. Run `npm install` (or `npm run build`) in the Guestlist folder first.');
  process.exit(1);
}
const { main } = await import(entry.href);
const code = await main(process.argv.slice(2));
if (code >= 0) process.exitCode = code;
