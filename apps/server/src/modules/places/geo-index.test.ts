import type { Polygon } from 'geojson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoIds, setupTestEnv, type TestEnv } from '../../../test/harness.js';
import { GridIndex, gridIndexOf, invalidateGridIndex } from './geo-index.js';

const poly = (...rings: [number, number][][]): Polygon => ({ type: 'Polygon', coordinates: rings.map((r) => [...r, r[0]!]) });

describe('GridIndex over hand-made polygons', () => {
  let index: GridIndex;
  beforeAll(async () => {
    index = await GridIndex.fromGrids([
      // two unit squares side by side
      { id: 'A', code: 'A', name: 'west square', geometry: poly([[0, 0], [1, 0], [1, 1], [0, 1]]), communityId: 'C1', streetId: 'S1', districtId: 'D1' },
      { id: 'B', code: 'B', name: 'east square', geometry: poly([[1, 0], [2, 0], [2, 1], [1, 1]]), communityId: 'C1' },
      // an L shape: its bounding box covers [3,0]–[5,2] but not the notch [4,1]–[5,2]
      { id: 'L', code: 'L', name: 'L shape', geometry: poly([[3, 0], [5, 0], [5, 1], [4, 1], [4, 2], [3, 2]]) },
      // a square with a hole [7,1]–[8,2]
      { id: 'H', code: 'H', name: 'with hole', geometry: poly([[6, 0], [9, 0], [9, 3], [6, 3]], [[7, 1], [8, 1], [8, 2], [7, 2]]) },
      // a small square inside the hole: the most specific grid wins
      { id: 'I', code: 'I', name: 'island', geometry: poly([[7.25, 1.25], [7.75, 1.25], [7.75, 1.75], [7.25, 1.75]]) },
    ]);
  });

  it('finds the grid containing a point, with its ancestors', () => {
    expect(index.size).toBe(5);
    expect(index.locate(0.5, 0.5)).toEqual({ gridId: 'A', gridCode: 'A', gridName: 'west square', communityId: 'C1', streetId: 'S1', districtId: 'D1' });
    expect(index.locate(1.5, 0.5)).toEqual({ gridId: 'B', gridCode: 'B', gridName: 'east square', communityId: 'C1' });
    expect(index.locate(3.5, 1.5)?.gridId).toBe('L');
    expect(index.locate(6.5, 2.5)?.gridId).toBe('H');
  });

  it('answers null outside every polygon, in a concave notch and in a hole', () => {
    expect(index.locate(10, 10)).toBeNull();
    expect(index.locate(4.5, 1.5)).toBeNull();
    expect(index.locate(7.1, 1.1)).toBeNull();
    expect(index.locate(Number.NaN, 0)).toBeNull();
  });

  it('settles points on a shared edge and nested grids deterministically', () => {
    expect(index.locate(1, 0.5)?.gridId).toBe('A');
    expect(index.locate(7.5, 1.5)?.gridId).toBe('I');
  });

  it('is empty without grids', async () => {
    const empty = await GridIndex.fromGrids([]);
    expect(empty.size).toBe(0);
    expect(empty.locate(0, 0)).toBeNull();
  });
});

describe('GridIndex over the demo city', () => {
  let env: TestEnv;
  let ids: Awaited<ReturnType<typeof demoIds>>;
  beforeAll(async () => {
    env = await setupTestEnv();
    ids = await demoIds(env.database);
  });
  afterAll(() => env.close());

  it('loads every grid and routes KK100 to its grid, community, street and district', async () => {
    const index = await GridIndex.load(env.database.db);
    expect(index.size).toBe(48);
    expect(index.locate(114.1043, 22.5416)).toEqual({
      gridId: ids.places['老围第2网格'],
      gridCode: '440303001001002',
      gridName: '老围第2网格',
      communityId: ids.places['老围社区'],
      streetId: ids.places['桂园街道'],
      districtId: ids.places['罗湖区'],
    });
    expect(index.locate(114.13, 22.575)?.communityId).toBe(ids.places['东晓社区']);
    expect(index.locate(114.2, 22.6)).toBeNull();
  });

  it('shares one index per database and rebuilds it when grids change', async () => {
    const first = await gridIndexOf(env.database.db);
    expect(await gridIndexOf(env.database.db)).toBe(first);
    const gy = await env.login('guiyuan');
    // a grid over a corner outside Guiyuan's grids (still inside Luohu)
    const res = await env.app.inject({
      method: 'POST', url: '/api/places', headers: { cookie: gy },
      payload: { parentId: ids.places['红围社区'], kind: 'grid', name: '红围第5网格', geometry: { type: 'Polygon', coordinates: [[[114.118, 22.536], [114.12, 22.536], [114.12, 22.538], [114.118, 22.538], [114.118, 22.536]]] } },
    });
    expect(res.statusCode).toBe(201);
    const second = await gridIndexOf(env.database.db);
    expect(second).not.toBe(first);
    expect(second.size).toBe(49);
    expect(second.locate(114.119, 22.537)).toMatchObject({ gridId: res.json().id, communityId: ids.places['红围社区'] });
    // a change made behind the index's back (another server instance) is noticed too
    await env.database.db.updateTable('places').set({ updated_at: new Date(Date.now() + 60_000) }).where('id', '=', res.json().id).execute();
    const third = await gridIndexOf(env.database.db);
    expect(third).not.toBe(second);
    invalidateGridIndex(env.database.db);
    const rebuilt = await third.rebuild(env.database.db);
    expect(rebuilt.size).toBe(49);
  });
});
