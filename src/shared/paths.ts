import path from 'node:path';
import fs from 'node:fs';

/** The package root, found the same way whether we run from src/ (tsx, jest) or dist/src/ (npm start). */
function findRoot(start: string): string {
  let dir = start;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
  return dir;
}

export const ROOT = findRoot(__dirname);
export const TEMPLATES_DIR = path.join(ROOT, 'templates');
export const VIEWS_DIR = path.join(TEMPLATES_DIR, 'views');
export const LOCALES_DIR = path.join(ROOT, 'src', 'shared', 'locales');
