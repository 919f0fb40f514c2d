#!/usr/bin/env node
// `npm run build`: compiles src/ to dist/ with tsconfig.build.json, unless dist/ was built from exactly these
// sources (a hash of every file under src/ and the two tsconfigs, kept in dist/.source-hash). npm install
// builds, and npm test builds again: on an unchanged tree the second is skipped instead of taking a minute.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

function files(dir) {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? files(path) : [path];
    });
}

const hash = createHash('sha256');
for (const file of [...files('src'), 'tsconfig.json', 'tsconfig.build.json']) hash.update(file).update('\0').update(readFileSync(file));
const digest = hash.digest('hex');
const stamp = join('dist', '.source-hash');

if (existsSync(stamp) && readFileSync(stamp, 'utf8') === digest) {
  console.log('dist/ is up to date');
} else {
  rmSync('dist', { recursive: true, force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  writeFileSync(stamp, digest);
}
