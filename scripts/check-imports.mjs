#!/usr/bin/env node
// Fails when src/ has an import cycle, or an import that runs up the layers of docs/architecture.md. Type-only imports count too: a cycle of types is still two modules
// that cannot be understood apart. Plain Node, no dependency: it reads `import`/`export … from` specifiers.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(process.argv[2] ?? 'src');

function sourceFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

const SPECIFIER = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;

function importsOf(file) {
  const text = readFileSync(file, 'utf8');
  const found = new Set();
  for (const m of text.matchAll(SPECIFIER)) {
    const spec = m[1] ?? m[2];
    found.add(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
  }
  return [...found];
}

const files = sourceFiles(root);
const known = new Set(files);
const graph = new Map(files.map((f) => [f, importsOf(f).filter((t) => known.has(t))]));

// Tarjan's strongly connected components, iterative so that deep graphs cannot overflow the stack.
function cycles() {
  let index = 0;
  const idx = new Map(), low = new Map(), onStack = new Set(), stack = [], found = [];
  for (const start of graph.keys()) {
    if (idx.has(start)) continue;
    const work = [[start, 0]];
    idx.set(start, index); low.set(start, index); index++; stack.push(start); onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const [v, i] = frame;
      const edges = graph.get(v);
      if (i < edges.length) {
        frame[1]++;
        const w = edges[i];
        if (!idx.has(w)) {
          idx.set(w, index); low.set(w, index); index++; stack.push(w); onStack.add(w);
          work.push([w, 0]);
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1][0];
        low.set(parent, Math.min(low.get(parent), low.get(v)));
      }
      if (low.get(v) === idx.get(v)) {
        const component = [];
        let w;
        do { w = stack.pop(); onStack.delete(w); component.push(w); } while (w !== v);
        if (component.length > 1 || graph.get(v).includes(v)) found.push(component);
      }
    }
  }
  return found;
}

// The layers of docs/architecture.md, each with the layers it may import. A module's layer is its top folder;
// the root modules are foundations (ids, secrets, config) or the composition root (main, cli, bootstrap).
const MAY_IMPORT = {
  foundation: [],
  scim: ['foundation'],
  dialects: ['foundation', 'scim'],
  mapping: ['foundation', 'scim'],
  store: ['foundation', 'scim', 'mapping'],
  events: ['foundation', 'scim', 'store'],
  directory: ['foundation', 'scim', 'mapping', 'store', 'events'],
  sources: ['foundation', 'scim', 'mapping', 'store', 'events', 'directory'],
  portal: ['foundation', 'scim', 'mapping', 'store', 'events', 'directory'],
  http: ['foundation', 'scim', 'dialects', 'mapping', 'store', 'events', 'directory', 'sources', 'portal'],
  simulator: ['foundation'],
  root: ['foundation', 'scim', 'dialects', 'mapping', 'store', 'events', 'directory', 'sources', 'portal', 'http', 'simulator'],
};
const ROOT_MODULES = new Set(['main.ts', 'cli.ts', 'bootstrap.ts', 'cluster.ts']);

const name = (f) => relative(root, f);
function layerOf(file) {
  const path = name(file);
  const slash = path.indexOf('/');
  if (slash < 0) return ROOT_MODULES.has(path) ? 'root' : 'foundation';
  const layer = path.slice(0, slash);
  if (!(layer in MAY_IMPORT)) throw new Error(`${path}: folder "${layer}" has no place in the layer table`);
  return layer;
}

const problems = cycles().map((c) => `import cycle: ${c.map(name).sort().join(' <-> ')}`);
for (const [from, targets] of graph) {
  for (const to of targets) {
    const [a, b] = [layerOf(from), layerOf(to)];
    if (a !== b && !MAY_IMPORT[a].includes(b)) problems.push(`layer: ${name(from)} (${a}) imports ${name(to)} (${b})`);
  }
}
if (problems.length > 0) {
  for (const p of problems) console.error(p);
  process.exit(1);
}
console.log(`${files.length} modules: no import cycle, every import runs down the layers`);
