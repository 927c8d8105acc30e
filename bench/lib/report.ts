// docs/performance.md from the newest city-scale result of each engine in bench/results.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface Result {
  date: string;
  engine: string;
  scale: string;
  load: { seconds: number; steps: Record<string, number>; places: number; orgs: number; members: number; targetSeconds: number };
  stats: Record<string, { sql: { p50: number; p99: number }; http: { rps: number; latency: { p50: number; p99: number } } }>;
  fullVsBare: { full: { rps: number }; bare: { rps: number }; ratio: number; target: number };
  memberSearch: { latency: { p50: number; p99: number } };
  orgListPage: { latency: { p50: number; p99: number } };
  serverMemoryMb: { rss: number; peak: number; target: number };
  caseIntake?: { rps: number; errors: number; requests: number; latency: { p50: number; p99: number }; gridsInCity: number; gridsRouted: number; target: { rps: number; p99Ms: number } };
  deadlineSweep?: { openCases: number; dueRows: number; processed: number; seconds: number; calls: number; batchSize: number; escalated: number; moot: number; leftDue: number; targetSeconds: number };
  memberFeed?: { items: number; itemsPerFeed: { avg: number; max: number }; members: number; feed: { latency: { p50: number; p99: number } }; feedTenConnections: { rps: number; latency: { p50: number; p99: number } }; myBranch: { latency: { p50: number; p99: number } }; target: { p99Ms: number } };
  lifeCompliance?: { meetings: number; districts: { name: string; branches: number }[]; ranking: { latency: { p50: number; p99: number } }; branch: { latency: { p50: number; p99: number } }; target: { p99Ms: number } };
}

const ok = (pass: boolean) => (pass ? '✅' : '❌ misses');

export function writePerformanceDoc(resultsDir: string, docFile: string) {
  const files = readdirSync(resultsDir).filter((f) => f.endsWith('.json')).sort();
  const latest = new Map<string, { file: string; r: Result }>();
  for (const f of files) {
    const r = JSON.parse(readFileSync(join(resultsDir, f), 'utf8')) as Result;
    if (r.scale === 'city') latest.set(r.engine, { file: f, r });
  }
  const lines = [
    '# Performance',
    '',
    'Measured with `npm run bench` (city scale: 10 districts, 74 streets, ~665 communities, ~20,000 grids,',
    '~29,000 organisations, 500,000 members) on this project\'s 2-core machine. The numbers are regenerated',
    'from the newest file per engine in `bench/results/`; the raw JSON holds every step. Tests never assert timings.',
    '',
  ];
  for (const [engine, { file, r }] of latest) {
    lines.push(`## ${engine === 'postgresql' ? 'PostgreSQL' : 'Embedded PGlite'} — ${r.date.slice(0, 10)} (\`bench/results/${file}\`)`, '');
    lines.push('| measure | result | target | |', '|---|---|---|---|');
    lines.push(`| load the city (${r.load.places} places, ${r.load.orgs} orgs, ${r.load.members} members) | ${r.load.seconds} s | ≤ ${r.load.targetSeconds} s | ${ok(r.load.seconds <= r.load.targetSeconds)} |`);
    for (const [level, s] of Object.entries(r.stats)) {
      lines.push(`| subtree statistics, ${level} level — SQL p50 / p99 | ${s.sql.p50} / ${s.sql.p99} ms | p99 ≤ 5 ms | ${ok(s.sql.p99 <= 5)} |`);
      lines.push(`| subtree statistics, ${level} level — HTTP, 10 connections, p50 / p99 | ${s.http.latency.p50} / ${s.http.latency.p99} ms (${s.http.rps} req/s) | p99 ≤ 20 ms | ${ok(s.http.latency.p99 <= 20)} |`);
    }
    lines.push(`| full stack vs bare Fastify + pg, same SQL | ${r.fullVsBare.full.rps} vs ${r.fullVsBare.bare.rps} req/s = ${r.fullVsBare.ratio} | ≥ ${r.fullVsBare.target} | ${ok(r.fullVsBare.ratio >= r.fullVsBare.target)} |`);
    lines.push(`| member search by name, p50 / p99 | ${r.memberSearch.latency.p50} / ${r.memberSearch.latency.p99} ms | p99 ≤ 50 ms | ${ok(r.memberSearch.latency.p99 <= 50)} |`);
    lines.push(`| organisation list page, p50 / p99 | ${r.orgListPage.latency.p50} / ${r.orgListPage.latency.p99} ms | p99 ≤ 30 ms | ${ok(r.orgListPage.latency.p99 <= 30)} |`);
    lines.push(`| server RSS with the city loaded (peak) | ${r.serverMemoryMb.rss} MB (${r.serverMemoryMb.peak} MB) | ≤ ${r.serverMemoryMb.target} MB | ${ok(r.serverMemoryMb.rss <= r.serverMemoryMb.target)} |`);
    if (r.caseIntake) {
      const c = r.caseIntake;
      // the cases/s target is set for PostgreSQL; on PGlite only the latency target is judged
      const rpsOk = engine !== 'postgresql' || c.rps >= c.target.rps;
      lines.push(`| case intake over HTTP, 10 connections (POST /api/cases, routed among ${c.gridsInCity} grids) — cases/s, p50 / p99 | ${c.rps} cases/s, ${c.latency.p50} / ${c.latency.p99} ms (${c.requests} cases, ${c.errors} errors) | ≥ ${c.target.rps} cases/s${engine === 'postgresql' ? '' : ' (PostgreSQL)'}, p99 ≤ ${c.target.p99Ms} ms | ${ok(rpsOk && c.latency.p99 <= c.target.p99Ms && c.errors === 0)} |`);
    }
    if (r.deadlineSweep) {
      const d = r.deadlineSweep;
      lines.push(`| deadline sweep over ${d.openCases.toLocaleString('en-US')} open cases (${d.processed} due deadlines processed, batches of ${d.batchSize}) | ${d.seconds} s | ≤ ${d.targetSeconds} s | ${ok(d.seconds <= d.targetSeconds && d.leftDue === 0)} |`);
    }
    if (r.lifeCompliance) {
      const l = r.lifeCompliance;
      lines.push(`| organisational-life compliance ranking of a district (${l.districts.map((d) => `${d.name} ${d.branches}`).join(', ')} branches; ${l.meetings.toLocaleString('en-US')} meetings in the city), p50 / p99 | ${l.ranking.latency.p50} / ${l.ranking.latency.p99} ms | p99 ≤ ${l.target.p99Ms} ms | ${ok(l.ranking.latency.p99 <= l.target.p99Ms)} |`);
      lines.push(`| one branch's compliance report, p50 / p99 | ${l.branch.latency.p50} / ${l.branch.latency.p99} ms | — | |`);
    }
    if (r.memberFeed) {
      const f = r.memberFeed;
      lines.push(`| a member's feed (GET /api/me/feed, 20 items; ${f.members} members of branches across the city, ${f.items.toLocaleString('en-US')} items in the city, ~${f.itemsPerFeed.avg} in a feed), one connection, p50 / p99 | ${f.feed.latency.p50} / ${f.feed.latency.p99} ms | p99 ≤ ${f.target.p99Ms} ms | ${ok(f.feed.latency.p99 <= f.target.p99Ms)} |`);
      lines.push(`| a member's feed, 10 connections, p50 / p99 | ${f.feedTenConnections.latency.p50} / ${f.feedTenConnections.latency.p99} ms (${f.feedTenConnections.rps} req/s) | — | |`);
      lines.push(`| my branch (GET /api/me/branch), p50 / p99 | ${f.myBranch.latency.p50} / ${f.myBranch.latency.p99} ms | — | |`);
    }
    lines.push('', 'Load steps: ' + Object.entries(r.load.steps).map(([k, v]) => `${k} ${v} s`).join('; ') + '.', '');
  }
  lines.push('## Notes', '', '- HTTP numbers include the load generator running on the same two cores as the server and the database.', '- See the analysis section below for what misses its target and why.', '');
  const existing = (() => {
    try {
      return readFileSync(docFile, 'utf8');
    } catch {
      return '';
    }
  })();
  // Hand-written analysis after the marker is kept across regenerations.
  const marker = '<!-- analysis -->';
  const analysis = existing.includes(marker) ? existing.slice(existing.indexOf(marker)) : `${marker}\n## Analysis\n\n(Written by hand after each run.)\n`;
  writeFileSync(docFile, lines.join('\n') + '\n' + analysis);
}
