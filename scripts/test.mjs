#!/usr/bin/env node
// Runs the whole suite on the embedded PGlite store, then again on PostgreSQL when
// TEST_DATABASE_URL is set (CI sets it). Arguments, if any, replace the list of test files.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

function testFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const files = process.argv.length > 2 ? process.argv.slice(2) : testFiles('test').sort();
const databases = [['pglite', undefined]];
if (process.env.TEST_DATABASE_URL) databases.push(['postgres', process.env.TEST_DATABASE_URL]);

let failed = false;
for (const [name, url] of databases) {
  process.stdout.write(`\n=== Test suite on ${name} ===\n`);
  const env = { ...process.env, PATRON_TEST_DB: name };
  if (url) env.PATRON_TEST_DATABASE_URL = url;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], { stdio: 'inherit', env });
  if (run.status !== 0) {
    failed = true;
    process.stdout.write(`\n=== Test suite on ${name}: FAILED ===\n`);
  }
}
process.exit(failed ? 1 : 0);
