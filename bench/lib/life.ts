// The organisational-life measures (issue 5, LIFE-1): the compliance ranking of a district's
// branches (thousands of them) for the year, over HTTP, and one branch's own report. Run on a
// database holding the city-scale synthetic city, whose loader seeds a year of meetings.
import pg from 'pg';
import { TODAY } from '../../apps/server/src/db/seed/city/generate.js';
import { httpLoad } from './stats.js';

export async function measureLife(opts: { port: number; sqlUrl: string; headers: Record<string, string>; log: (m: string) => void; seconds?: number }) {
  const { port, headers, log } = opts;
  const pool = new pg.Pool({ connectionString: opts.sqlUrl, max: 1 });
  const meetings = Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM meetings`)).rows[0]!.n);
  // the districts with the most branches (under the root organisation)
  const districts = (await pool.query<{ id: string; name: string; branches: number }>(`
    SELECT d.id, d.name, count(*)::int AS branches
    FROM orgs d JOIN org_closure c ON c.ancestor_id = d.id JOIN orgs o ON o.id = c.descendant_id
    WHERE d.parent_id = (SELECT id FROM orgs WHERE parent_id IS NULL ORDER BY id LIMIT 1)
      AND o.status = 'active' AND o.kind IN ('branch', 'joint_branch', 'temporary_branch', 'general_branch')
    GROUP BY d.id, d.name ORDER BY branches DESC LIMIT 3`)).rows;
  const branches = (await pool.query<{ id: string }>(`
    SELECT o.id FROM orgs o JOIN org_closure c ON c.descendant_id = o.id
    WHERE c.ancestor_id = $1 AND o.kind = 'branch' AND o.status = 'active' ORDER BY md5(o.id::text) LIMIT 50`, [districts[0]?.id ?? '0'])).rows.map((r) => r.id);
  await pool.end();
  if (meetings === 0 || districts.length === 0) {
    log('no meetings at this scale: the compliance measures are skipped');
    return {};
  }
  const year = TODAY.slice(0, 4);
  // the first (ranked, paged) page, best first and worst first, for each of the three largest districts
  const paths = districts.flatMap((d) => [`/api/life/compliance?orgId=${d.id}&year=${year}&pageSize=20`, `/api/life/compliance?orgId=${d.id}&year=${year}&pageSize=20&sort=rate`]);
  const warm = await httpLoad({ port, headers, concurrency: 1, seconds: 30, maxRequests: paths.length, paths });
  if (warm.errors > 0) throw new Error(`compliance ranking warm-up failed (${warm.errors} of ${warm.requests})`);
  const ranking = await httpLoad({ port, headers, concurrency: 1, seconds: opts.seconds ?? 8, maxRequests: 60, paths });
  const branch = await httpLoad({ port, headers, concurrency: 1, seconds: 4, maxRequests: 200, paths: branches.map((id) => `/api/life/branches/${id}/compliance?year=${year}`) });
  log(`compliance ranking of a district (${districts.map((d) => `${d.name} ${d.branches}`).join(', ')} branches; ${meetings} meetings in the city): p50 ${ranking.latency.p50} ms, p99 ${ranking.latency.p99} ms; one branch p99 ${branch.latency.p99} ms`);
  return {
    lifeCompliance: {
      meetings,
      districts: districts.map((d) => ({ id: String(d.id), name: d.name, branches: d.branches })),
      year: Number(year),
      ranking,
      branch,
      target: { p99Ms: 500 },
    },
  };
}
