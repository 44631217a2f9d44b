import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { useServer, type Res, type TenantClient } from '../helpers.js';

const { server, client } = await useServer();

/** The 15 RFC 7396 vectors shared by every project (target, patch, result). */
const vectors = JSON.parse(await readFile(new URL('../../../shared/vectors/rfc7396.json', import.meta.url), 'utf8')) as {
  target: unknown;
  patch: unknown;
  result: unknown;
}[];

// ---- small factories and database probes ----

const uniq = () => Math.random().toString(36).slice(2, 10);

const countCustomers = (tenantId: string) => server.countCustomers(tenantId);

function customerRow(id: string) {
  return server.db.selectFrom('customers').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

function channelRows(id: string) {
  return server.db.selectFrom('customer_channels').selectAll().where('customer_id', '=', id).orderBy('position').execute();
}

function eventRows(id: string) {
  return server.db.selectFrom('customer_events').selectAll().where('customer_id', '=', id).orderBy('seq').execute();
}

function assertProblem(res: Res, status: number, code: string) {
  assert.equal(res.status, status, `expected ${status} ${code}, got ${res.status}: ${res.text}`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal(res.body.code, code);
  assert.equal(res.body.status, status);
  assert.equal(typeof res.body.requestId, 'string');
}

function patchAs(c: TenantClient, id: string, body: unknown, headers: Record<string, string> = {}, contentType = 'application/merge-patch+json') {
  return c.request('PATCH', `/v1/customers/${id}`, { body, contentType, headers });
}

const statusesOf = (responses: Res[]) => responses.map((r) => r.status).sort((a, b) => a - b);

// ---- PATCH: RFC 7396 merge patch ----

describe('PATCH /v1/customers/:id (merge patch)', () => {
  async function richCustomer() {
    return client.customer({
      name: 'Jane Smith',
      email: `jane.${uniq()}@example.com`,
      phone: '+1 800 123 4567',
      notes: 'prefers email',
      additionalEmails: ['a@example.com', 'b@example.com'],
      billingAddress: { line1: '1 High Street', city: 'London', postalCode: 'N1 1AA', country: 'gb' },
      handles: { twitter: '@jane', github: 'janes' },
      customFields: { tier: 'gold', score: 5, nested: { a: 1, b: 2 } },
    });
  }

  test('PATCH /v1/customers/:id › applies application/merge-patch+json: absent fields unchanged, null clears, objects merge per key, arrays replaced', async () => {
    const created = await richCustomer();
    const res = await patchAs(client, created.id, {
      notes: null,
      billingAddress: { city: 'Leeds', postalCode: null },
      handles: { github: null, mastodon: '@J' },
      customFields: { score: null, nested: { b: 3 }, added: [1, 2] },
      additionalEmails: ['c@example.com'],
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get('etag'), '"2"');
    assert.equal(res.body.version, 2);
    // absent: unchanged
    assert.equal(res.body.name, 'Jane Smith');
    assert.equal(res.body.firstName, 'Jane');
    assert.equal(res.body.lastName, 'Smith');
    assert.equal(res.body.email, created.email);
    assert.equal(res.body.phone, '+18001234567');
    // null clears
    assert.equal(res.body.notes, null);
    // objects merge key by key
    assert.deepEqual(res.body.billingAddress, { line1: '1 High Street', city: 'Leeds', country: 'GB' });
    assert.deepEqual(res.body.handles, { twitter: 'jane', mastodon: 'j' });
    assert.deepEqual(res.body.customFields, { tier: 'gold', nested: { a: 1, b: 3 }, added: [1, 2] });
    // arrays replaced
    assert.deepEqual(res.body.additionalEmails, ['c@example.com']);
    assert.ok(Date.parse(res.body.updatedAt) >= Date.parse(created.updatedAt));

    const row = await customerRow(created.id);
    assert.equal(row.version, 2);
    assert.equal(row.name, 'Jane Smith');
    assert.equal(row.notes, null);
    assert.deepEqual(row.billing_address, { line1: '1 High Street', city: 'Leeds', country: 'GB' });
    assert.deepEqual(row.custom_fields, { tier: 'gold', nested: { a: 1, b: 3 }, added: [1, 2] });
    const channels = await channelRows(created.id);
    assert.deepEqual(
      channels.map((c) => [c.type, c.label, c.normalized, c.is_primary]),
      [
        ['email', '', created.email, true],
        ['email', '', 'c@example.com', false],
        ['phone', '', '+18001234567', true],
        ['handle', 'twitter', 'jane', false],
        ['handle', 'mastodon', 'j', false],
      ],
    );

    const got = await client.get(`/v1/customers/${created.id}`);
    assert.equal(got.headers.get('etag'), '"2"');
    assert.deepEqual(got.body, res.body);
  });

  test('PATCH /v1/customers/:id › accepts application/json as a merge patch too', async () => {
    const created = await richCustomer();
    const res = await patchAs(client, created.id, { customFields: { tier: null, flag: true }, billingAddress: { line2: 'Flat 2' } }, {}, 'application/json');
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get('etag'), '"2"');
    assert.deepEqual(res.body.customFields, { score: 5, nested: { a: 1, b: 2 }, flag: true });
    assert.deepEqual(res.body.billingAddress, { line1: '1 High Street', line2: 'Flat 2', city: 'London', postalCode: 'N1 1AA', country: 'GB' });
    assert.equal(res.body.notes, 'prefers email');
    const row = await customerRow(created.id);
    assert.deepEqual(row.custom_fields, { score: 5, nested: { a: 1, b: 2 }, flag: true });
  });

  test('PATCH /v1/customers/:id › null on a whole object clears it; null on every key of an object leaves it null / empty', async () => {
    const created = await richCustomer();
    const res = await patchAs(client, created.id, { billingAddress: null, handles: { twitter: null, github: null }, customFields: null, additionalEmails: null });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.billingAddress, null);
    assert.deepEqual(res.body.handles, {});
    assert.deepEqual(res.body.customFields, {});
    assert.deepEqual(res.body.additionalEmails, []);
    const row = await customerRow(created.id);
    assert.equal(row.billing_address, null);
    assert.deepEqual(row.custom_fields, {});
    const channels = await channelRows(created.id);
    assert.deepEqual(channels.map((c) => c.type).sort(), ['email', 'phone']);
  });

  test('PATCH /v1/customers/:id › increments version and ETag on every change', async () => {
    const created = await client.customer();
    assert.equal(created.version, 1);
    for (const [i, notes] of ['one', 'two', 'three'].entries()) {
      const res = await client.patch(`/v1/customers/${created.id}`, { notes });
      assert.equal(res.status, 200);
      assert.equal(res.body.version, i + 2);
      assert.equal(res.headers.get('etag'), `"${i + 2}"`);
    }
    assert.equal((await customerRow(created.id)).version, 4);
  });

  test('PATCH /v1/customers/:id › records a customer.updated event with {field: {from, to}} for each changed field only', async () => {
    const created = await richCustomer();
    const res = await patchAs(client, created.id, { notes: null, customFields: { score: 6 }, billingAddress: { city: 'Leeds' }, name: 'Jane Smith' });
    assert.equal(res.status, 200);
    const events = await eventRows(created.id);
    assert.deepEqual(events.map((e) => e.type), ['customer.created', 'customer.updated']);
    const updated = events[1]!;
    assert.equal(updated.tenant_id, client.tenant.id);
    assert.equal(updated.actor.type, 'token');
    assert.deepEqual(updated.changes, {
      notes: { from: 'prefers email', to: null },
      customFields: { from: { tier: 'gold', score: 5, nested: { a: 1, b: 2 } }, to: { tier: 'gold', score: 6, nested: { a: 1, b: 2 } } },
      billingAddress: {
        from: { line1: '1 High Street', city: 'London', postalCode: 'N1 1AA', country: 'GB' },
        to: { line1: '1 High Street', city: 'Leeds', postalCode: 'N1 1AA', country: 'GB' },
      },
    });

    const timeline = await client.get(`/v1/customers/${created.id}/events`);
    assert.equal(timeline.status, 200);
    assert.deepEqual(timeline.body.data.map((e: { type: string }) => e.type), ['customer.created', 'customer.updated']);
    assert.deepEqual(timeline.body.data[1].changes, updated.changes);
  });

  test('PATCH /v1/customers/:id › a PATCH that changes nothing returns 200 without bumping the version or recording an event', async () => {
    const created = await richCustomer();
    const res = await patchAs(client, created.id, {
      name: 'Jane Smith',
      email: created.email.toUpperCase(),
      phone: '+18001234567',
      customFields: { tier: 'gold', nested: { a: 1 } },
      handles: { twitter: 'jane' },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.version, 1);
    assert.equal(res.headers.get('etag'), '"1"');
    assert.equal(res.body.updatedAt, created.updatedAt);
    const empty = await patchAs(client, created.id, {});
    assert.equal(empty.status, 200);
    assert.equal(empty.body.version, 1);
    const row = await customerRow(created.id);
    assert.equal(row.version, 1);
    assert.equal(row.updated_at.toISOString(), created.updatedAt);
    assert.deepEqual((await eventRows(created.id)).map((e) => e.type), ['customer.created']);
  });

  test('PATCH /v1/customers/:id › returns 400 naming unknown and read-only fields, and changes nothing', async () => {
    const created = await client.customer();
    const res = await client.patch(`/v1/customers/${created.id}`, { nickname: 'x', id: created.id, notes: 'n' });
    assertProblem(res, 400, 'validation_failed');
    assert.deepEqual(res.body.errors.map((e: { field: string; code: string }) => [e.field, e.code]).sort(), [['id', 'read_only'], ['nickname', 'unknown_field']]);
    const row = await customerRow(created.id);
    assert.equal(row.version, 1);
    assert.equal(row.notes, null);
  });

  test('PATCH /v1/customers/:id › refuses a body that is not JSON (text/plain, application/xml) with 415, and changes nothing', async () => {
    const created = await client.customer();
    for (const contentType of ['application/xml', 'text/plain']) {
      const res = await client.request('PATCH', `/v1/customers/${created.id}`, { raw: JSON.stringify({ notes: 'x' }), contentType });
      assertProblem(res, 415, 'unsupported_media_type');
    }
    const row = await customerRow(created.id);
    assert.equal(row.version, 1);
    assert.equal(row.notes, null);
  });

  test('PATCH /v1/customers/:id › returns 404 for an unknown id and for another tenant\'s customer, leaving it unchanged', async () => {
    const other = await server.tenant();
    const theirs = await other.customer();
    const res = await client.patch(`/v1/customers/${theirs.id}`, { notes: 'hijack' });
    assertProblem(res, 404, 'not_found');
    const missing = await client.patch('/v1/customers/0190a0a0-0000-7000-8000-000000000000', { notes: 'x' });
    assertProblem(missing, 404, 'not_found');
    const row = await customerRow(theirs.id);
    assert.equal(row.notes, null);
    assert.equal(row.version, 1);
  });
});

// ---- the RFC 7396 test vectors, through customFields ----

describe('PATCH /v1/customers/:id › RFC 7396 vectors on customFields', () => {
  test('the vector file holds the 15 vectors of RFC 7396 appendix A', () => {
    assert.equal(vectors.length, 15);
  });

  for (const [i, vector] of vectors.entries()) {
    test(`PATCH /v1/customers/:id › RFC 7396 vector #${i + 1}: ${JSON.stringify(vector.target)} + ${JSON.stringify(vector.patch)} → ${JSON.stringify(vector.result)}`, async () => {
      const created = await client.customer(vector.target === null ? {} : { customFields: { v: vector.target } });
      const expected = vector.result === null ? {} : { v: vector.result };
      const res = await patchAs(client, created.id, { customFields: { v: vector.patch } });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body.customFields, expected);
      const row = await customerRow(created.id);
      assert.deepEqual(row.custom_fields, expected);
      const got = await client.get(`/v1/customers/${created.id}`);
      assert.deepEqual(got.body.customFields, expected);
    });
  }
});

// ---- name derivation ----

describe('PATCH /v1/customers/:id › name derivation', () => {
  test('PATCH /v1/customers/:id › name alone re-derives firstName and lastName', async () => {
    const created = await client.customer({ name: 'Jane Smith' });
    const res = await client.patch(`/v1/customers/${created.id}`, { name: '  Mary Ann Jones ' });
    assert.equal(res.status, 200);
    assert.equal(res.body.name, 'Mary Ann Jones');
    assert.equal(res.body.firstName, 'Mary');
    assert.equal(res.body.lastName, 'Ann Jones');
    const row = await customerRow(created.id);
    assert.deepEqual([row.name, row.first_name, row.last_name], ['Mary Ann Jones', 'Mary', 'Ann Jones']);

    const single = await client.patch(`/v1/customers/${created.id}`, { name: 'Cher' });
    assert.deepEqual([single.body.name, single.body.firstName, single.body.lastName], ['Cher', 'Cher', null]);
  });

  test('PATCH /v1/customers/:id › firstName alone re-derives name, keeping lastName', async () => {
    const created = await client.customer({ name: 'Jane Smith' });
    const res = await client.patch(`/v1/customers/${created.id}`, { firstName: 'Maria' });
    assert.equal(res.status, 200);
    assert.deepEqual([res.body.name, res.body.firstName, res.body.lastName], ['Maria Smith', 'Maria', 'Smith']);
    const row = await customerRow(created.id);
    assert.deepEqual([row.name, row.first_name, row.last_name], ['Maria Smith', 'Maria', 'Smith']);

    const noLast = await client.patch(`/v1/customers/${created.id}`, { lastName: null });
    assert.deepEqual([noLast.body.name, noLast.body.firstName, noLast.body.lastName], ['Maria', 'Maria', null]);
  });

  test('PATCH /v1/customers/:id › name and parts given together are kept as given', async () => {
    const created = await client.customer({ name: 'Jane Smith' });
    const res = await client.patch(`/v1/customers/${created.id}`, { name: 'Dr J. Smith', firstName: 'Jane', lastName: 'Smith' });
    assert.deepEqual([res.body.name, res.body.firstName, res.body.lastName], ['Dr J. Smith', 'Jane', 'Smith']);
  });
});

// ---- conditional writes ----

describe('Conditional writes (If-Match)', () => {
  test('PATCH /v1/customers/:id › returns 200 when If-Match holds the current ETag', async () => {
    const created = await client.customer();
    const res = await client.patch(`/v1/customers/${created.id}`, { notes: 'a' }, { 'if-match': '"1"' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('etag'), '"2"');
    const list = await client.patch(`/v1/customers/${created.id}`, { notes: 'b' }, { 'if-match': '"7", "2"' });
    assert.equal(list.status, 200);
    assert.equal(list.headers.get('etag'), '"3"');
    assert.equal((await customerRow(created.id)).notes, 'b');
  });

  test('PATCH /v1/customers/:id › returns 412 when If-Match is stale, and changes nothing', async () => {
    const created = await client.customer({ notes: 'original' });
    await client.patch(`/v1/customers/${created.id}`, { notes: 'second' });
    const res = await client.patch(`/v1/customers/${created.id}`, { notes: 'stale write' }, { 'if-match': '"1"' });
    assertProblem(res, 412, 'precondition_failed');
    const row = await customerRow(created.id);
    assert.equal(row.version, 2);
    assert.equal(row.notes, 'second');
    assert.deepEqual((await eventRows(created.id)).map((e) => e.type), ['customer.created', 'customer.updated']);
  });

  test('PATCH /v1/customers/:id › a weak or malformed ETag in If-Match never matches (412)', async () => {
    const created = await client.customer();
    for (const tag of ['W/"1"', '1', '"abc"']) {
      const res = await client.patch(`/v1/customers/${created.id}`, { notes: 'x' }, { 'if-match': tag });
      assertProblem(res, 412, 'precondition_failed');
    }
    assert.equal((await customerRow(created.id)).version, 1);
  });

  test('PATCH /v1/customers/:id › If-Match: * matches any current version', async () => {
    const created = await client.customer();
    await client.patch(`/v1/customers/${created.id}`, { notes: 'v2' });
    const res = await client.patch(`/v1/customers/${created.id}`, { notes: 'v3' }, { 'if-match': '*' });
    assert.equal(res.status, 200);
    assert.equal(res.body.version, 3);
    assert.equal((await customerRow(created.id)).notes, 'v3');
  });

  test('DELETE /v1/customers/:id › returns 412 when If-Match is stale, and the customer stays live', async () => {
    const created = await client.customer();
    await client.patch(`/v1/customers/${created.id}`, { notes: 'v2' });
    const res = await client.delete(`/v1/customers/${created.id}`, { 'if-match': '"1"' });
    assertProblem(res, 412, 'precondition_failed');
    assert.equal((await customerRow(created.id)).deleted_at, null);
    const ok = await client.delete(`/v1/customers/${created.id}`, { 'if-match': '"2"' });
    assert.equal(ok.status, 200);
  });

  test('PATCH, DELETE and restore › return 428 without If-Match when the tenant requires it, and 200 with it', async () => {
    const strict = await server.tenant({ requireIfMatch: true });
    const created = await strict.customer({ notes: 'original' });

    const patch = await strict.patch(`/v1/customers/${created.id}`, { notes: 'changed' });
    assertProblem(patch, 428, 'precondition_required');
    const del = await strict.delete(`/v1/customers/${created.id}`);
    assertProblem(del, 428, 'precondition_required');
    let row = await customerRow(created.id);
    assert.equal(row.version, 1);
    assert.equal(row.notes, 'original');
    assert.equal(row.deleted_at, null);

    const patched = await strict.patch(`/v1/customers/${created.id}`, { notes: 'changed' }, { 'if-match': '"1"' });
    assert.equal(patched.status, 200);
    const stale = await strict.delete(`/v1/customers/${created.id}`, { 'if-match': '"1"' });
    assertProblem(stale, 412, 'precondition_failed');
    const deleted = await strict.delete(`/v1/customers/${created.id}`, { 'if-match': '"2"' });
    assert.equal(deleted.status, 200);

    const restore = await strict.post(`/v1/customers/${created.id}/restore`);
    assertProblem(restore, 428, 'precondition_required');
    row = await customerRow(created.id);
    assert.notEqual(row.deleted_at, null);
    const restored = await strict.post(`/v1/customers/${created.id}/restore`, undefined, { 'if-match': '"3"' });
    assert.equal(restored.status, 200);
    assert.equal(restored.body.deletedAt, null);
  });

  test('PATCH /v1/customers/:id › two parallel PATCHes with the same If-Match: exactly one 200 and one 412', async () => {
    const created = await client.customer({ notes: 'start' });
    for (let round = 0; round < 5; round++) {
      const current = await client.get(`/v1/customers/${created.id}`);
      const etag = current.headers.get('etag')!;
      const [a, b] = await Promise.all([
        client.patch(`/v1/customers/${created.id}`, { notes: `round ${round} A` }, { 'if-match': etag }),
        client.patch(`/v1/customers/${created.id}`, { notes: `round ${round} B` }, { 'if-match': etag }),
      ]);
      assert.deepEqual(statusesOf([a, b]), [200, 412], `round ${round}: ${a.text} / ${b.text}`);
      const winner = a.status === 200 ? a : b;
      const loser = a.status === 200 ? b : a;
      assert.equal(loser.body.code, 'precondition_failed');
      assert.equal(winner.body.version, current.body.version + 1);
      const row = await customerRow(created.id);
      assert.equal(row.version, current.body.version + 1);
      assert.equal(row.notes, winner.body.notes);
    }
    const events = await eventRows(created.id);
    assert.equal(events.filter((e) => e.type === 'customer.updated').length, 5);
  });
});

describe('Concurrent writes without If-Match', () => {
  test('PATCH /v1/customers/:id › concurrent PATCHes of different channels all survive (no lost update)', async () => {
    for (let round = 0; round < 5; round++) {
      const tag = uniq();
      const created = await client.customer({ email: `old.${tag}@example.com` });
      const responses = await Promise.all([
        client.patch(`/v1/customers/${created.id}`, { email: `new.${tag}@example.com` }),
        client.patch(`/v1/customers/${created.id}`, { additionalPhones: ['+44 20 7946 0018'] }),
        client.patch(`/v1/customers/${created.id}`, { handles: { twitter: `@t${tag}` } }),
      ]);
      assert.deepEqual(statusesOf(responses), [200, 200, 200]);
      const got = await client.get(`/v1/customers/${created.id}`);
      assert.equal(got.body.version, 4);
      assert.deepEqual(
        [got.body.email, got.body.additionalPhones, got.body.handles],
        [`new.${tag}@example.com`, ['+442079460018'], { twitter: `t${tag}` }],
        `round ${round}: a concurrent PATCH overwrote another one's channel change`,
      );
      const channels = await channelRows(created.id);
      assert.deepEqual(
        channels.map((c) => [c.type, c.normalized]),
        [['email', `new.${tag}@example.com`], ['phone', '+442079460018'], ['handle', `t${tag}`]],
      );
    }
  });
});

// ---- soft delete and restore ----

describe('DELETE /v1/customers/:id (soft delete) and restore', () => {
  test('DELETE /v1/customers/:id › returns 200 with deletedAt; GET still returns the customer', async () => {
    const created = await client.customer();
    const res = await client.delete(`/v1/customers/${created.id}`);
    assert.equal(res.status, 200, res.text);
    assert.equal(typeof res.body.deletedAt, 'string');
    assert.ok(!Number.isNaN(Date.parse(res.body.deletedAt)));
    assert.equal(res.body.version, 2);
    assert.equal(res.headers.get('etag'), '"2"');
    assert.equal(res.body.email, created.email);

    const row = await customerRow(created.id);
    assert.equal(row.deleted_at?.toISOString(), res.body.deletedAt);
    assert.equal(row.purged_at, null);
    assert.equal((await channelRows(created.id)).length, 1);
    const events = await eventRows(created.id);
    assert.equal(events.at(-1)!.type, 'customer.deleted');

    const got = await client.get(`/v1/customers/${created.id}`);
    assert.equal(got.status, 200);
    assert.equal(got.body.deletedAt, res.body.deletedAt);
  });

  test('PATCH /v1/customers/:id › returns 409 customer_deleted for a deleted customer, and changes nothing', async () => {
    const created = await client.customer({ notes: 'keep' });
    await client.delete(`/v1/customers/${created.id}`);
    const res = await client.patch(`/v1/customers/${created.id}`, { notes: 'changed' });
    assertProblem(res, 409, 'customer_deleted');
    const again = await client.delete(`/v1/customers/${created.id}`);
    assertProblem(again, 409, 'customer_deleted');
    const row = await customerRow(created.id);
    assert.equal(row.notes, 'keep');
    assert.equal(row.version, 2);
  });

  test('GET /v1/customers › leaves deleted customers out unless deleted=include', async () => {
    const t = await server.tenant();
    const live = await t.customer();
    const gone = await t.customer();
    await t.delete(`/v1/customers/${gone.id}`);
    const list = await t.get('/v1/customers');
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.data.map((c: { id: string }) => c.id), [live.id]);
    const all = await t.get('/v1/customers?deleted=include');
    assert.deepEqual(all.body.data.map((c: { id: string }) => c.id).sort(), [live.id, gone.id].sort());
    const only = await t.get('/v1/customers?deleted=only');
    assert.deepEqual(only.body.data.map((c: { id: string }) => c.id), [gone.id]);
  });

  test('POST /v1/customers/:id/restore › returns 200 with deletedAt null and the customer is live again', async () => {
    const created = await client.customer();
    await client.delete(`/v1/customers/${created.id}`);
    const res = await client.post(`/v1/customers/${created.id}/restore`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.deletedAt, null);
    assert.equal(res.body.version, 3);
    assert.equal(res.headers.get('etag'), '"3"');
    const row = await customerRow(created.id);
    assert.equal(row.deleted_at, null);
    assert.equal((await eventRows(created.id)).at(-1)!.type, 'customer.restored');
    const patched = await client.patch(`/v1/customers/${created.id}`, { notes: 'back' });
    assert.equal(patched.status, 200);
  });

  test('POST /v1/customers/:id/restore › returns 409 customer_not_deleted for a live customer', async () => {
    const created = await client.customer();
    const res = await client.post(`/v1/customers/${created.id}/restore`);
    assertProblem(res, 409, 'customer_not_deleted');
    const row = await customerRow(created.id);
    assert.equal(row.version, 1);
    assert.equal(row.deleted_at, null);
  });

  test('POST /v1/customers › externalId and companyNumber stay reserved after delete (409 duplicate naming the holder)', async () => {
    const externalId = `ext-${uniq()}`;
    const companyNumber = `CN${uniq()}`;
    const created = await client.customer({ externalId, companyNumber });
    await client.delete(`/v1/customers/${created.id}`);
    const before = await countCustomers(client.tenant.id);

    const byExt = await client.post('/v1/customers', { name: 'Other', externalId });
    assertProblem(byExt, 409, 'duplicate');
    assert.equal(byExt.body.field, 'externalId');
    assert.equal(byExt.body.existingId, created.id);

    const byCompany = await client.post('/v1/customers', { name: 'Other', companyNumber });
    assertProblem(byCompany, 409, 'duplicate');
    assert.equal(byCompany.body.field, 'companyNumber');
    assert.equal(byCompany.body.existingId, created.id);

    assert.equal(await countCustomers(client.tenant.id), before);
  });

  test('DELETE /v1/customers/:id › returns 404 for another tenant\'s customer, which stays live', async () => {
    const other = await server.tenant();
    const theirs = await other.customer();
    const res = await client.delete(`/v1/customers/${theirs.id}`);
    assertProblem(res, 404, 'not_found');
    assert.equal((await customerRow(theirs.id)).deleted_at, null);
  });
});

// ---- purge ----

describe('POST /v1/customers/:id/purge', () => {
  test('POST /v1/customers/:id/purge › leaves a tombstone with no personal data, no channels, and redacted events', async () => {
    const tag = uniq();
    const email = `erase.me.${tag}@example.com`;
    const name = `Erasable Person${tag}`;
    const externalId = `crm-${tag}`;
    const created = await client.customer({
      name,
      email,
      phone: '+44 20 7946 0123',
      additionalEmails: [`second.${tag}@example.com`],
      additionalPhones: ['+1 800 555 0199'],
      whatsapp: '+44 7700 900456',
      handles: { twitter: `@handle${tag}` },
      fax: '+44 20 7946 0999',
      notes: `private note ${tag}`,
      customFields: { secret: `custom ${tag}` },
      billingAddress: { line1: `${tag} Secret Road`, city: 'Bristol', country: 'GB' },
      location: { city: 'Bristol', description: `near ${tag} park`, latitude: 51.45, longitude: -2.58 },
      ip: '203.0.113.77',
      externalId,
      type: 'individual',
    });
    const updatedNotes = `updated note ${tag}`;
    const patched = await client.patch(`/v1/customers/${created.id}`, { notes: updatedNotes, email: `new.${tag}@example.com` });
    assert.equal(patched.status, 200);
    const del = await client.delete(`/v1/customers/${created.id}`);
    assert.equal(del.status, 200);
    const secrets = [email, `new.${tag}@example.com`, `second.${tag}@example.com`, name, 'Erasable', `handle${tag}`, `private note ${tag}`, updatedNotes, `custom ${tag}`, `${tag} Secret Road`, `near ${tag} park`, '+442079460123', '+18005550199', '+447700900456', '+442079460999', '203.0.113.77'];

    const res = await client.post(`/v1/customers/${created.id}/purge`);
    assert.equal(res.status, 200, res.text);
    const c = res.body;
    assert.equal(c.id, created.id);
    assert.equal(c.number, created.number);
    for (const field of ['name', 'firstName', 'lastName', 'email', 'phone', 'whatsapp', 'fax', 'billingAddress', 'location', 'ip', 'notes']) {
      assert.equal(c[field], null, `${field} should be null after purge`);
    }
    assert.deepEqual(c.additionalEmails, []);
    assert.deepEqual(c.additionalPhones, []);
    assert.deepEqual(c.handles, {});
    assert.deepEqual(c.customFields, {});
    assert.equal(typeof c.purgedAt, 'string');
    assert.equal(c.deletedAt, del.body.deletedAt, 'a deleted customer keeps its deletion time');
    assert.equal(c.externalId, externalId, 'the tombstone keeps the externalId (still reserved)');
    assert.equal(res.headers.get('etag'), `"${c.version}"`);

    const row = await customerRow(created.id);
    assert.notEqual(row.purged_at, null);
    assert.notEqual(row.deleted_at, null);
    assert.equal(row.name, null);
    assert.equal(row.notes, null);
    assert.equal(row.billing_address, null);
    assert.equal(row.location, null);
    assert.deepEqual(row.custom_fields, {});
    assert.deepEqual(await channelRows(created.id), []);

    const events = await eventRows(created.id);
    assert.deepEqual(events.map((e) => e.type), ['customer.created', 'customer.updated', 'customer.deleted', 'customer.purged']);
    for (const event of events.slice(0, -1)) {
      assert.ok(Object.keys(event.changes).length > 0, `${event.type} keeps which fields changed`);
      for (const [field, change] of Object.entries(event.changes)) {
        assert.deepEqual(change, { redacted: true }, `${event.type}.${field} must hold no value`);
      }
    }
    assert.ok('email' in events[0]!.changes && 'name' in events[0]!.changes, 'the created event still names its fields');
    assert.deepEqual(Object.keys(events[1]!.changes).sort(), ['email', 'notes']);

    const haystack = JSON.stringify(events) + JSON.stringify(row);
    for (const secret of secrets) assert.ok(!haystack.includes(secret), `"${secret}" must not survive the purge`);

    const timeline = await client.get(`/v1/customers/${created.id}/events`);
    assert.equal(timeline.status, 200);
    for (const secret of secrets) assert.ok(!timeline.text.includes(secret), `"${secret}" must not be in the timeline`);

    const got = await client.get(`/v1/customers/${created.id}`);
    assert.equal(got.status, 200);
    assert.equal(got.body.purgedAt, c.purgedAt);
  });

  test('POST /v1/customers/:id/purge › leaves no personal data in stored Idempotency-Key responses', async () => {
    const tag = uniq();
    const email = `idem.${tag}@example.com`;
    const name = `Keyed Person${tag}`;
    const created = await client.request('POST', '/v1/customers', { body: { name, email }, headers: { 'idempotency-key': `create-${tag}` } });
    assert.equal(created.status, 201);
    const upserted = await client.request('PUT', `/v1/customers/by-external-id/idem-${tag}`, { body: { notes: `note ${tag}` }, headers: { 'idempotency-key': `upsert-${tag}` } });
    assert.equal(upserted.status, 201);
    for (const id of [created.body.id, upserted.body.id]) assert.equal((await client.post(`/v1/customers/${id}/purge`)).status, 200);
    const stored = await server.db.selectFrom('idempotency_keys').selectAll().where('tenant_id', '=', client.tenant.id).execute();
    const haystack = JSON.stringify(stored);
    for (const secret of [email, name, `note ${tag}`]) assert.ok(!haystack.includes(secret), `"${secret}" survives the purge in idempotency_keys`);
  });

  test('POST /v1/customers/:id/purge › purges a live customer too, setting deletedAt', async () => {
    const created = await client.customer();
    const res = await client.post(`/v1/customers/${created.id}/purge`);
    assert.equal(res.status, 200);
    assert.equal(typeof res.body.deletedAt, 'string');
    assert.equal(typeof res.body.purgedAt, 'string');
    assert.equal(res.body.email, null);
    const row = await customerRow(created.id);
    assert.notEqual(row.deleted_at, null);
    assert.notEqual(row.purged_at, null);
    const list = await client.get(`/v1/customers?email=${encodeURIComponent(created.email)}&deleted=include`);
    assert.deepEqual(list.body.data, []);
  });

  test('POST /v1/customers/:id/purge › a second purge is harmless', async () => {
    const created = await client.customer();
    const first = await client.post(`/v1/customers/${created.id}/purge`);
    const second = await client.post(`/v1/customers/${created.id}/purge`);
    assert.equal(second.status, 200);
    assert.equal(second.body.purgedAt, first.body.purgedAt);
    assert.equal(second.body.version, first.body.version);
    assert.equal((await eventRows(created.id)).filter((e) => e.type === 'customer.purged').length, 1);
  });

  test('PATCH, DELETE and restore › return 409 customer_purged after a purge', async () => {
    const created = await client.customer();
    const purged = await client.post(`/v1/customers/${created.id}/purge`);
    assert.equal(purged.status, 200);
    assertProblem(await client.patch(`/v1/customers/${created.id}`, { name: 'Back again' }), 409, 'customer_purged');
    assertProblem(await client.post(`/v1/customers/${created.id}/restore`), 409, 'customer_purged');
    const row = await customerRow(created.id);
    assert.equal(row.name, null);
    assert.notEqual(row.deleted_at, null);
    assert.equal(row.version, purged.body.version);
  });

  test('POST /v1/customers/:id/purge › needs the customers:purge scope (customers:write alone → 403 insufficient_scope)', async () => {
    const created = await client.customer();
    const { token } = await server.createToken(client.tenant.id, ['customers:read', 'customers:write']);
    const res = await server.request('POST', `/v1/customers/${created.id}/purge`, { token });
    assertProblem(res, 403, 'insufficient_scope');
    assert.match(res.headers.get('www-authenticate') ?? '', /insufficient_scope/);
    const row = await customerRow(created.id);
    assert.equal(row.purged_at, null);
    assert.equal(row.name, 'Jane Smith');
    assert.equal((await channelRows(created.id)).length, 1);
  });

  test('POST /v1/customers/:id/purge › returns 404 for another tenant\'s customer, which keeps its data', async () => {
    const other = await server.tenant();
    const theirs = await other.customer();
    const res = await client.post(`/v1/customers/${theirs.id}/purge`);
    assertProblem(res, 404, 'not_found');
    const row = await customerRow(theirs.id);
    assert.equal(row.purged_at, null);
    assert.equal(row.name, 'Jane Smith');
  });
});

// ---- upsert by externalId ----

describe('PUT /v1/customers/by-external-id/:externalId', () => {
  test('PUT /v1/customers/by-external-id/:externalId › creates (201 with Location), then merge-patches (200)', async () => {
    const externalId = `crm:${uniq()}`;
    const path = `/v1/customers/by-external-id/${encodeURIComponent(externalId)}`;
    const first = await client.put(path, { name: 'Ada Lovelace', email: 'Ada@Example.com', customFields: { a: 1 } });
    assert.equal(first.status, 201, first.text);
    assert.equal(first.headers.get('location'), `/v1/customers/${first.body.id}`);
    assert.equal(first.headers.get('etag'), '"1"');
    assert.equal(first.body.externalId, externalId);
    assert.equal(first.body.email, 'ada@example.com');

    const second = await client.put(path, { phone: '+1 800 123 4567', customFields: { b: 2 } });
    assert.equal(second.status, 200, second.text);
    assert.equal(second.headers.get('location'), null);
    assert.equal(second.headers.get('etag'), '"2"');
    assert.equal(second.body.id, first.body.id);
    assert.equal(second.body.name, 'Ada Lovelace');
    assert.equal(second.body.email, 'ada@example.com');
    assert.equal(second.body.phone, '+18001234567');
    assert.deepEqual(second.body.customFields, { a: 1, b: 2 });

    const rows = await server.db.selectFrom('customers').selectAll().where('tenant_id', '=', client.tenant.id).where('external_id', '=', externalId).execute();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.version, 2);
    assert.deepEqual(rows[0]!.custom_fields, { a: 1, b: 2 });
    assert.deepEqual((await eventRows(first.body.id)).map((e) => e.type), ['customer.created', 'customer.updated']);

    const same = await client.put(path, { phone: '+18001234567' });
    assert.equal(same.status, 200);
    assert.equal(same.body.version, 2, 'an upsert that changes nothing keeps the version');
  });

  test('PUT /v1/customers/by-external-id/:externalId › accepts the same externalId in the body, refuses another one with 400', async () => {
    const externalId = `ext-${uniq()}`;
    const before = await countCustomers(client.tenant.id);
    const bad = await client.put(`/v1/customers/by-external-id/${externalId}`, { name: 'X', externalId: `${externalId}-other` });
    assertProblem(bad, 400, 'validation_failed');
    assert.deepEqual(bad.body.errors.map((e: { field: string }) => e.field), ['externalId']);
    assert.equal(await countCustomers(client.tenant.id), before);

    const ok = await client.put(`/v1/customers/by-external-id/${externalId}`, { name: 'X', externalId });
    assert.equal(ok.status, 201);
    const mismatch = await client.put(`/v1/customers/by-external-id/${externalId}`, { externalId: 'renamed' });
    assertProblem(mismatch, 400, 'validation_failed');
    assert.equal((await customerRow(ok.body.id)).external_id, externalId);
  });

  test('PUT /v1/customers/by-external-id/:externalId › repeating an upsert whose externalId has surrounding spaces never conflicts with itself', async () => {
    const raw = ` spaced-${uniq()} `;
    const path = `/v1/customers/by-external-id/${encodeURIComponent(raw)}`;
    const first = await client.put(path, { name: 'First' });
    const second = await client.put(path, { name: 'Second' });
    if (first.status === 201) {
      // Accepted (and stored trimmed): the repeat must find the same customer.
      assert.equal(second.status, 200, second.text);
      assert.equal(second.body.id, first.body.id);
      assert.equal(second.body.name, 'Second');
    } else {
      // Or refused outright, every time.
      assertProblem(first, 400, 'validation_failed');
      assertProblem(second, 400, 'validation_failed');
    }
  });

  test('PUT /v1/customers/by-external-id/:externalId › returns 409 customer_deleted when the holder is deleted', async () => {
    const externalId = `ext-${uniq()}`;
    const created = await client.customer({ externalId });
    await client.delete(`/v1/customers/${created.id}`);
    const res = await client.put(`/v1/customers/by-external-id/${externalId}`, { notes: 'x' });
    assertProblem(res, 409, 'customer_deleted');
    const row = await customerRow(created.id);
    assert.equal(row.notes, null);
    assert.equal(await server.db.selectFrom('customers').select('id').where('tenant_id', '=', client.tenant.id).where('external_id', '=', externalId).execute().then((r) => r.length), 1);
  });

  test('PUT /v1/customers/by-external-id/:externalId › parallel upserts of a new externalId settle on one customer (one 201, the rest 200)', async () => {
    for (let round = 0; round < 3; round++) {
      const externalId = `race-${uniq()}`;
      const responses = await Promise.all(
        Array.from({ length: 5 }, (_, i) => client.put(`/v1/customers/by-external-id/${externalId}`, { name: 'Racer', customFields: { [`k${i}`]: i } })),
      );
      for (const r of responses) assert.ok(r.status === 200 || r.status === 201, `round ${round}: ${r.status} ${r.text}`);
      assert.equal(responses.filter((r) => r.status === 201).length, 1, `round ${round}: ${statusesOf(responses).join(',')}`);
      const ids = new Set(responses.map((r) => r.body.id));
      assert.equal(ids.size, 1);
      const rows = await server.db.selectFrom('customers').selectAll().where('tenant_id', '=', client.tenant.id).where('external_id', '=', externalId).execute();
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.id, [...ids][0]);
      // Every upsert's fields were merged in, none lost.
      assert.deepEqual(rows[0]!.custom_fields, { k0: 0, k1: 1, k2: 2, k3: 3, k4: 4 });
    }
  });
});

// ---- duplicates ----

describe('Duplicate externalId / companyNumber', () => {
  test('POST /v1/customers › returns 409 duplicate naming externalId and the holder, storing nothing', async () => {
    const externalId = `ext-${uniq()}`;
    const holder = await client.customer({ externalId });
    const before = await countCustomers(client.tenant.id);
    const res = await client.post('/v1/customers', { name: 'Copy', externalId });
    assertProblem(res, 409, 'duplicate');
    assert.equal(res.body.field, 'externalId');
    assert.equal(res.body.existingId, holder.id);
    assert.deepEqual(res.body.errors.map((e: { field: string }) => e.field), ['externalId']);
    assert.equal(await countCustomers(client.tenant.id), before);
  });

  test('POST /v1/customers › returns 409 duplicate naming companyNumber and the holder, storing nothing', async () => {
    const companyNumber = `CN${uniq()}`;
    const holder = await client.customer({ type: 'business', companyNumber });
    const before = await countCustomers(client.tenant.id);
    const res = await client.post('/v1/customers', { name: 'Copy Ltd', type: 'business', companyNumber });
    assertProblem(res, 409, 'duplicate');
    assert.equal(res.body.field, 'companyNumber');
    assert.equal(res.body.existingId, holder.id);
    assert.equal(await countCustomers(client.tenant.id), before);
  });

  test('PATCH /v1/customers/:id › returns 409 when setting another customer\'s externalId or companyNumber', async () => {
    const externalId = `ext-${uniq()}`;
    const companyNumber = `CN${uniq()}`;
    const holder = await client.customer({ externalId, companyNumber });
    const other = await client.customer({ externalId: `mine-${uniq()}` });
    const res = await client.patch(`/v1/customers/${other.id}`, { externalId, notes: 'x' });
    assertProblem(res, 409, 'duplicate');
    assert.equal(res.body.field, 'externalId');
    assert.equal(res.body.existingId, holder.id);
    const byCompany = await client.patch(`/v1/customers/${other.id}`, { companyNumber });
    assertProblem(byCompany, 409, 'duplicate');
    assert.equal(byCompany.body.field, 'companyNumber');
    assert.equal(byCompany.body.existingId, holder.id);
    const row = await customerRow(other.id);
    assert.equal(row.external_id, other.externalId);
    assert.equal(row.company_number, null);
    assert.equal(row.notes, null);
    assert.equal(row.version, 1);
    // Re-sending one's own externalId is not a conflict.
    const self = await client.patch(`/v1/customers/${holder.id}`, { externalId, notes: 'ok' });
    assert.equal(self.status, 200);
  });

  test('POST /v1/customers › parallel creates with the same new externalId: exactly one 201, the rest 409, one row', async () => {
    for (let round = 0; round < 3; round++) {
      const externalId = `race-${uniq()}`;
      const responses = await Promise.all(Array.from({ length: 6 }, (_, i) => client.post('/v1/customers', { name: `Racer ${i}`, externalId })));
      assert.deepEqual(statusesOf(responses), [201, 409, 409, 409, 409, 409], responses.map((r) => r.text).join('\n'));
      const winner = responses.find((r) => r.status === 201)!;
      for (const loser of responses.filter((r) => r.status === 409)) {
        assert.equal(loser.body.code, 'duplicate');
        assert.equal(loser.body.field, 'externalId');
        assert.equal(loser.body.existingId, winner.body.id);
      }
      const rows = await server.db.selectFrom('customers').select(['id']).where('tenant_id', '=', client.tenant.id).where('external_id', '=', externalId).execute();
      assert.deepEqual(rows.map((r) => r.id), [winner.body.id]);
    }
  });

  test('POST /v1/customers › the same externalId and companyNumber in another tenant are fine (201)', async () => {
    const externalId = `ext-${uniq()}`;
    const companyNumber = `CN${uniq()}`;
    const mine = await client.customer({ externalId, companyNumber });
    const other = await server.tenant();
    const res = await other.post('/v1/customers', { name: 'Twin', externalId, companyNumber });
    assert.equal(res.status, 201, res.text);
    assert.notEqual(res.body.id, mine.id);
    const rows = await server.db.selectFrom('customers').select(['tenant_id']).where('external_id', '=', externalId).execute();
    assert.deepEqual(rows.map((r) => r.tenant_id).sort(), [client.tenant.id, other.tenant.id].sort());
  });
});

// ---- validation ----

describe('Validation of write bodies', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['a bad email', { email: 'not-an-email' }, 'email'],
    ['an email without a dot in the domain', { email: 'jane@localhost' }, 'email'],
    ['a phone that is not a phone number', { phone: 'call me maybe' }, 'phone'],
    ['a phone with too few digits', { phone: '12' }, 'phone'],
    ['latitude 91', { location: { latitude: 91 } }, 'location.latitude'],
    ['longitude -181', { location: { longitude: -181 } }, 'location.longitude'],
    ['an externalId of 101 characters', { externalId: 'x'.repeat(101) }, 'externalId'],
    ['customFields with 51 keys', { customFields: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i])) }, 'customFields'],
    ['a customFields key starting with a digit', { customFields: { '1bad': 1 } }, 'customFields.1bad'],
    ['a string where a number belongs (value: "12")', { value: '12' }, 'value'],
    ['a blank name', { name: '  ' }, 'name'],
    ['a bad additional email', { additionalEmails: ['ok@example.com', 'nope'] }, 'additionalEmails.1'],
  ];

  for (const [what, body, field] of cases) {
    test(`POST /v1/customers › returns 400 for ${what}, naming ${field}, and stores nothing`, async () => {
      const before = await countCustomers(client.tenant.id);
      const res = await client.post('/v1/customers', { name: 'Valid Name', ...body });
      assertProblem(res, 400, 'validation_failed');
      assert.ok(
        res.body.errors.some((e: { field: string }) => e.field === field),
        `errors should name ${field}: ${JSON.stringify(res.body.errors)}`,
      );
      assert.equal(await countCustomers(client.tenant.id), before);
    });

    test(`PATCH /v1/customers/:id › returns 400 for ${what}, naming ${field}, and changes nothing`, async () => {
      const created = await client.customer();
      const res = await client.patch(`/v1/customers/${created.id}`, body);
      assertProblem(res, 400, 'validation_failed');
      assert.ok(res.body.errors.some((e: { field: string }) => e.field === field), JSON.stringify(res.body.errors));
      const row = await customerRow(created.id);
      assert.equal(row.version, 1);
      assert.equal(row.name, 'Jane Smith');
      assert.deepEqual(row.custom_fields, {});
      assert.equal((await eventRows(created.id)).length, 1);
    });
  }

  test('POST /v1/customers › customFields with exactly 50 keys is accepted', async () => {
    const customFields = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, i]));
    const res = await client.post('/v1/customers', { name: 'Fifty', customFields });
    assert.equal(res.status, 201, res.text);
    assert.deepEqual((await customerRow(res.body.id)).custom_fields, customFields);
  });

  test('POST /v1/customers › a tenant with defaultPhoneCountry GB accepts 020 7946 0018 as +442079460018', async () => {
    const uk = await server.tenant({ defaultPhoneCountry: 'GB' });
    const res = await uk.post('/v1/customers', { name: 'London Caller', phone: '020 7946 0018', additionalPhones: ['07700 900123'] });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.phone, '+442079460018');
    assert.deepEqual(res.body.additionalPhones, ['+447700900123']);
    const channels = await channelRows(res.body.id);
    assert.deepEqual(channels.map((c) => [c.type, c.normalized, c.is_primary]), [
      ['phone', '+442079460018', true],
      ['phone', '+447700900123', false],
    ]);
    const patched = await uk.patch(`/v1/customers/${res.body.id}`, { phone: '0113 496 0000' });
    assert.equal(patched.status, 200, patched.text);
    assert.equal(patched.body.phone, '+441134960000');
  });
});

// ---- additional channels ----

describe('Additional channels', () => {
  test('POST /v1/customers › stores additionalEmails, additionalPhones, whatsapp and handles normalised, dropping duplicates of the primary', async () => {
    const tag = uniq();
    const res = await client.post('/v1/customers', {
      name: 'Multi Channel',
      email: `Primary.${tag}@Example.com`,
      additionalEmails: [` PRIMARY.${tag}@example.com `, `Work.${tag}@Example.COM`, `work.${tag}@example.com`],
      phone: '+1 800 123 4567',
      additionalPhones: ['+1 (800) 123-4567', '+44 20 7946 0018'],
      whatsapp: '+44 7700 900123',
      handles: { twitter: '@JaneS', instagram: ' jane.s ' },
    });
    assert.equal(res.status, 201, res.text);
    const c = res.body;
    assert.equal(c.email, `primary.${tag}@example.com`);
    assert.deepEqual(c.additionalEmails, [`work.${tag}@example.com`]);
    assert.equal(c.phone, '+18001234567');
    assert.deepEqual(c.additionalPhones, ['+442079460018']);
    assert.equal(c.whatsapp, '+447700900123');
    assert.deepEqual(c.handles, { twitter: 'janes', instagram: 'jane.s' });

    const channels = await channelRows(c.id);
    assert.deepEqual(
      channels.map((ch) => [ch.type, ch.label, ch.normalized, ch.is_primary]),
      [
        ['email', '', `primary.${tag}@example.com`, true],
        ['email', '', `work.${tag}@example.com`, false],
        ['phone', '', '+18001234567', true],
        ['phone', '', '+442079460018', false],
        ['whatsapp', '', '+447700900123', true],
        ['handle', 'twitter', 'janes', false],
        ['handle', 'instagram', 'jane.s', false],
      ],
    );
    for (const ch of channels) assert.equal(ch.tenant_id, client.tenant.id);

    const got = await client.get(`/v1/customers/${c.id}`);
    assert.deepEqual(got.body, c);
    const found = await client.get(`/v1/customers?email=${encodeURIComponent(`WORK.${tag}@example.com`)}`);
    assert.deepEqual(found.body.data.map((x: { id: string }) => x.id), [c.id]);
  });

  test('PATCH /v1/customers/:id › replaces channel arrays, merges handles, and keeps channel rows in step', async () => {
    const tag = uniq();
    const created = await client.customer({
      email: `p.${tag}@example.com`,
      additionalEmails: [`a.${tag}@example.com`, `b.${tag}@example.com`],
      whatsapp: '+44 7700 900123',
      handles: { twitter: '@one', github: 'two' },
    });
    const res = await client.patch(`/v1/customers/${created.id}`, {
      email: `A.${tag}@Example.com`,
      additionalEmails: [`c.${tag}@example.com`, `a.${tag}@example.com`],
      whatsapp: null,
      handles: { github: null, linkedin: '@Three' },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.email, `a.${tag}@example.com`);
    assert.deepEqual(res.body.additionalEmails, [`c.${tag}@example.com`], 'the new primary is dropped from the additional emails');
    assert.equal(res.body.whatsapp, null);
    assert.deepEqual(res.body.handles, { twitter: 'one', linkedin: 'three' });
    const channels = await channelRows(created.id);
    assert.deepEqual(
      channels.map((ch) => [ch.type, ch.label, ch.normalized, ch.is_primary]),
      [
        ['email', '', `a.${tag}@example.com`, true],
        ['email', '', `c.${tag}@example.com`, false],
        ['handle', 'twitter', 'one', false],
        ['handle', 'linkedin', 'three', false],
      ],
    );
    const old = await client.get(`/v1/customers?email=b.${tag}@example.com`);
    assert.deepEqual(old.body.data, []);
  });
});

describe('Phones that cannot be read as complete numbers', () => {
  test('POST /v1/customers › keeps a local number as written (seed 004 sends "555-1234") and finds it by its digits', async () => {
    const res = await client.post('/v1/customers', { name: 'Local Number', phone: ' 555-1234 ', additionalPhones: ['020 7946 0018'] });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.phone, '555-1234');
    assert.deepEqual(res.body.additionalPhones, ['020 7946 0018']);
    const channels = await server.db.selectFrom('customer_channels').select(['value', 'normalized']).where('customer_id', '=', res.body.id).orderBy('position').execute();
    assert.deepEqual(channels, [
      { value: '555-1234', normalized: '5551234' },
      { value: '020 7946 0018', normalized: '02079460018' },
    ]);
    const found = await client.get('/v1/customers?phone=555%201234');
    assert.deepEqual(found.body.data.map((c: { id: string }) => c.id), [res.body.id]);
  });
});
