import { PGlite } from '@electric-sql/pglite';
import { keyOf, serve } from './serve.js';

// Ceiling (4): node:http + in-process PGlite (on a copy of the seeded data directory) doing the primary-key select.
const db = new PGlite(process.env.BENCH_PGLITE_DIR!);
await db.waitReady;

serve(
  async (req) => {
    const { rows } = await db.query('select * from customers where tenant_id = $1 and id = $2', keyOf(req.url));
    return rows[0] ? { status: 200, json: rows[0] } : { status: 404, json: { error: 'not found' } };
  },
  () => db.close(),
);
