import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoIds, setupTestEnv, type TestEnv } from '../../../test/harness.js';
import { GRID_VERSION_KEY, gridIndexOf } from './geo-index.js';

// The grids' version (migration 0013): bumped once by any transaction that changes a grid row, read
// in one lookup before the shared GridIndex is reused, so every instance routes by current boundaries.

let env: TestEnv;
let ids: Awaited<ReturnType<typeof demoIds>>;
beforeAll(async () => {
  env = await setupTestEnv();
  ids = await demoIds(env.database);
});
afterAll(() => env.close());

const version = async () =>
  Number((await env.database.db.selectFrom('platform_meta').select('value').where('key', '=', GRID_VERSION_KEY).executeTakeFirstOrThrow()).value);
const square = (w: number, s: number, size: number) => ({ type: 'Polygon', coordinates: [[[w, s], [w + size, s], [w + size, s + size], [w, s + size], [w, s]]] });

describe('the grids version', () => {
  it('is bumped once per transaction that changes grids, and only then', async () => {
    const v0 = await version();
    // three grids in one transaction: one bump
    await env.database.db.transaction().execute(async (trx) => {
      await trx.updateTable('places').set({ updated_at: new Date() }).where('name', 'in', ['老围第1网格', '老围第2网格', '老围第3网格']).execute();
      await trx.updateTable('places').set({ updated_at: new Date() }).where('name', '=', '新围第1网格').execute();
    });
    expect(await version()).toBe(v0 + 1);
    // a community, a building: no bump
    await env.database.db.updateTable('places').set({ updated_at: new Date() }).where('name', 'in', ['老围社区', '京基100大厦']).execute();
    expect(await version()).toBe(v0 + 1);
    // a grid change rolled back: no bump
    await expect(
      env.database.db.transaction().execute(async (trx) => {
        await trx.updateTable('places').set({ updated_at: new Date() }).where('name', '=', '老围第4网格').execute();
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await version()).toBe(v0 + 1);
    // the next transaction bumps again (the once-per-transaction mark does not outlive its transaction)
    await sql`UPDATE places SET updated_at = now() WHERE name = '老围第4网格'`.execute(env.database.db);
    expect(await version()).toBe(v0 + 2);
  });

  it('makes an instance route by a grid that another instance created', async () => {
    const first = env.app;
    const second = await env.secondApp();
    const cookie = await env.login('gy_grid');
    const point = { lng: 114.1215, lat: 22.5375 };
    const report = () => first.inject({ method: 'POST', url: '/api/cases', headers: { cookie }, payload: { categoryCode: 'sanitation', description: '新网格内的垃圾', ...point, source: 'grid_worker' } });
    // the first instance's shared index is built and current: the point lies outside every grid
    const before = await gridIndexOf(env.database.db);
    expect(before.locate(point.lng, point.lat)).toBeNull();
    expect((await report()).json().error.code).toBe('CASE_OUTSIDE_GRIDS');

    // the second instance adds a grid there (the first one is not told)
    const gy = await env.login('guiyuan');
    const created = await second.inject({
      method: 'POST', url: '/api/places', headers: { cookie: gy },
      payload: { parentId: ids.places['红围社区'], kind: 'grid', name: '红围第6网格', geometry: square(114.1205, 22.5365, 0.002) },
    });
    expect(created.statusCode, created.body).toBe(201);

    // the first instance's next case sees the new version, rebuilds its index and routes there
    const res = await report();
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().grid).toMatchObject({ id: created.json().id, name: '红围第6网格' });
    const after = await gridIndexOf(env.database.db);
    expect(after).not.toBe(before);
    expect(await gridIndexOf(env.database.db)).toBe(after);

    // the grid moves away on the second instance: the first one's index still holds the point, but the
    // version read with the category overturns it — refused, and nothing of the case is written
    const moved = await second.inject({ method: 'PATCH', url: `/api/places/${created.json().id}`, headers: { cookie: gy }, payload: { geometry: square(114.1305, 22.5465, 0.002) } });
    expect(moved.statusCode, moved.body).toBe(200);
    expect((await gridIndexOf(env.database.db, { version: '0' })).locate(point.lng, point.lat)).not.toBeNull();
    const cases = async () => Number((await sql<{ n: string }>`SELECT count(*) AS n FROM cases WHERE description = '新网格内的垃圾'`.execute(env.database.db)).rows[0]!.n);
    const before2 = await cases();
    const refused = await report();
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.code).toBe('CASE_OUTSIDE_GRIDS');
    expect(await cases()).toBe(before2);
  });
});
