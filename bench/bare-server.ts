// The baseline for the full-stack comparison: bare Fastify + pg running the same SQL as
// GET /api/orgs/:id/stats, with no session, scope, audit or validation.
import Fastify from 'fastify';
import pg from 'pg';

const url = process.env.BENCH_DATABASE_URL!;
const pool = new pg.Pool({ connectionString: url, max: Number(process.env.BENCH_POOL_MAX ?? 10) });
const app = Fastify({ logger: false });
app.get<{ Params: { id: string } }>('/stats/:id', async (req) => {
  const { rows } = await pool.query('SELECT dim, key, n FROM org_counts WHERE org_id = $1', [req.params.id]);
  const out: Record<string, Record<string, number>> = {};
  for (const r of rows) if (r.n !== 0) (out[r.dim] ??= {})[r.key] = r.n;
  return out;
});
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.send?.('ready');
process.on('SIGTERM', async () => {
  await app.close();
  await pool.end();
  process.exit(0);
});
