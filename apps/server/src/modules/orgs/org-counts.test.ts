import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoIds, setupTestEnv, type TestEnv } from '../../../test/harness.js';
import { Rng } from '../../db/seed/city/rng.js';
import { countDifferences, testIdNumber } from '../members/members.fixtures.js';

// Flat management stands on the maintained count table: a few hundred random changes through the
// API, then every count is compared with a recount from scratch.

let env: TestEnv;
let cookie: string;
beforeAll(async () => {
  env = await setupTestEnv();
  cookie = await env.login('luohu');
});
afterAll(() => env.close());

const call = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) => env.app.inject({ method, url, headers: { cookie }, payload });
const CATEGORIES = ['in_service', 'retired', 'student', 'non_public', 'mobile', 'gig'];

describe('maintained subtree counts', () => {
  it('match a brute-force recount after hundreds of random moves, joins and leaves', async () => {
    const rng = new Rng(42);
    const ids = await demoIds(env.database);
    const committees = Object.entries(ids.orgs).filter(([n]) => n.endsWith('社区委员会')).map(([, id]) => id);
    const holders: string[] = [...committees];
    const movable: { id: string; kind: string }[] = [];
    // a tree of general branches and branches under the community committees
    for (let i = 0; i < 24; i++) {
      const general = i % 4 === 0;
      const parent = general || rng.chance(0.5) ? rng.pick(committees) : rng.pick(movable.filter((m) => m.kind === 'general_branch').map((m) => m.id).concat(committees));
      const res = await call('POST', '/api/orgs', { parentId: parent, kind: general ? 'general_branch' : 'branch', domain: rng.pick(['compound', 'enterprise', 'grid']), name: `随机组织${i}` });
      expect(res.statusCode, res.body).toBe(201);
      holders.push(res.json().id);
      movable.push({ id: res.json().id, kind: general ? 'general_branch' : 'branch' });
    }
    const members: string[] = [];
    let seq = 1;
    const done = { join: 0, leave: 0, move: 0, update: 0, orgMove: 0, refused: 0 };
    for (let step = 0; step < 300; step++) {
      const op = members.length < 20 ? 'join' : rng.weighted({ join: 35, leave: 10, move: 25, update: 15, orgMove: 15 });
      let res;
      if (op === 'join') {
        const probationary = rng.chance(0.2);
        res = await call('POST', '/api/members', {
          name: `党员${seq}`, idNumber: testIdNumber(seq++, { gender: rng.chance(0.5) ? 'male' : 'female' }), status: probationary ? 'probationary' : 'full',
          joinedOn: '2020-07-01', fullOn: probationary ? null : '2021-07-01', category: rng.pick(CATEGORIES), orgId: rng.pick(holders),
        });
        if (res.statusCode === 201) members.push(res.json().id);
      } else if (op === 'leave') {
        const id = members.splice(rng.int(0, members.length - 1), 1)[0]!;
        res = await call('POST', `/api/members/${id}/leave`, { state: rng.pick(['transferred_out', 'deceased', 'left']), reason: '随机测试', on: '2026-01-01' });
      } else if (op === 'move') {
        res = await call('POST', `/api/members/${rng.pick(members)}/move`, { toOrgId: rng.pick(holders), reason: '随机测试' });
      } else if (op === 'update') {
        res = await call('PATCH', `/api/members/${rng.pick(members)}`, rng.chance(0.5) ? { category: rng.pick(CATEGORIES) } : { status: 'full', fullOn: '2022-01-01' });
      } else {
        const org = rng.pick(movable);
        const parents = org.kind === 'general_branch' ? committees : [...committees, ...movable.filter((m) => m.kind === 'general_branch').map((m) => m.id)];
        res = await call('POST', `/api/orgs/${org.id}/move`, { parentId: rng.pick(parents), reason: '随机测试' });
      }
      if (res.statusCode < 300) done[op as keyof typeof done]++;
      else {
        // refusals are legitimate (e.g. a general branch moved under its own child) and change nothing
        expect(res.statusCode, `${op}: ${res.body}`).toBeLessThan(500);
        done.refused++;
      }
      if (step % 100 === 99) expect(await countDifferences(env.database.db)).toEqual([]);
    }
    expect(done.join).toBeGreaterThan(50);
    expect(done.move + done.orgMove + done.leave + done.update).toBeGreaterThan(100);
    expect(await countDifferences(env.database.db)).toEqual([]);
    // and the stats endpoint reads the same numbers as a direct count
    const active = await env.database.db.selectFrom('members').select(env.database.db.fn.countAll<string>().as('n')).where('state', '=', 'active').executeTakeFirstOrThrow();
    const stats = (await call('GET', `/api/orgs/${ids.orgs['中共深圳市罗湖区委员会']}/stats`)).json();
    expect(stats.members.total).toBe(Number(active.n));
  });
});
