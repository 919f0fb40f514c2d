// Builds dist/esm (ES modules) and dist/cjs (CommonJS, marked so by its own package.json) with tsc.
// An optional argument builds into another folder instead of dist (the build test uses a temporary one).
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.resolve(root, process.argv[2] ?? 'dist');
// The TypeScript compiler from the nearest node_modules (the repository root's, in this monorepo).
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

function compile(config, outDir) {
  const result = spawnSync(process.execPath, [tsc, '-p', path.join(root, config), '--outDir', outDir], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

rmSync(out, { recursive: true, force: true });
compile('tsconfig.esm.json', path.join(out, 'esm'));
compile('tsconfig.cjs.json', path.join(out, 'cjs'));
// The package is "type": "module"; this makes Node read the .js files under cjs/ as CommonJS.
mkdirSync(path.join(out, 'cjs'), { recursive: true });
writeFileSync(path.join(out, 'cjs', 'package.json'), '{"type":"commonjs"}\n');
