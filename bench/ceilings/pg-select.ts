import pg from 'pg';
import { keyOf, serve } from './serve.js';

// Ceiling (2): node:http + pg (a Pool as large as Patron's default) doing the primary-key select.
const pool = new pg.Pool({ connectionString: process.env.BENCH_PG_URL, max: 10 });

serve(
  async (req) => {
    const { rows } = await pool.query('select * from customers where tenant_id = $1 and id = $2', keyOf(req.url));
    return rows[0] ? { status: 200, json: rows[0] } : { status: 404, json: { error: 'not found' } };
  },
  () => pool.end(),
);
