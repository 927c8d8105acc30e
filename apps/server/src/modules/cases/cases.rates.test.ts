import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupTestEnv, type TestEnv } from '../../../test/harness.js';
import { caseHelpers } from './cases.fixtures.js';

// Rates (CASE-5): the endpoint against a recount by hand from the rows, with the default formula
// (0.1 response + 0.5 resolution + 0.4 satisfaction; basically satisfied counts 0.9).

let env: TestEnv;
let h: ReturnType<typeof caseHelpers>;
beforeAll(async () => {
  env = await setupTestEnv();
  h = caseHelpers(env);
});
afterAll(() => env.close());

const past = () => new Date(Date.now() - 60_000);

async function closeAs(id: string, rating?: string) {
  await h.expectOk(await h.call('gy_command', 'POST', `/api/cases/${id}/handled`, { note: '处置完毕' }));
  await h.expectOk(await h.call('gy_supervise', 'POST', `/api/cases/${id}/verify`, { passed: true }));
  if (rating) await h.expectOk(await h.call('gy_grid', 'POST', `/api/cases/${id}/rate`, { rating }));
}

interface Row { unit: string; name?: string; cases: number; valid: number; dispatched: number; responded: number; resolved: number; rated: number; satisfied: number; basically: number; whistled: number; handled: number; onTime: number }

function formula(c: Row, department = false) {
  const r = (n: number, d: number) => (d > 0 ? n / d : null);
  const response = r(c.responded, c.dispatched);
  const resolution = r(c.resolved, c.valid);
  const satisfaction = r(c.satisfied + 0.9 * c.basically, c.rated);
  const composite = response === null || resolution === null || satisfaction === null ? null : 0.1 * response + 0.5 * resolution + 0.4 * satisfaction;
  return { responseRate: response, resolutionRate: resolution, satisfactionRate: satisfaction, composite, whistleRate: department ? null : r(c.whistled, c.valid), onTimeRate: r(c.onTime, c.handled) };
}

const close = (a: number | null, b: number | null) => (a === null || b === null ? a === b : Math.abs(a - b) < 1e-4);

describe('rates', () => {
  beforeAll(async () => {
    const at = await h.centreOf('宝安第1网格');
    // 1: rejected (not a valid case)
    const rejected = (await h.call('gy_grid', 'POST', '/api/cases', { categoryCode: 'sanitation', description: '重复上报', ...at, source: 'grid_worker' })).json().id;
    await h.expectOk(await h.call('gy_command', 'POST', `/api/cases/${rejected}/reject`, { reason: '与已有案件重复' }));
    // 2: answered and handled in time, satisfied
    const good = await h.dispatchedCase({ grid: '宝安第1网格', offset: 0.0001 });
    await h.expectOk(await h.call('gy_command', 'POST', `/api/cases/${good}/accept`, {}));
    await closeAs(good, 'satisfied');
    // 3: answered after its deadline and handled late, basically satisfied
    const late = await h.dispatchedCase({ grid: '宝安第1网格', offset: 0.0002 });
    await env.database.db.updateTable('cases').set({ first_due_at: past(), due_at: past() }).where('id', '=', late).execute();
    await h.expectOk(await h.call('gy_command', 'POST', `/api/cases/${late}/accept`, {}));
    await closeAs(late, 'basically_satisfied');
    // 4: dispatched, nobody answered yet
    await h.dispatchedCase({ grid: '宝安第2网格' });
    // 5: escalated to the street, two departments whistled (the emergency office reports late), dissatisfied
    const whistled = await h.dispatchedCase({ grid: '宝安第2网格', offset: 0.0001 });
    await h.expectOk(await h.call('gy_command', 'POST', `/api/cases/${whistled}/escalate`, { note: '上报社区' }));
    await h.expectOk(await h.call('gy_command', 'POST', `/api/cases/${whistled}/escalate`, { note: '上报街道' }));
    await h.expectOk(await h.call('gy_command', 'POST', `/api/cases/${whistled}/whistle`, { kind: 'hard', departmentIds: [await h.departmentId('GY-CG'), await h.departmentId('GY-YJ')], note: '攻坚吹哨' }), 201);
    await env.database.db.updateTable('case_whistles').set({ report_due_at: past(), result_due_at: past() }).where('case_id', '=', whistled).where('department_id', '=', await h.departmentId('GY-YJ')).execute();
    for (const user of ['dept_cg', 'dept_yj']) {
      await h.expectOk(await h.call(user, 'POST', `/api/cases/${whistled}/department/report`, { note: '报到' }));
      await h.expectOk(await h.call(user, 'POST', `/api/cases/${whistled}/department/result`, { note: '完成' }));
    }
    await closeAs(whistled, 'dissatisfied');
    const ws = (await h.call('gy_command', 'GET', `/api/cases/${whistled}`)).json().whistles as { id: string; department: { name: string } }[];
    for (const w of ws) await h.expectOk(await h.call('gy_command', 'POST', `/api/cases/${whistled}/whistles/${w.id}/rate`, { rating: w.department.name.includes('城管') ? 'satisfied' : 'basically_satisfied' }));
    // 6: another community, closed without a rating
    const unrated = await h.dispatchedCase({ grid: '红围第1网格' });
    await h.expectOk(await h.call('gy_command', 'POST', `/api/cases/${unrated}/accept`, {}));
    await closeAs(unrated);
    // 7: filed, not dispatched
    const filed = (await h.call('gy_grid', 'POST', '/api/cases', { categoryCode: 'sanitation', description: '待派遣', ...(await h.centreOf('宝安第2网格')), source: 'grid_worker' })).json().id;
    await h.expectOk(await h.call('gy_command', 'POST', `/api/cases/${filed}/file`, {}));
  });

  it('matches a hand count for one grid', async () => {
    const res = (await h.call('gy_command', 'GET', '/api/cases/rates?unitKind=grid')).json();
    const baoan1 = res.items.find((i: { unit: { name: string } }) => i.unit.name === '宝安第1网格');
    // 3 cases, 1 rejected; 2 dispatched, 1 answered in time; 2 closed; ratings: satisfied, basically satisfied
    expect(baoan1).toMatchObject({ cases: 3, valid: 2, dispatched: 2, responded: 1, resolved: 2, rated: 2, satisfied: 1, basicallySatisfied: 1, whistled: 0, handled: 2, onTime: 1 });
    expect(baoan1).toMatchObject({ responseRate: 0.5, resolutionRate: 1, satisfactionRate: 0.95, composite: 0.93, whistleRate: 0, onTimeRate: 0.5 });
    const baoan2 = res.items.find((i: { unit: { name: string } }) => i.unit.name === '宝安第2网格');
    // 3 cases: one unanswered, one whistled and closed (dissatisfied), one not dispatched
    expect(baoan2).toMatchObject({ cases: 3, valid: 3, dispatched: 2, responded: 1, resolved: 1, rated: 1, satisfied: 0, basicallySatisfied: 0, whistled: 1 });
    expect(baoan2).toMatchObject({ responseRate: 0.5, resolutionRate: 0.3333, satisfactionRate: 0, composite: 0.2167, whistleRate: 0.3333 });
  });

  it('matches a recount from the rows for every unit kind, ranked by the composite', async () => {
    const db = env.database.db;
    const cases = await db.selectFrom('cases').selectAll().execute();
    const whistles = await db.selectFrom('case_whistles').selectAll().execute();
    for (const kind of ['grid', 'community', 'street'] as const) {
      const col = `${kind}_id` as const;
      const units = new Map<string, Row>();
      for (const c of cases) {
        const unit = String(c[col]);
        const u = units.get(unit) ?? { unit, cases: 0, valid: 0, dispatched: 0, responded: 0, resolved: 0, rated: 0, satisfied: 0, basically: 0, whistled: 0, handled: 0, onTime: 0 };
        u.cases += 1;
        if (c.filed_at) u.valid += 1;
        if (c.dispatched_at) u.dispatched += 1;
        if (c.acknowledged_at && c.first_due_at && c.acknowledged_at <= c.first_due_at) u.responded += 1;
        if (c.closed_at && ['closed', 'rated'].includes(c.state)) u.resolved += 1;
        if (c.rating) u.rated += 1;
        if (c.rating === 'satisfied') u.satisfied += 1;
        if (c.rating === 'basically_satisfied') u.basically += 1;
        if (c.filed_at && whistles.some((w) => String(w.case_id) === String(c.id))) u.whistled += 1;
        if (c.handled_at) u.handled += 1;
        if (c.handled_at && c.due_at && c.handled_at <= c.due_at) u.onTime += 1;
        units.set(unit, u);
      }
      const res = (await h.call('gy_command', `GET`, `/api/cases/rates?unitKind=${kind}`)).json();
      expect(res.items).toHaveLength(units.size);
      for (const item of res.items) {
        const u = units.get(item.unit.id)!;
        expect(item).toMatchObject({ cases: u.cases, valid: u.valid, dispatched: u.dispatched, responded: u.responded, resolved: u.resolved, rated: u.rated, handled: u.handled, onTime: u.onTime });
        const f = formula(u);
        for (const k of Object.keys(f) as (keyof typeof f)[]) expect(close(item[k], f[k]), `${kind} ${item.unit.name} ${k}: ${item[k]} vs ${f[k]}`).toBe(true);
      }
      const composites = res.items.map((i: { composite: number | null }) => i.composite ?? -1);
      expect(composites).toEqual([...composites].sort((a: number, b: number) => b - a));
      expect(res.items.map((i: { rank: number }) => i.rank)).toEqual(res.items.map((_: unknown, i: number) => i + 1));
    }

    const depts = (await h.call('gy_command', 'GET', '/api/cases/rates?unitKind=department')).json();
    expect(depts.items).toHaveLength(2);
    for (const item of depts.items) {
      const mine = whistles.filter((w) => String(w.department_id) === item.unit.id);
      const u: Row = {
        unit: item.unit.id, cases: mine.length, valid: mine.length, dispatched: mine.length,
        responded: mine.filter((w) => w.reported_at && w.reported_at <= w.report_due_at).length,
        resolved: mine.filter((w) => w.result_at).length,
        rated: mine.filter((w) => w.street_rating).length,
        satisfied: mine.filter((w) => w.street_rating === 'satisfied').length,
        basically: mine.filter((w) => w.street_rating === 'basically_satisfied').length,
        whistled: 0, handled: mine.filter((w) => w.result_at).length,
        onTime: mine.filter((w) => w.result_at && w.result_at <= w.result_due_at).length,
      };
      const f = formula(u, true);
      for (const k of Object.keys(f) as (keyof typeof f)[]) expect(close(item[k], f[k]), `${item.unit.name} ${k}`).toBe(true);
    }
    // by hand: 城管 reported in time, rated satisfied → 1; 应急 reported late, basically satisfied → 0.5 + 0.36
    expect(depts.items.map((i: { unit: { name: string }; composite: number }) => [i.unit.name, i.composite])).toEqual([['桂园街道城管执法队', 1], ['桂园街道应急管理办公室', 0.86]]);
  });

  it('limits units to my scope and periods to the dates asked', async () => {
    const grid = (await h.call('gy_grid', 'GET', '/api/cases/rates?unitKind=grid')).json();
    expect(grid.items).toEqual([]);
    const dongxiao = (await h.call('dx_command', 'GET', '/api/cases/rates?unitKind=street')).json();
    expect(dongxiao.items).toEqual([]);
    const old = (await h.call('gy_command', 'GET', '/api/cases/rates?unitKind=street&from=2020-01-01&to=2020-12-31')).json();
    expect(old).toMatchObject({ from: '2020-01-01', to: '2020-12-31', items: [] });
    expect((await h.call('dept_cg', 'GET', '/api/cases/rates?unitKind=department')).statusCode).toBe(403);
  });
});
