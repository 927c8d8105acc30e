import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoIds, setupTestEnv, type TestEnv } from '../../../test/harness.js';
import { staffWithScope } from '../feed/feed.fixtures.js';
import { demoBranches } from '../members/members.fixtures.js';
import { createOrg } from '../orgs/orgs.service.js';
import { addMember, caller, heldMeeting, type Call } from './life.fixtures.js';

// LIFE-1 compliance: a branch with a known year of meetings — the missing ones named with their due
// dates — and the ranking of the branches of a subtree, one statement for any subtree.

let env: TestEnv;
let call: Call;
let b: Awaited<ReturnType<typeof demoBranches>>;
let orgs: Record<string, string>;
let guiyuan: string;
let secretary: string;
let dongxiao: string;
let laowei: string[]; // seven full members (a committee: committee meetings are required) and a probationary one
let xinwei: string[]; // three full members (no committee)
const Y = new Date().getUTCFullYear() - 1; // a past year: every slot is due
const pad = (n: number) => String(n).padStart(2, '0');
const quarterStart = (q: number) => `${Y}-${pad(3 * q - 2)}-10`;

beforeAll(async () => {
  env = await setupTestEnv();
  call = caller(env);
  orgs = (await demoIds(env.database)).orgs;
  b = await demoBranches(env.database.db, orgs);
  guiyuan = await env.login('guiyuan');
  dongxiao = await env.login('dongxiao');
  secretary = await staffWithScope(env, 'lw_comp_sec', 'branch_secretary', b.laoweiBranch);
  laowei = [];
  for (let i = 1; i <= 7; i++) laowei.push(await addMember(env, b.laoweiBranch, `老围党员${i}`));
  laowei.push(await addMember(env, b.laoweiBranch, '老围预备党员', 'probationary'));
  xinwei = [];
  for (let i = 1; i <= 3; i++) xinwei.push(await addMember(env, b.xinweiBranch, `新围党员${i}`));

  // Laowei's year: general meetings in Q1 and Q2 (valid) and Q3 (3 of 7 voting members: no quorum),
  // none in Q4; committee meetings every month but May; a theme day every month; the party group
  // every month but December; a lecture, a life meeting and talks, but no democratic review.
  const L = (kind: string, date: string, present = laowei.slice(0, 5)) => heldMeeting(call, secretary, { orgId: kind === 'group_meeting' ? b.laoweiGroup : b.laoweiBranch, kind, date, present });
  for (const q of [1, 2]) await L('general_meeting', quarterStart(q));
  await L('general_meeting', quarterStart(3), [laowei[0]!, laowei[1]!, laowei[2]!, laowei[7]!]);
  for (let mo = 1; mo <= 12; mo++) {
    if (mo !== 5) await L('committee_meeting', `${Y}-${pad(mo)}-05`, laowei.slice(0, 3));
    await L('theme_day', `${Y}-${pad(mo)}-15`);
    if (mo !== 12) await L('group_meeting', `${Y}-${pad(mo)}-20`, laowei.slice(0, 2));
  }
  await L('lecture', `${Y}-06-28`);
  await L('life_meeting', `${Y}-12-20`);
  await L('talk', `${Y}-11-03`, laowei.slice(0, 2));
  // a theme day of the year before does not count for this one
  await L('theme_day', `${Y - 1}-12-15`);

  // Xinwei holds everything a branch without a committee or groups must hold.
  const X = (kind: string, date: string) => heldMeeting(call, guiyuan, { orgId: b.xinweiBranch, kind, date, present: xinwei });
  for (const q of [1, 2, 3, 4]) await X('general_meeting', quarterStart(q));
  for (let mo = 1; mo <= 12; mo++) await X('theme_day', `${Y}-${pad(mo)}-15`);
  for (const [kind, date] of [['lecture', '07-01'], ['life_meeting', '12-10'], ['member_review', '12-10'], ['talk', '10-10']] as const) await X(kind, `${Y}-${date}`);
});
afterAll(() => env.close());

const missingOf = (slots: { kind: string; state: string; dueOn: string; unit: { name: string } | null }[]) =>
  slots.filter((s) => s.state === 'overdue').map((s) => `${s.kind}:${s.dueOn}${s.unit ? `:${s.unit.name}` : ''}`).sort();

describe('compliance', () => {
  it('names the missing meetings of a known year with their due dates', async () => {
    const res = await call(secretary, 'GET', `/api/life/branches/${b.laoweiBranch}/compliance?year=${Y}`);
    expect(res.statusCode).toBe(200);
    const r = res.json();
    expect(r).toMatchObject({ org: { name: '老围社区第一党支部' }, ruleSet: { key: 'life_rules', version: '2018' }, period: { year: Y, period: 'year', from: `${Y}-01-01`, to: `${Y}-12-31` } });
    expect({ required: r.required, done: r.done, overdue: r.overdue, due: r.due, upcoming: r.upcoming }).toEqual({ required: 44, done: 39, overdue: 5, due: 0, upcoming: 0 });
    expect(r.rate).toBeCloseTo(39 / 44, 10);
    expect(missingOf(r.slots)).toEqual([
      `committee_meeting:${Y}-05-31`,
      `general_meeting:${Y}-09-30`,
      `general_meeting:${Y}-12-31`,
      `group_meeting:${Y}-12-31:老围社区第一党支部第一党小组`,
      `member_review:${Y}-12-31`,
    ].sort());
    // the Q3 general meeting was held but is not valid: it is shown, with the reason
    const q3 = r.slots.find((s: { kind: string; idx: number }) => s.kind === 'general_meeting' && s.idx === 3);
    expect(q3).toMatchObject({ state: 'overdue', held: 0, from: `${Y}-07-01`, to: `${Y}-09-30`, meetings: [{ heldOn: `${Y}-07-10`, counts: false, reason: 'no_quorum' }] });
    const q1 = r.slots.find((s: { kind: string; idx: number }) => s.kind === 'general_meeting' && s.idx === 1);
    expect(q1).toMatchObject({ state: 'done', held: 1, meetings: [{ heldOn: `${Y}-01-10`, counts: true }] });
  });

  it('a quarter or a month shows its own slots and the quarter and year they lie in', async () => {
    const q2 = (await call(secretary, 'GET', `/api/life/branches/${b.laoweiBranch}/compliance?year=${Y}&period=Q2`)).json();
    expect({ required: q2.required, done: q2.done, overdue: q2.overdue }).toEqual({ required: 14, done: 12, overdue: 2 });
    expect(missingOf(q2.slots)).toEqual([`committee_meeting:${Y}-05-31`, `member_review:${Y}-12-31`]);
    const may = (await call(secretary, 'GET', `/api/life/branches/${b.laoweiBranch}/compliance?year=${Y}&period=05`)).json();
    expect({ required: may.required, done: may.done, overdue: may.overdue }).toEqual({ required: 8, done: 6, overdue: 2 });
    expect(may.period).toMatchObject({ from: `${Y}-05-01`, to: `${Y}-05-31` });
    // a branch without a committee (three full members) owes no committee meetings
    const xw = (await call(guiyuan, 'GET', `/api/life/branches/${b.xinweiBranch}/compliance?year=${Y}`)).json();
    expect({ required: xw.required, done: xw.done, overdue: xw.overdue, rate: xw.rate }).toEqual({ required: 20, done: 20, overdue: 0, rate: 1 });
    // next year: nothing is due yet
    const next = (await call(secretary, 'GET', `/api/life/branches/${b.laoweiBranch}/compliance?year=${Y + 2}`)).json();
    expect({ done: next.done, overdue: next.overdue, due: next.due, upcoming: next.upcoming, rate: next.rate }).toEqual({ done: 0, overdue: 0, due: 0, upcoming: 44, rate: null });
  });

  it('ranks the branches of a subtree by compliance, with each one’s missing meetings', async () => {
    const res = await call(guiyuan, 'GET', `/api/life/compliance?orgId=${orgs['中共深圳市罗湖区桂园街道工作委员会']}&year=${Y}`);
    expect(res.statusCode).toBe(200);
    const r = res.json();
    expect(r.items.map((i: { rank: number; org: { name: string }; done: number; overdue: number }) => `${i.rank}:${i.org.name}:${i.done}/${i.overdue}`)).toEqual([
      '1:新围社区第一党支部:20/0',
      '2:老围社区第一党支部:39/5',
      '3:京基100第一联合党支部:0/20',
    ]);
    expect(r.summary).toMatchObject({ branches: 3, compliant: 1, withOverdue: 2, done: 59, overdue: 25 });
    expect(r.summary.rate).toBeCloseTo(59 / 84, 10);
    expect(r.total).toBe(3);
    const lw = r.items[1];
    expect(lw.parent).toMatchObject({ name: '中共桂园街道老围社区委员会' });
    expect(lw.rate).toBeCloseTo(39 / 44, 10);
    expect(missingOf(lw.missing)).toEqual(missingOf((await call(secretary, 'GET', `/api/life/branches/${b.laoweiBranch}/compliance?year=${Y}`)).json().slots));
    // the ranking and the branch's own report agree
    expect(r.items[2].missing).toHaveLength(20);
  });

  it('this year — done, overdue, open and upcoming slots — the ranking and each branch’s report agree', async () => {
    // a theme day an hour ago (whatever month that is)
    const plan = await call(secretary, 'POST', '/api/life/meetings', { orgId: b.laoweiBranch, kind: 'theme_day', title: '本月主题党日', startsAt: new Date(Date.now() - 3600_000).toISOString() });
    const held: string = (await call(secretary, 'POST', `/api/life/meetings/${plan.json().id}/record`, { attendance: laowei.slice(0, 3).map((memberId) => ({ memberId, status: 'present' })) })).json().heldOn;
    for (const [year, period] of [[Y + 1, 'year'], [Y + 1, 'Q1'], [Y + 1, 'Q4'], [Y + 1, '06'], [Y + 2, 'year']] as const) {
      const ranking = (await call(guiyuan, 'GET', `/api/life/compliance?year=${year}&period=${period}`)).json();
      expect(ranking.items).toHaveLength(3);
      for (const item of ranking.items) {
        const own = (await call(guiyuan, 'GET', `/api/life/branches/${item.org.id}/compliance?year=${year}&period=${period}`)).json();
        const tally = { required: own.required, done: own.done, overdue: own.overdue, due: own.due, upcoming: own.upcoming, rate: own.rate };
        expect({ required: item.required, done: item.done, overdue: item.overdue, due: item.due, upcoming: item.upcoming, rate: item.rate }, `${item.org.name} ${period}`).toEqual(tally);
        expect(tally.required).toBe(tally.done + tally.overdue + tally.due + tally.upcoming);
        const open = own.slots.filter((s: { state: string }) => s.state === 'due' || s.state === 'upcoming').map((s: { dueOn: string }) => s.dueOn).sort();
        expect(item.nextDue).toBe(open[0] ?? null);
        expect(missingOf(item.missing)).toEqual(missingOf(own.slots));
      }
    }
    const lw = (await call(secretary, 'GET', `/api/life/branches/${b.laoweiBranch}/compliance?year=${held.slice(0, 4)}&period=${held.slice(5, 7)}`)).json();
    expect(lw.slots.find((s: { kind: string }) => s.kind === 'theme_day')).toMatchObject({ state: 'done', meetings: expect.arrayContaining([expect.objectContaining({ heldOn: held, counts: true })]) });
  });

  it('sorts, filters, pages and keeps to the scope', async () => {
    const worst = (await call(guiyuan, 'GET', `/api/life/compliance?year=${Y}&sort=rate`)).json();
    expect(worst.items.map((i: { org: { name: string } }) => i.org.name)).toEqual(['京基100第一联合党支部', '老围社区第一党支部', '新围社区第一党支部']);
    const overdue = (await call(guiyuan, 'GET', `/api/life/compliance?year=${Y}&onlyOverdue=1`)).json();
    expect(overdue.total).toBe(2);
    expect(overdue.summary.branches).toBe(3);
    const named = (await call(guiyuan, 'GET', `/api/life/compliance?year=${Y}&q=${encodeURIComponent('新围')}`)).json();
    expect(named.items.map((i: { org: { name: string } }) => i.org.name)).toEqual(['新围社区第一党支部']);
    const page2 = (await call(guiyuan, 'GET', `/api/life/compliance?year=${Y}&pageSize=1&page=2`)).json();
    expect(page2).toMatchObject({ total: 3, items: [{ rank: 2, org: { name: '老围社区第一党支部' } }] });
    const past = (await call(guiyuan, 'GET', `/api/life/compliance?year=${Y}&pageSize=1&page=9`)).json();
    expect(past).toMatchObject({ total: 3, items: [], summary: { branches: 3 } });
    // a branch secretary ranks their own branch only; another street sees none of these
    expect((await call(secretary, 'GET', `/api/life/compliance?year=${Y}`)).json().items.map((i: { org: { name: string } }) => i.org.name)).toEqual(['老围社区第一党支部']);
    expect((await call(dongxiao, 'GET', `/api/life/compliance?orgId=${orgs['中共深圳市罗湖区桂园街道工作委员会']}&year=${Y}`)).statusCode).toBe(404);
    expect((await call(dongxiao, 'GET', `/api/life/branches/${b.laoweiBranch}/compliance?year=${Y}`)).statusCode).toBe(404);
    expect((await call(dongxiao, 'GET', `/api/life/compliance?year=${Y}`)).json().items.map((i: { org: { name: string } }) => i.org.name)).toEqual(['东晓社区第一党支部']);
  });

  it('refuses bad periods and organisations that are not branches', async () => {
    expect((await call(guiyuan, 'GET', `/api/life/compliance?year=${Y}&period=Q5`)).json().error).toMatchObject({ code: 'VALIDATION_FAILED', fields: { period: expect.any(String) } });
    expect((await call(guiyuan, 'GET', '/api/life/compliance?year=abc')).json().error.code).toBe('VALIDATION_FAILED');
    expect((await call(guiyuan, 'GET', '/api/life/compliance')).json().error.code).toBe('VALIDATION_FAILED');
    const committee = await call(guiyuan, 'GET', `/api/life/branches/${b.laowei}/compliance?year=${Y}`);
    expect(committee.json().error).toMatchObject({ code: 'LIFE_ORG_NOT_BRANCH', params: { org: '中共桂园街道老围社区委员会' } });
  });

  it('a new version of the rule set judges the periods it is in force for, and says so', async () => {
    const bad = await call(guiyuan, 'POST', '/api/rules', { key: 'life_rules', version: 'bad', effectiveFrom: `${Y}-01-01`, title: 'x', rules: { quorumShare: 2 } });
    expect(bad.statusCode).toBe(400);
    // local rules: the secretary lectures twice a year
    const rules = (await call(guiyuan, 'GET', '/api/rules?key=life_rules')).json()[0].rules;
    const add = await call(guiyuan, 'POST', '/api/rules', { key: 'life_rules', version: `${Y}-local`, effectiveFrom: `${Y}-01-01`, title: '党课每年两次（地方规定）', rules: { ...rules, required: { ...rules.required, lecture: { every: 'year', times: 2 } } } });
    expect(add.statusCode).toBe(201);
    const r = (await call(secretary, 'GET', `/api/life/branches/${b.laoweiBranch}/compliance?year=${Y}`)).json();
    expect(r.ruleSet).toMatchObject({ version: `${Y}-local` });
    expect(r.slots.find((s: { kind: string }) => s.kind === 'lecture')).toMatchObject({ times: 2, held: 1, state: 'overdue' });
    expect(r.overdue).toBe(6);
    const ranking = (await call(guiyuan, 'GET', `/api/life/compliance?year=${Y}`)).json();
    expect(ranking.ruleSet.version).toBe(`${Y}-local`);
    expect(ranking.items.find((i: { org: { name: string } }) => i.org.name === '新围社区第一党支部').overdue).toBe(1);
  });

  it('a branch or party group founded during the year owes only the slots after its founding; ranking and report agree', async () => {
    const db = env.database.db;
    const young = await createOrg(db, { parentId: b.laowei, kind: 'branch', domain: 'community', name: '老围社区新成立党支部', foundedOn: `${Y}-05-10` });
    await createOrg(db, { parentId: b.laoweiBranch, kind: 'party_group', name: '老围社区第一党支部第二党小组', foundedOn: `${Y}-08-01` });
    const own = (await call(guiyuan, 'GET', `/api/life/branches/${young}/compliance?year=${Y}`)).json();
    // Q2–Q4 general meetings, theme days May–December, the four yearly ones; no committee (no full members)
    expect({ required: own.required, overdue: own.overdue }).toEqual({ required: 3 + 8 + 4, overdue: 3 + 8 + 4 });
    const lw = (await call(guiyuan, 'GET', `/api/life/branches/${b.laoweiBranch}/compliance?year=${Y}`)).json();
    expect(lw.slots.filter((x: { unit: { name: string } | null }) => x.unit?.name === '老围社区第一党支部第二党小组').map((x: { idx: number }) => x.idx)).toEqual([8, 9, 10, 11, 12]);
    const ranking = (await call(guiyuan, 'GET', `/api/life/compliance?year=${Y}&pageSize=100`)).json();
    for (const id of [young, b.laoweiBranch]) {
      const item = ranking.items.find((i: { org: { id: string } }) => i.org.id === id);
      const report = (await call(guiyuan, 'GET', `/api/life/branches/${id}/compliance?year=${Y}`)).json();
      expect({ required: item.required, done: item.done, overdue: item.overdue, due: item.due, upcoming: item.upcoming }).toEqual({ required: report.required, done: report.done, overdue: report.overdue, due: report.due, upcoming: report.upcoming });
    }
    expect(ranking.items.find((i: { org: { id: string } }) => i.org.id === b.laoweiBranch).required).toBe(44 + 5);
  });
});
