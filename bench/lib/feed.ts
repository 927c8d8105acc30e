// The member-feed measure (issue 5, MEM-2): GET /api/me/feed for members of branches all over the
// city, each with their own login, as the mobile "my branch" page asks for it. Run on a database
// holding the city-scale synthetic city (whose loader seeds a year of meetings but no feed items).
//
// The feed is filled first, outside the timed city load, with what a year would leave in it: one
// item per held meeting in its branch (what recording a meeting posts), and the notices of the
// organisations above the branches — twice a month from the city, each district, street and
// community committee, half of them cascading to every branch below. Ids follow time within each of
// the two.
import pg from 'pg';
import { createDatabase, type Engine } from '../../apps/server/src/db/database.js';
import { postHeldMeetings } from '../../apps/server/src/db/seed/city/member-life.js';
import { hashPassword } from '../../apps/server/src/platform/passwords.js';
import { httpLoad } from './stats.js';

const MEMBERS = 60;

export async function measureFeed(opts: { port: number; sqlUrl: string; engine: Engine; log: (m: string) => void; seconds?: number }) {
  const { port, log } = opts;
  const pool = new pg.Pool({ connectionString: opts.sqlUrl, max: 1 });
  try {
    const meetings = Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM meetings WHERE held_on IS NOT NULL`)).rows[0]!.n);
    if (meetings === 0) {
      log('no meetings at this scale: the member-feed measure is skipped');
      return {};
    }
    const filled = performance.now();
    // what recording each held meeting posts, then the committees' notices (ids follow time)
    const database = createDatabase({ url: opts.sqlUrl, engine: opts.engine });
    try {
      await postHeldMeetings(database.db);
    } finally {
      await database.close();
    }
    await pool.query(`
      INSERT INTO feed_items (org_id, kind, title, body, cascade, internal, author_name, created_at)
      SELECT o.id, 'notice', o.name || '通知（第' || n || '期）', '请各支部认真组织学习，按时报送落实情况。', n % 2 = 0, n % 3 <> 0, o.name,
             date_trunc('year', now()) + (n * 15) * interval '1 day' + (o.id % 600) * interval '1 minute' AS at
      FROM orgs o CROSS JOIN generate_series(1, 22) AS n
      WHERE o.kind IN ('committee', 'working_committee') AND o.status = 'active'
        AND date_trunc('year', now()) + (n * 15) * interval '1 day' < now()
      ORDER BY at`);
    await pool.query('ANALYZE feed_items');
    const items = Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM feed_items`)).rows[0]!.n);
    const fillSeconds = Math.round((performance.now() - filled) / 10) / 100;

    // members of ordinary branches across the city, each with a login of the member role; half have
    // read part of their feed (the unread count is then a real count, not the whole feed)
    const password = 'Bench@' + Math.random().toString(36).slice(2, 10);
    const hash = await hashPassword(password);
    const picked = (await pool.query<{ id: string; org_id: string }>(`
      SELECT m.id, m.org_id FROM members m JOIN orgs o ON o.id = m.org_id
      WHERE m.state = 'active' AND o.kind IN ('branch', 'joint_branch', 'general_branch') AND o.status = 'active'
      ORDER BY md5(m.id::text) LIMIT ${MEMBERS}`)).rows;
    const role = (await pool.query<{ id: string }>(`SELECT id FROM roles WHERE key = 'member'`)).rows[0]!.id;
    const tokens: string[] = [];
    for (const [i, m] of picked.entries()) {
      const username = `bench_member_${i}`;
      const acc = await pool.query<{ id: string }>(
        `INSERT INTO accounts (username, display_name, password_hash, member_id) VALUES ($1, $2, $3, $4)
         ON CONFLICT (username) DO UPDATE SET password_hash = EXCLUDED.password_hash, member_id = EXCLUDED.member_id RETURNING id`,
        [username, `压测党员${i}`, hash, m.id],
      );
      await pool.query(`INSERT INTO account_roles (account_id, role_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [acc.rows[0]!.id, role]);
      if (i % 2 === 0) await pool.query(`INSERT INTO feed_reads (member_id, read_up_to) VALUES ($1, $2) ON CONFLICT (member_id) DO UPDATE SET read_up_to = EXCLUDED.read_up_to`, [m.id, Math.floor(items * 0.8)]);
      const res = await fetch(`http://127.0.0.1:${port}/api/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
      if (!res.ok) throw new Error(`member login ${username}: ${res.status} ${await res.text()}`);
      tokens.push(((await res.json()) as { token: string }).token);
    }
    const perMember = (await pool.query<{ avg: string; max: string }>(`
      SELECT round(avg(n)) AS avg, max(n) AS max FROM (
        SELECT (SELECT count(*) FROM feed_items f WHERE f.withdrawn_at IS NULL
                  AND (f.org_id = m.org_id OR (f.cascade AND f.org_id IN (SELECT ancestor_id FROM org_closure WHERE descendant_id = m.org_id AND depth > 0)))) AS n
        FROM members m WHERE m.id = ANY($1::bigint[])) AS t`, [picked.map((m) => m.id)])).rows[0]!;

    const page = (i: number) => ({ path: '/api/me/feed?limit=20', headers: { authorization: `Bearer ${tokens[i % tokens.length]}` } });
    const warm = await httpLoad({ port, concurrency: 1, seconds: 30, maxRequests: tokens.length, request: page });
    if (warm.errors > 0) throw new Error(`member feed warm-up failed (${warm.errors} of ${warm.requests})`);
    const feed = await httpLoad({ port, concurrency: 1, seconds: opts.seconds ?? 6, maxRequests: 600, request: page });
    const busy = await httpLoad({ port, concurrency: 10, seconds: opts.seconds ?? 6, request: page });
    const branch = await httpLoad({ port, concurrency: 1, seconds: 4, maxRequests: 300, request: (i) => ({ path: '/api/me/branch', headers: { authorization: `Bearer ${tokens[i % tokens.length]}` } }) });
    log(`member feed (${items} items in the city, ${perMember.avg} on average in a member's feed, at most ${perMember.max}): p50 ${feed.latency.p50} ms, p99 ${feed.latency.p99} ms; 10 connections p99 ${busy.latency.p99} ms at ${busy.rps} req/s; my branch p99 ${branch.latency.p99} ms`);
    return {
      memberFeed: {
        items,
        fillSeconds,
        members: tokens.length,
        itemsPerFeed: { avg: Number(perMember.avg), max: Number(perMember.max) },
        feed,
        feedTenConnections: busy,
        myBranch: branch,
        target: { p99Ms: 30 },
      },
    };
  } finally {
    await pool.end();
  }
}
