// Whether dist/ and web/dist were built from the sources as they are now: a SHA-256 over every
// input of the build, stored beside the output once a build has finished.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, sep } from 'node:path';

/** What the build reads: the server and web sources, their compiler and bundler settings, the locked dependencies. */
const INPUTS = ['src', 'web', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json'];
/** Build output and tests never change what is built. */
const SKIPPED_DIR = /^(dist(\..*)?|node_modules)$/;
const SKIPPED_FILE = /\.test\.tsx?$/;
/** What `npm start` needs in place besides the stamp. */
const OUTPUTS = [join('dist', 'cli.js'), join('web', 'dist', 'index.html')];

export const STAMP_FILE = join('dist', '.build-stamp');

function collect(root, path, files) {
  for (const entry of readdirSync(join(root, path), { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIR.test(entry.name)) collect(root, child, files);
    } else if (entry.isFile() && !SKIPPED_FILE.test(entry.name)) {
      files.push(child);
    }
  }
}

/** The hash of every build input under `root`, by content (a checkout or touch that changes nothing rebuilds nothing). */
export function fingerprintSources(root) {
  const files = [];
  for (const input of INPUTS) {
    const full = join(root, input);
    if (!existsSync(full)) continue;
    if (statSync(full).isDirectory()) collect(root, input, files);
    else files.push(input);
  }
  files.sort();
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(file.split(sep).join('/'));
    hash.update('\0');
    hash.update(readFileSync(join(root, file)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** True when the outputs exist and the stamp names the sources' current fingerprint. */
export function isBuildCurrent(root) {
  if (!OUTPUTS.every((output) => existsSync(join(root, output)))) return false;
  const stamp = join(root, STAMP_FILE);
  if (!existsSync(stamp)) return false;
  return readFileSync(stamp, 'utf8').trim() === fingerprintSources(root);
}

/** Records that the outputs were built from the sources with this fingerprint. */
export function writeStamp(root, fingerprint) {
  writeFileSync(join(root, STAMP_FILE), `${fingerprint}\n`);
}

/** Marks the outputs as not (yet) matching any sources. */
export function removeStamp(root) {
  rmSync(join(root, STAMP_FILE), { force: true });
}
