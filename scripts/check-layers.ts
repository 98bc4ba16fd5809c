/**
 * Fails when an import goes against the layer order of src/README.md, when two folders import each
 * other (directly or round a longer loop), when a feature imports one above it, or when anyone but
 * its feature imports a `*.repository.ts`. Imports are read with TypeScript's own parser, so
 * comments and strings that look like imports do not count.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const SRC = resolve(import.meta.dirname, '../src');

const LAYERS = ['kernel', 'db', 'feature', 'edge', 'app'] as const;
type Layer = (typeof LAYERS)[number];

/** The features from the bottom up: each may use those before it, never one after it. */
const FEATURE_ORDER = ['activity', 'accounts', 'sessions', 'signin'];
const FEATURES = new Set(FEATURE_ORDER);

/** A feature's routes: the HTTP edge, kept beside the feature. */
const isWire = (file: string) => file.endsWith('.routes.ts');

/** Which layer a file (path relative to src/) belongs to. Routes live beside their feature but are the edge. */
function layerOf(file: string): Layer {
  const [top] = file.split('/');
  // The wire's schemas are kernel too: the features type their answers with them, and the web app reads them.
  if (top === 'kernel' || top === 'contracts') return 'kernel';
  if (top === 'db') return 'db';
  if (top === 'http') return 'edge';
  if (top && FEATURES.has(top)) return isWire(file) ? 'edge' : 'feature';
  // The composition roots: the server's (app.ts, server*.ts) and the CLI's, and nothing else in src/ itself.
  if (top === 'cli' || !file.includes('/')) return 'app';
  throw new Error(`${file}: in no layer; add its folder to scripts/check-layers.ts and src/README.md`);
}

/**
 * The unit a file counts in for cycles: its top folder (a feature's wire files apart from the
 * feature, as they are the edge), or itself when it sits in src/.
 */
function folderOf(file: string): string {
  const top = file.includes('/') ? (file.split('/')[0] ?? file) : file;
  return top && FEATURES.has(top) && isWire(file) ? `${top} (wire)` : top;
}

/**
 * The one kind of import allowed upwards: the database's schema type lists the tables each feature
 * declares (`*.table.ts`, types only), so a feature owns its tables and the engine layer still types them.
 */
const allowedUpward = (from: string, to: string, typeOnly: boolean) =>
  typeOnly && from === 'db/schema.ts' && to.endsWith('.table.ts');

interface Edge {
  from: string;
  to: string;
  typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

function importsOf(path: string): Edge[] {
  const text = readFileSync(path, 'utf8');
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, false);
  const edges: Edge[] = [];
  for (const statement of source.statements) {
    const isImport = ts.isImportDeclaration(statement);
    if (!isImport && !ts.isExportDeclaration(statement)) continue;
    const specifier = statement.moduleSpecifier;
    if (!specifier || !ts.isStringLiteral(specifier) || !specifier.text.startsWith('.')) continue;
    const typeOnly = isImport ? (statement.importClause?.isTypeOnly ?? false) : statement.isTypeOnly;
    const target = resolve(dirname(path), specifier.text).replace(/\.js$/, '.ts');
    edges.push({ from: relative(SRC, path), to: relative(SRC, target), typeOnly });
  }
  return edges;
}

/** Folder loops, each named once: a path a → b → … → a through folders that import each other. */
function folderCycles(edges: Edge[]): string[][] {
  const next = new Map<string, Set<string>>();
  for (const { from, to, typeOnly } of edges) {
    if (allowedUpward(from, to, typeOnly)) continue;
    const [a, b] = [folderOf(from), folderOf(to)];
    if (a === b) continue;
    if (!next.has(a)) next.set(a, new Set());
    next.get(a)?.add(b);
  }
  const cycles = new Map<string, string[]>();
  const walk = (start: string, at: string, path: string[]) => {
    for (const b of next.get(at) ?? []) {
      if (b === start) {
        const key = [...path].sort().join(' ');
        if (!cycles.has(key)) cycles.set(key, [...path, start]);
      } else if (!path.includes(b) && b > start) walk(start, b, [...path, b]);
    }
  };
  for (const start of next.keys()) walk(start, start, [start]);
  return [...cycles.values()];
}

function check(): string[] {
  const edges = sourceFiles(SRC).flatMap(importsOf);
  const problems: string[] = [];
  for (const edge of edges) {
    const [a, b] = [layerOf(edge.from), layerOf(edge.to)];
    if (LAYERS.indexOf(b) > LAYERS.indexOf(a) && !allowedUpward(edge.from, edge.to, edge.typeOnly)) {
      problems.push(`${edge.from} (${a}) imports ${edge.to} (${b}): against the layer order`);
    }
  }
  for (const edge of edges) {
    const [from, to] = [edge.from.split('/')[0] ?? '', edge.to.split('/')[0] ?? ''];
    const bothFeatures = layerOf(edge.from) === 'feature' && layerOf(edge.to) === 'feature';
    if (bothFeatures && FEATURE_ORDER.indexOf(to) > FEATURE_ORDER.indexOf(from)) {
      problems.push(
        `${edge.from} imports ${edge.to}: ${from} sits below ${to} (${FEATURE_ORDER.join(' < ')})`,
      );
    }
  }
  for (const edge of edges) {
    const [owner, user] = [edge.to.split('/')[0], edge.from.split('/')[0]];
    if (edge.to.endsWith('.repository.ts') && owner !== user) {
      problems.push(`${edge.from} imports ${edge.to}: another feature's SQL; go through its service`);
    }
  }
  for (const cycle of folderCycles(edges)) problems.push(`folders import each other: ${cycle.join(' → ')}`);
  return problems;
}

const problems = check();
for (const problem of problems) console.error(problem);
if (problems.length > 0) {
  console.error(`\n${problems.length} import(s) against src/README.md's layers`);
  process.exit(1);
}
console.log('layers: every import follows src/README.md');
