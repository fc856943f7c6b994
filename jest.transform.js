/**
 * Jest transformer. TypeScript: esbuild strips the types (as tsx does when the app runs), a few milliseconds a file
 * where ts-jest compiled the whole program; types are checked by `npm run typecheck`, not here. All JavaScript,
 * ours and the packages': local bindings of the builtins (see BUILTINS).
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const esbuild = require('esbuild');

const self = crypto.createHash('sha256').update(fs.readFileSync(__filename)).update(esbuild.version).digest('hex');

// Tests spy on exported functions (jest.spyOn(password, 'verifyPassword') after `import * as password`), which
// works on tsc's output: there `import * as` hands over the module's own exports object, whose properties can be
// redefined. esbuild copies the exports into a new object of getters that cannot: these make it behave as tsc does.
const TSC_INTEROP = [
  ['var __toESM = (mod, isNodeMode, target) => (', 'var __toESM = (mod, isNodeMode, target) => mod && mod.__esModule ? mod : ('],
  ['__defProp(target, name, { get: all[name],', '__defProp(target, name, { configurable: true, get: all[name],'],
  ['__defProp(to, key, { get: () => from[key],', '__defProp(to, key, { configurable: true, get: () => from[key],'],
];

// Jest runs every module inside a vm context, whose global object answers each lookup of a global name through
// an interceptor: a hot loop calling Math.floor or indexing a Buffer ran ~60x slower than under node (the demo seal
// took 1 s instead of 16 ms). Module-local bindings of the builtins take the lookups off the global object. Date and
// the timers stay global, so that a test could still replace them.
const BUILTINS = ['Math', 'Buffer', 'Number', 'String', 'Object', 'Array', 'JSON', 'Symbol', 'Map', 'Set', 'WeakMap', 'Promise', 'Error', 'TypeError', 'RegExp', 'BigInt', 'ArrayBuffer', 'DataView', 'Uint8Array', 'Uint16Array', 'Uint32Array', 'Int8Array', 'Int16Array', 'Int32Array', 'Float32Array', 'Float64Array', 'TextEncoder', 'TextDecoder', 'parseInt', 'parseFloat', 'isNaN', 'isFinite', 'encodeURIComponent', 'decodeURIComponent'];
const bindings = (names) => `var ${names.map((name) => `${name} = globalThis.${name}`).join(', ')};`;
// On the first line, so that line numbers stay those of the source map. "use strict": an ES module is strict, and tsc says so.
const PROLOGUE = `"use strict"; ${bindings(BUILTINS)}`;

// The packages' own JavaScript (pdf-lib, node-forge, pako, exceljs, knex… run inside the same vm) gets the bindings
// too, after its directives and leaving out any builtin the file declares itself; a file they would not compile
// with is left as it is.
const LEADING = /^(?:\s|\/\/[^\n]*|\/\*[\s\S]*?\*\/)*(?:(['"])use strict\1\s*;?)?/;
function withBindings(code) {
  if (code.startsWith('#!')) return code;
  const names = BUILTINS.filter((name) => !new RegExp(`(?:function\\*?|class|const|let|var)\\s+${name}\\b|[{,]\\s*${name}\\s*[,}:]`).test(code));
  if (names.length === 0) return code;
  const at = LEADING.exec(code)[0].length;
  const out = `${code.slice(0, at)};${bindings(names)}${code.slice(at)}`;
  try {
    new Function(out); // parse only: a redeclaration is an early error
  } catch {
    return code;
  }
  return out;
}

module.exports = {
  process(source, filename) {
    if (!filename.endsWith('.ts')) return { code: withBindings(source) };
    const { code, map } = esbuild.transformSync(source, {
      loader: 'ts',
      format: 'cjs',
      target: 'node20',
      // import() becomes require() as in tsc's CommonJS output: jest runs modules in a vm without ESM loading.
      supported: { 'dynamic-import': false },
      sourcefile: filename,
      sourcemap: 'external',
      sourcesContent: false,
    });
    return { code: PROLOGUE + TSC_INTEROP.reduce((out, [from, to]) => out.replace(from, to), code), map };
  },
  getCacheKey(source, filename) {
    return crypto.createHash('sha256').update(self).update(filename).update('\0').update(source).digest('hex');
  },
};
