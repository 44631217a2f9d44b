import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { ADMIN_TOKEN, useServer } from '../helpers.js';

const run = promisify(execFile);
const { server } = await useServer();

/** The README's shell blocks that talk to a running server, in order. */
function readmeCurlScript(): string {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks.filter((b) => b.includes('curl ')).join('\n');
}

test('README › the quick-start curl lines work as written against a running server', async () => {
  const script = readmeCurlScript().replaceAll('http://127.0.0.1:8080', server.url);
  assert.match(script, /POST \$P\/v1\/customers/);
  // Every curl must succeed (-f: an HTTP error fails the script), and the script stops at the first failure.
  const { stdout } = await run('bash', ['-c', `set -euo pipefail\ncurl() { command curl -fsS "$@"; echo; }\n${script}\necho "ID=$ID"`], {
    env: { ...process.env, PATRON_ADMIN_TOKEN: ADMIN_TOKEN },
  });
  const id = /ID=([0-9a-f-]{36})/.exec(stdout)?.[1];
  assert.ok(id, stdout);
  const row = await server.db.selectFrom('customers').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  // The walk-through ends with a purge: the tombstone keeps the external id and no personal data.
  assert.equal(row.external_id, 'crm-42');
  assert.equal(row.name, null);
  assert.ok(row.purged_at);
  const events = await server.db.selectFrom('customer_events').select('type').where('customer_id', '=', id).orderBy('id').execute();
  assert.deepEqual(events.map((e) => e.type), ['customer.created', 'customer.updated', 'customer.updated', 'customer.deleted', 'customer.purged']);
});
