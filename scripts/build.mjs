#!/usr/bin/env node
// `npm run build`: compiles src/ to dist/ with tsconfig.build.json, and builds the web front end (web/, Vite) to
// dist/web/. Each half is skipped when its output was built from exactly these sources: a hash of its inputs is
// kept beside the output (dist/.source-hash: src/ and the two tsconfigs; dist/web/.source-hash: web/ and the
// lockfile, whose packages are bundled into it). npm install builds, and npm test builds again: on an unchanged
// tree the second is skipped instead of taking a minute.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

function files(dir) {
  return readdirSync(dir)
    .sort()
    .filter((name) => name !== 'node_modules')
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? files(path) : [path];
    });
}

function digestOf(paths) {
  const hash = createHash('sha256');
  for (const file of paths) hash.update(file).update('\0').update(readFileSync(file));
  return hash.digest('hex');
}

const upToDate = (stamp, digest) => existsSync(stamp) && readFileSync(stamp, 'utf8') === digest;

function buildServer() {
  const digest = digestOf([...files('src'), 'tsconfig.json', 'tsconfig.build.json']);
  const stamp = join('dist', '.source-hash');
  if (upToDate(stamp, digest)) return console.log('dist/ is up to date');
  // Everything but dist/web, which has its own stamp: a server-only change must not rebuild the front end.
  if (existsSync('dist')) for (const name of readdirSync('dist')) if (name !== 'web') rmSync(join('dist', name), { recursive: true, force: true });
  mkdirSync('dist', { recursive: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  writeFileSync(stamp, digest);
}

/** Brotli and gzip copies of the text assets: the server sends them to browsers that accept them. */
function precompress(dir) {
  for (const name of readdirSync(dir)) {
    if (!/\.(js|mjs|css|svg|json)$/.test(name)) continue;
    const data = readFileSync(join(dir, name));
    if (data.length < 1024) continue;
    writeFileSync(join(dir, `${name}.br`), brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
    writeFileSync(join(dir, `${name}.gz`), gzipSync(data, { level: 9 }));
  }
}

async function buildWeb() {
  const digest = digestOf([...files('web'), 'package-lock.json']);
  const stamp = join('dist', 'web', '.source-hash');
  if (upToDate(stamp, digest)) return console.log('dist/web/ is up to date');
  const { build } = await import('vite');
  await build({ configFile: 'web/vite.config.ts', logLevel: 'warn' });
  precompress(join('dist', 'web', 'assets'));
  writeFileSync(stamp, digest);
  console.log('dist/web/ built');
}

buildServer();
await buildWeb();
