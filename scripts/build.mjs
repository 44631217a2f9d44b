#!/usr/bin/env node
// `npm run build`: type-checks src/ (tsc), then bundles the service into one file, dist/cli.js.
//
// One file because of start-up: Node 20 resolves, reads and compiles every module file on its
// own, and Patron's dependencies are about a thousand of them (Kysely alone ~400). Importing
// the server took about 1.1 s as separate files and 0.4 s as one bundle (docs/performance.md).
//
// Left outside the bundle: packages that find files of their own next to their code at run
// time (PGlite its WebAssembly and data files, swagger-ui its static assets), and pg-native,
// an optional native driver Patron does not use.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const check = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json', '--noEmit'], { stdio: 'inherit' });
if (check.status !== 0) process.exit(check.status ?? 1);

await build({
  entryPoints: ['src/cli.ts'],
  outfile: 'dist/cli.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  external: ['@electric-sql/pglite', '@fastify/swagger-ui', 'pg-native'],
  // CommonJS dependencies call require(); an ES module has none of its own.
  banner: { js: "import { createRequire as __patronRequire } from 'node:module'; const require = __patronRequire(import.meta.url);" },
  logLevel: 'warning',
});

// esbuild escapes non-ASCII characters in code but keeps them in the comments it carries over,
// and one such character makes V8 hold the whole 3.6 MB source as a two-byte string (7.7 MB of
// heap, for the life of the process). Escaped here too; only comments still hold any. Not the
// two line separators: they end a // comment, and escaped they would pull the next line into it.
const out = readFileSync('dist/cli.js', 'utf8');
if (/[\u2028\u2029]/.test(out)) throw new Error('dist/cli.js holds U+2028 or U+2029 in a comment: take it out of the source');
const ascii = out.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
if (ascii !== out) writeFileSync('dist/cli.js', ascii);
