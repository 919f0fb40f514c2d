/**
 * Which test files give the same result on every database, so that the PostgreSQL pass can leave them to the
 * SQLite pass (vitest.config.ts). The database a run targets is chosen by one thing only, the environment
 * variable GUESTLIST_TEST_DATABASE_URL, and nothing under src/ reads it: so a test file whose own text and whose
 * imports, followed transitively through every relative `import`, `export … from` and `import()`, never name
 * that variable runs the same whatever it is set to. Naming it anywhere (a comment too) counts as reading it;
 * an import that cannot be resolved counts as reading it. Both err towards running the file.
 *
 * Tests also spawn `bin/guestlist.js` (src/, built), whose environment they pass on: so should anything in bin/
 * or src/ other than a test ever name the variable, no file is left out.
 *
 * A test file that does run on the database, but only incidentally (what it checks cannot differ between
 * databases, and other files check that code on both), may say so with the marker `@database-independent`
 * and its reason in its own text. Only the test file's own text is looked at for the marker.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export const DATABASE_VARIABLE = 'GUESTLIST_TEST_DATABASE_URL';
export const INDEPENDENT_MARKER = '@database-independent';

/** Where a relative import specifier points, or undefined when it names no file here. */
function resolveImport(from: string, specifier: string): string | undefined {
  const base = path.resolve(path.dirname(from), specifier.replace(/[?#].*$/, ''));
  const candidates = [base, base.replace(/\.[cm]?js$/, '.ts'), base.replace(/\.jsx$/, '.tsx'), `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts')];
  return candidates.find((file) => fs.existsSync(file) && fs.statSync(file).isFile());
}

interface Scanned {
  names: boolean;
  /** Relative imports, resolved; undefined for one that names no file here. */
  imports: (string | undefined)[];
}
const scanned = new Map<string, Scanned>();

function scan(file: string): Scanned {
  let result = scanned.get(file);
  if (result === undefined) {
    const text = fs.readFileSync(file, 'utf8');
    const code = /\.[cm]?[jt]sx?$/.test(file);
    result = {
      names: text.includes(DATABASE_VARIABLE),
      // Packages are not followed: nothing in node_modules reads our variable.
      imports: code ? ts.preProcessFile(text, true, true).importedFiles.map((i) => i.fileName).filter((s) => s.startsWith('.')).map((s) => resolveImport(file, s)) : [],
    };
    scanned.set(file, result);
  }
  return result;
}

/** True when `file`, or anything it imports from this repository, names GUESTLIST_TEST_DATABASE_URL. */
export function readsDatabaseVariable(file: string, seen = new Set<string>()): boolean {
  if (seen.has(file)) return false;
  seen.add(file);
  const { names, imports } = scan(file);
  return names || imports.some((target) => target === undefined || readsDatabaseVariable(target, seen));
}

/** The files under `dir` other than tests that name the variable. */
function serverFilesNaming(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => path.join(dir, name))
    .filter((file) => !file.endsWith('.test.ts') && fs.statSync(file).isFile() && scan(file).names);
}

/** The test files (paths relative to `root`) whose result cannot depend on the database. */
export function databaseIndependentTests(root: string, testFiles: readonly string[]): string[] {
  if (['bin', 'src'].some((dir) => serverFilesNaming(path.join(root, dir)).length > 0)) return [];
  return testFiles.filter((file) => {
    const full = path.resolve(root, file);
    return fs.readFileSync(full, 'utf8').includes(INDEPENDENT_MARKER) || !readsDatabaseVariable(full);
  });
}
