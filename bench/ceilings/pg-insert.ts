import pg from 'pg';
import { uuidv7 } from 'uuidv7';
import { serve } from './serve.js';

// Ceiling (3): node:http + pg doing a single-row insert into a scratch table shaped like customers.
const pool = new pg.Pool({ connectionString: process.env.BENCH_PG_URL, max: 10 });
const tenantId = process.env.BENCH_TENANT_ID;
let number = 0;

await pool.query('drop table if exists bench_scratch; create table bench_scratch (like customers including all)');

serve(
  async (req, raw) => {
    // Between turns: the table emptied (see CEILINGS['pg-insert'].reset).
    if (req.url === '/reset') {
      await pool.query('truncate bench_scratch');
      return { status: 200, json: { reset: true } };
    }
    const body = JSON.parse(raw) as Record<string, unknown>;
    const now = new Date();
    const { rows } = await pool.query(
      `insert into bench_scratch (tenant_id, id, number, name, type, status, external_id, billing_address, source, value, custom_fields, version, created_at, updated_at)
       values ($1, $2, $3, $4, 'individual', $5, $6, $7, $8, $9, $10, 1, $11, $11) returning *`,
      [tenantId, uuidv7(), ++number, body.name, body.status ?? 'active', body.externalId, JSON.stringify(body.billingAddress ?? null), body.source, body.value, JSON.stringify(body.customFields ?? {}), now],
    );
    return { status: 201, json: rows[0] };
  },
  async () => {
    await pool.query('drop table if exists bench_scratch');
    await pool.end();
  },
);
