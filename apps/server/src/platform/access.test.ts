import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoIds, setupTestEnv, type TestEnv } from '../../test/harness.js';

let env: TestEnv;
let ids: Awaited<ReturnType<typeof demoIds>>;
beforeAll(async () => {
  env = await setupTestEnv();
  ids = await demoIds(env.database);
});
afterAll(() => env.close());

const get = (url: string, cookie: string) => env.app.inject({ url, headers: { cookie } });

describe('data scope', () => {
  it('shows a street worker its own subtree and answers 404 for a record of another street', async () => {
    const cookie = await env.login('guiyuan');
    const own = await get(`/api/orgs/${ids.orgs['中共桂园街道老围社区委员会']}`, cookie);
    expect(own.statusCode).toBe(200);
    expect(own.json().path.map((p: { name: string }) => p.name)).toEqual(['中共深圳市委员会', '中共深圳市罗湖区委员会', '中共深圳市罗湖区桂园街道工作委员会', '中共桂园街道老围社区委员会']);
    expect(own.json().can).toMatchObject({ edit: true, move: true });

    const other = await get(`/api/orgs/${ids.orgs['中共东晓街道绿景社区委员会']}`, cookie);
    expect(other.statusCode).toBe(404);
    expect(other.json().error.code).toBe('NOT_FOUND');
    // The same answer as for an id that does not exist at all: existence is not revealed.
    const none = await get('/api/orgs/999999', cookie);
    expect(none.statusCode).toBe(404);
    expect(none.json()).toEqual(other.json());
    const parent = await get(`/api/orgs/${ids.orgs['中共深圳市罗湖区委员会']}`, cookie);
    expect(parent.statusCode).toBe(404);
    // the statistics of another street's organisation are as invisible as its record
    expect((await get(`/api/orgs/${ids.orgs['中共东晓街道绿景社区委员会']}/stats`, cookie)).statusCode).toBe(404);
    expect((await get(`/api/orgs/${ids.orgs['中共桂园街道老围社区委员会']}/stats`, cookie)).json().orgs.total).toBe(1);

    const place = await get(`/api/places/${ids.places['绿景社区']}`, cookie);
    expect(place.statusCode).toBe(404);
    expect((await get(`/api/places/${ids.places['老围社区']}`, cookie)).statusCode).toBe(200);
  });

  it('audits a refused out-of-scope read', async () => {
    const cookie = await env.login('dongxiao');
    const target = ids.orgs['京基100大厦联合党委']!;
    expect((await get(`/api/orgs/${target}`, cookie)).statusCode).toBe(404);
    const entry = await env.database.db.selectFrom('audit_log').selectAll().where('action', '=', 'access.denied').where('actor_name', '=', 'dongxiao').orderBy('seq', 'desc').executeTakeFirst();
    expect(entry).toMatchObject({ result: 'denied', target_type: 'org', target_id: target });
    expect(entry?.reason).toContain('out_of_scope');
  });

  it('lists only organisations inside the scope, and the tree starts at the scope roots', async () => {
    const cookie = await env.login('guiyuan');
    const list = await get('/api/orgs?pageSize=100', cookie);
    expect(list.statusCode).toBe(200);
    const names: string[] = list.json().items.map((o: { name: string }) => o.name);
    expect(names).toContain('京基100大厦联合党委');
    expect(names.some((n) => n.includes('东晓'))).toBe(false);
    expect(list.json().total).toBe(names.length);

    const roots = await get('/api/orgs/tree', cookie);
    expect(roots.json().map((n: { name: string }) => n.name)).toEqual(['中共深圳市罗湖区桂园街道工作委员会']);
    const children = await get(`/api/orgs/tree?parentId=${roots.json()[0].id}`, cookie);
    expect(children.json().length).toBe(7);
    // Asking for the children of a node outside the scope yields nothing.
    const outside = await get(`/api/orgs/tree?parentId=${ids.orgs['中共深圳市罗湖区东晓街道工作委员会']}`, cookie);
    expect(outside.json()).toEqual([]);
  });

  it('searches organisations by part of the name', async () => {
    const cookie = await env.login('luohu');
    const res = await get(`/api/orgs?q=${encodeURIComponent('绿景')}`, cookie);
    expect(res.json().items.map((o: { name: string }) => o.name)).toEqual(['中共东晓街道绿景社区委员会']);
  });

  it('refuses an organisation list to an account without the permission (403, audited)', async () => {
    const cookie = await env.login('auditor');
    const res = await get('/api/orgs', cookie);
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('FORBIDDEN');
  });
});
