import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoIds, setupTestEnv, type TestEnv } from '../../../test/harness.js';
import { testIdNumber } from '../members/members.fixtures.js';

// Coverage of units and branch-health warnings for Guiyuan street in the demo city: 桂木园小区
// (compound), 京基100大厦 and 地王大厦 (office buildings of 100 and 69 floors) and an enterprise in KK100.

let env: TestEnv;
let ids: Awaited<ReturnType<typeof demoIds>>;
let cookie: string;
beforeAll(async () => {
  env = await setupTestEnv();
  ids = await demoIds(env.database);
  cookie = await env.login('guiyuan');
});
afterAll(() => env.close());

const call = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) => env.app.inject({ method, url, headers: { cookie }, payload });
const coverage = async (query = '') => {
  const res = await call('GET', `/api/places/${ids.places['桂园街道']}/coverage?pageSize=100${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};
const rules = (report: { warnings: { rule: string; target: { name: string } }[] }) => report.warnings.map((w) => `${w.rule}:${w.target.name}`).sort();
let seq = 1;
async function addMembers(orgId: string, n: number, extra: Record<string, unknown> = {}) {
  for (let i = 0; i < n; i++) {
    const res = await call('POST', '/api/members', { name: `覆盖测试${seq}`, idNumber: testIdNumber(seq++), status: 'full', joinedOn: '2010-07-01', fullOn: '2011-07-01', category: 'in_service', orgId, ...extra });
    expect(res.statusCode, res.body).toBe(201);
  }
}

describe('coverage and branch health', () => {
  it('lists the units with and without an organisation, the rate per level, and the rule set used', async () => {
    const report = await coverage();
    expect(report.ruleSet).toMatchObject({ key: 'org_rules', version: '2018' });
    expect(report.summary).toMatchObject({ compound: { total: 1, covered: 0, rate: 0 }, office_building: { total: 2, covered: 0 }, enterprise: { total: 1, covered: 0 }, all: { total: 4, covered: 0 } });
    expect(report.units.items.map((u: { name: string }) => u.name).sort()).toEqual(['京基100大厦', '地王大厦', '桂木园小区', '深圳市京基房地产股份有限公司'].sort());
    expect(rules(report)).toEqual(['unit_uncovered:京基100大厦', 'unit_uncovered:地王大厦', 'unit_uncovered:桂木园小区', 'unit_uncovered:深圳市京基房地产股份有限公司']);
    const w = report.warnings[0];
    expect(w).toMatchObject({ ruleSet: 'org_rules@2018', target: { type: 'place' } });
    expect(w.message).toContain('尚无党组织覆盖');
    expect(report.levels.find((l: { name: string }) => l.name === '桂木园社区').compound).toMatchObject({ total: 1, covered: 0 });
  });

  it('counts a compound branch and a joint branch as coverage, and names units that need their own branch', async () => {
    const compound = await call('POST', '/api/orgs', { parentId: ids.orgs['中共桂园街道桂木园社区委员会'], kind: 'branch', domain: 'compound', name: '桂木园小区党支部', placeId: ids.places['桂木园小区'], termStartedOn: '2020-01-01', termYears: 3 });
    expect(compound.statusCode, compound.body).toBe(201);
    const joint = await call('POST', '/api/orgs', { parentId: ids.orgs['京基100大厦联合党委'], kind: 'joint_branch', domain: 'office_building', name: '京基100楼宇联合党支部' });
    await call('PUT', `/api/orgs/${joint.json().id}/units`, { placeIds: [ids.places['京基100大厦'], ids.places['深圳市京基房地产股份有限公司']] });
    // three full members work at 地王大厦, which has no organisation of its own
    await addMembers(joint.json().id, 3, { workPlaceId: ids.places['地王大厦'] });
    const report = await coverage();
    expect(report.summary.all).toEqual({ total: 4, covered: 3, rate: 0.75 });
    expect(report.units.items.find((u: { name: string }) => u.name === '京基100大厦').coveredBy).toEqual([expect.objectContaining({ name: '京基100楼宇联合党支部', via: 'joint' })]);
    expect(rules(report)).toContain('unit_needs_own_branch:地王大厦');
    expect(report.warnings.find((w: { rule: string }) => w.rule === 'unit_needs_own_branch')).toMatchObject({ severity: 'violation', params: { fullMembers: 3 } });
    const uncovered = await coverage('&covered=false');
    expect(uncovered.units.items.map((u: { name: string }) => u.name)).toEqual(['地王大厦']);
    // the term of the compound branch (2020 + 3 years) has run out
    expect(rules(report)).toContain('term_expired:桂木园小区党支部');
  });

  it('warns about a branch over 50 members without a committee, and a term ending within 90 days', async () => {
    const start = new Date();
    start.setUTCFullYear(start.getUTCFullYear() - 3);
    start.setUTCDate(start.getUTCDate() + 30);
    const big = await call('POST', '/api/orgs', { parentId: ids.orgs['中共桂园街道老围社区委员会'], kind: 'branch', domain: 'community', name: '老围社区第一党支部', placeId: ids.places['老围社区'], termStartedOn: start.toISOString().slice(0, 10), termYears: 3 });
    await addMembers(big.json().id, 51);
    const report = await coverage();
    expect(rules(report)).toEqual(expect.arrayContaining(['branch_too_large:老围社区第一党支部', 'committee_required:老围社区第一党支部', 'term_ending:老围社区第一党支部']));
    expect(report.warnings.find((w: { rule: string }) => w.rule === 'branch_too_large')).toMatchObject({ params: { members: 51, max: 50 }, target: { type: 'org', id: big.json().id } });
    // a committee of three clears the committee warning
    for (const [role, name] of [['secretary', '甲'], ['organisation', '乙'], ['propaganda', '丙']]) await call('POST', `/api/orgs/${big.json().id}/committee`, { name, role, termStart: '2024-01-01' });
    expect(rules(await coverage())).not.toContain('committee_required:老围社区第一党支部');
  });

  it('applies the rule-set version in force on the chosen date', async () => {
    const res = await call('POST', '/api/rules', {
      key: 'org_rules', version: '2030-test', effectiveFrom: '2030-01-01', title: '测试版本',
      rules: { ownBranchMinFullMembers: 3, jointBranchMaxUnits: 5, branchMaxMembers: 60, committeeOverMembers: 100, committeeRequiredFullMembers: 7, committeeMinSize: 3, committeeMaxSize: 7, termYears: { community: 5, branch: 3, general_branch: 3, committee: 5 }, termWarningDays: 90, officeBuildingMinFloors: 20 },
    });
    expect(res.statusCode, res.body).toBe(201);
    const later = await coverage('&date=2030-06-01');
    expect(later.ruleSet.version).toBe('2030-test');
    expect(rules(later)).not.toContain('branch_too_large:老围社区第一党支部');
    expect(rules(await coverage())).toContain('branch_too_large:老围社区第一党支部');
    const bad = await call('POST', '/api/rules', { key: 'org_rules', version: 'broken', effectiveFrom: '2031-01-01', title: 'x', rules: { branchMaxMembers: -1 } });
    expect(bad.statusCode).toBe(400);
  });

  it('answers 404 for a place outside the scope', async () => {
    expect((await call('GET', `/api/places/${ids.places['东晓街道']}/coverage`)).statusCode).toBe(404);
  });
});
