import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoIds, setupTestEnv, type TestEnv } from '../../../test/harness.js';
import { createOrg } from '../orgs/orgs.service.js';

let env: TestEnv;
let ids: Awaited<ReturnType<typeof demoIds>>;
let gy: string;
let dx: string;
let luohu: string;
beforeAll(async () => {
  env = await setupTestEnv();
  ids = await demoIds(env.database);
  gy = await env.login('guiyuan');
  dx = await env.login('dongxiao');
  luohu = await env.login('luohu');
});
afterAll(() => env.close());

type Payload = Record<string, unknown>;
const call = (cookie: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: Payload, lang = 'zh-CN') =>
  env.app.inject({ method, url, headers: { cookie, 'accept-language': lang }, ...(payload ? { payload } : {}) });
const audits = (action: string, targetId?: string) => {
  let q = env.database.db.selectFrom('audit_log').selectAll().where('action', '=', action);
  if (targetId) q = q.where('target_id', '=', targetId);
  return q.orderBy('seq', 'desc').execute();
};
const placeCount = async () => (await env.database.db.selectFrom('places').select('id').execute()).length;
const square = (w: number, s: number, size: number) => ({ type: 'Polygon', coordinates: [[[w, s], [w + size, s], [w + size, s + size], [w, s + size], [w, s]]] });
// inside 老围社区 [114.100, 22.536, 114.106, 22.545]
const inLaowei = square(114.1005, 22.5365, 0.001);

describe('reading places', () => {
  it('shows a place with its path, counts below it by kind, rolled-up households and what I may do', async () => {
    const res = await call(gy, 'GET', `/api/places/${ids.places['桂园街道']}`);
    expect(res.statusCode).toBe(200);
    const p = res.json();
    expect(p).toMatchObject({ name: '桂园街道', kind: 'street', code: '440303001', parentId: ids.places['罗湖区'], hasBoundary: true });
    expect(p.path.map((n: { name: string }) => n.name)).toEqual(['深圳市', '罗湖区', '桂园街道']);
    expect(p.childCounts).toEqual({ community: 6 });
    expect(p.subtreeCounts).toMatchObject({ community: 6, grid: 24, office_building: 2, enterprise: 1, compound: 1, building: 3 });
    expect(p.households).toBe(108 + 96 + 144);
    expect(p.geometry.type).toBe('Polygon');
    expect(p.bbox).toEqual([114.1, 22.536, 114.118, 22.554]);
    expect(p.childKinds).toEqual(['community']);
    // a street is changed from the district, which lies outside guiyuan's scope
    expect(p.can).toEqual({ edit: false, delete: false, addChild: true, importGeojson: true });

    const kk = (await call(gy, 'GET', `/api/places/${ids.places['京基100大厦']}`)).json();
    expect(kk).toMatchObject({ kind: 'office_building', floors: 100, buildingUse: 'office', lng: 114.1043, lat: 22.5416, address: '深圳市罗湖区深南东路5016号', childCounts: { enterprise: 1 } });
    expect(kk.path.map((n: { name: string }) => n.name)).toEqual(['深圳市', '罗湖区', '桂园街道', '老围社区', '老围第2网格', '京基100大厦']);
    expect(kk.can.edit).toBe(true);

    const district = (await call(luohu, 'GET', `/api/places/${ids.places['罗湖区']}`)).json();
    expect(district.households).toBe(108 + 96 + 144 + 54 + 54 + 72 + 240 + 236);
    expect(district.subtreeCounts.grid).toBe(48);
  });

  it('answers 404 for a place outside my scope, on every route', async () => {
    const other = ids.places['东晓社区']!;
    for (const [method, url] of [
      ['GET', `/api/places/${other}`],
      ['GET', `/api/places/${other}/children/geojson`],
      ['GET', `/api/places/${other}/next-grid-code`],
      ['PATCH', `/api/places/${other}`],
      ['DELETE', `/api/places/${ids.places['东晓第1网格']}`],
      ['GET', `/api/places?parentId=${other}`],
    ] as const) {
      const res = await call(gy, method, url, method === 'PATCH' ? { name: 'x' } : undefined);
      expect(res.statusCode, `${method} ${url}`).toBe(404);
    }
    const create = await call(gy, 'POST', '/api/places', { parentId: other, kind: 'grid', name: '越权网格', geometry: inLaowei });
    expect(create.statusCode).toBe(404);
    expect((await call(gy, 'GET', `/api/places/${ids.places['罗湖区']}`)).statusCode).toBe(404);
    const denied = await audits('access.denied');
    expect(denied.some((a) => a.actor_name === 'guiyuan' && a.target_id === other)).toBe(true);
  });

  it('lists and searches within my scope with pagination', async () => {
    const grids = (await call(gy, 'GET', `/api/places?kind=grid&parentId=${ids.places['桂园街道']}&pageSize=5`)).json();
    expect(grids.total).toBe(24);
    expect(grids.items).toHaveLength(5);
    expect(grids.items[0]).toMatchObject({ kind: 'grid', code: '440303001001001', hasBoundary: true, can: { edit: true } });
    const page2 = (await call(gy, 'GET', `/api/places?kind=grid&parentId=${ids.places['桂园街道']}&pageSize=5&page=2`)).json();
    expect(page2.items[0].code).toBe('440303001002002');
    const kk = (await call(gy, 'GET', '/api/places?q=京基')).json();
    expect(kk.items.map((i: { name: string }) => i.name).sort()).toEqual(['京基100大厦', '深圳市京基房地产股份有限公司'].sort());
    const byCode = (await call(gy, 'GET', '/api/places?code=440303001002')).json();
    expect(byCode.total).toBe(5); // the community and its four grids
    const compound = (await call(dx, 'GET', '/api/places?kind=compound')).json();
    expect(compound.items.map((i: { name: string; households: number }) => [i.name, i.households])).toEqual([['东晓花园', 180], ['绿景新苑', 476]]);
    expect((await call(dx, 'GET', '/api/places?q=京基')).json().total).toBe(0);
  });

  it('returns the children’s boundaries or points as GeoJSON for the map preview', async () => {
    const fc = (await call(gy, 'GET', `/api/places/${ids.places['老围社区']}/children/geojson`)).json();
    expect(fc.type).toBe('FeatureCollection');
    expect(fc.features.map((f: { properties: { code: string } }) => f.properties.code)).toEqual(['440303001001001', '440303001001002', '440303001001003', '440303001001004']);
    expect(fc.features.every((f: { geometry: { type: string } }) => f.geometry.type === 'Polygon')).toBe(true);
    expect(fc.bbox).toEqual([114.1, 22.536, 114.106, 22.545]);
    const points = (await call(gy, 'GET', `/api/places/${ids.places['老围第2网格']}/children/geojson`)).json();
    expect(points.features).toHaveLength(1);
    expect(points.features[0]).toMatchObject({ geometry: { type: 'Point', coordinates: [114.1043, 22.5416] }, properties: { name: '京基100大厦', kind: 'office_building', floors: 100 } });
  });

  it('documents every route in the OpenAPI description under the places tag', async () => {
    const doc = (await env.app.inject({ url: '/api/openapi.json' })).json();
    const routes = [
      ['get', '/api/places'], ['post', '/api/places'], ['get', '/api/places/tree'], ['post', '/api/places/import/geojson'],
      ['get', '/api/places/{id}'], ['patch', '/api/places/{id}'], ['delete', '/api/places/{id}'],
      ['get', '/api/places/{id}/children/geojson'], ['get', '/api/places/{id}/next-grid-code'],
    ];
    for (const [method, path] of routes) {
      const op = doc.paths[path!]?.[method!];
      expect(op, `${method} ${path}`).toBeDefined();
      expect(op.tags).toEqual(['places']);
      expect(op.summary.length).toBeGreaterThan(10);
    }
  });

  it('keeps the tree picker as it was', async () => {
    const roots = (await call(gy, 'GET', '/api/places/tree')).json();
    expect(roots).toEqual([{ id: ids.places['桂园街道'], parentId: ids.places['罗湖区'], name: '桂园街道', kind: 'street', code: '440303001', hasChildren: true }]);
  });
});

describe('kind rules', () => {
  it('refuses a kind under a parent that may not hold it, with kind names in my language', async () => {
    const before = await placeCount();
    const zh = await call(gy, 'POST', '/api/places', { parentId: ids.places['桂园街道'], kind: 'grid', name: '错层网格', code: '440303001001099', geometry: inLaowei });
    expect(zh.statusCode).toBe(409);
    expect(zh.json().error).toMatchObject({ code: 'PLACE_KIND_NOT_ALLOWED', message: '街道下不能设立网格', params: { kindCode: 'grid', parentKindCode: 'street' } });
    const en = await call(gy, 'POST', '/api/places', { parentId: ids.places['老围社区'], kind: 'building', name: 'Loose building', households: 10 }, 'en');
    expect(en.json().error).toMatchObject({ code: 'PLACE_KIND_NOT_ALLOWED', message: 'A residential building cannot be placed under a community' });
    const ob = await call(gy, 'POST', '/api/places', { parentId: ids.places['桂木园小区'], kind: 'office_building', name: '小区里的楼宇', lng: 114.1075, lat: 22.552 });
    expect(ob.json().error.message).toBe('小区下不能设立楼宇');
    expect(await placeCount()).toBe(before);
  });

  it('accepts compounds and office buildings under a community or a grid, buildings under a compound, enterprises under an office building', async () => {
    const grid = ids.places['老围第1网格']!;
    const compound = await call(gy, 'POST', '/api/places', { parentId: grid, kind: 'compound', name: '老围新村', lng: 114.1012, lat: 22.5440, address: '深圳市罗湖区老围路 1 号' });
    expect(compound.statusCode).toBe(201);
    expect(compound.json()).toMatchObject({ kind: 'compound', code: null, warnings: [] });
    const building = await call(gy, 'POST', '/api/places', { parentId: compound.json().id, kind: 'building', name: '老围新村1栋', floors: 12, households: 66, buildingUse: 'residential' });
    expect(building.statusCode).toBe(201);
    const enterprise = await call(gy, 'POST', '/api/places', { parentId: ids.places['京基100大厦'], kind: 'enterprise', name: '京基100租户企业', lng: 114.1043, lat: 22.5416 });
    expect(enterprise.statusCode).toBe(201);
    const office = await call(gy, 'POST', '/api/places', { parentId: ids.places['老围社区'], kind: 'office_building', name: '老围商务中心', lng: 114.1011, lat: 22.5371, floors: 28, buildingUse: 'office' });
    expect(office.statusCode).toBe(201);
    // households roll up to every level above the building
    const community = (await call(gy, 'GET', `/api/places/${ids.places['老围社区']}`)).json();
    expect(community.households).toBe(66);
  });

  it('refuses fields that do not belong to the kind, and located places without a location', async () => {
    const res = await call(gy, 'POST', '/api/places', { parentId: ids.places['老围社区'], kind: 'office_building', name: '带户数的楼宇', lng: 114.101, lat: 22.537, households: 12 });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'VALIDATION_FAILED', fields: { households: '此类地点不填写此项' } });
    const noPoint = await call(gy, 'POST', '/api/places', { parentId: ids.places['老围社区'], kind: 'enterprise', name: '无坐标企业' });
    expect(noPoint.json().error).toMatchObject({ code: 'PLACE_LOCATION_REQUIRED', message: '企业须有坐标点或边界' });
    const half = await call(gy, 'POST', '/api/places', { parentId: ids.places['老围社区'], kind: 'enterprise', name: '半个坐标', lng: 114.101 });
    expect(half.json().error.fields).toHaveProperty('lat');
  });
});

describe('code rules', () => {
  const community = (code: string | undefined, name = '测试社区') => call(gy, 'POST', '/api/places', { parentId: ids.places['桂园街道'], kind: 'community', name, ...(code === undefined ? {} : { code }), geometry: inLaowei });

  it('checks length, prefix, presence and uniqueness of area codes', async () => {
    const before = await placeCount();
    expect((await community('44030300107')).json().error).toMatchObject({ code: 'PLACE_CODE_FORMAT', message: '社区编码应为 12 位数字（收到 44030300107）' });
    expect((await community('440303008007')).json().error).toMatchObject({ code: 'PLACE_CODE_PREFIX', params: { prefix: '440303001' } });
    expect((await community(undefined)).json().error.code).toBe('PLACE_CODE_REQUIRED');
    const taken = await community('440303001001');
    expect(taken.statusCode).toBe(409);
    expect(taken.json().error).toMatchObject({ code: 'PLACE_CODE_TAKEN', params: { name: '老围社区' } });
    expect(await placeCount()).toBe(before);
    const ok = await community('440303001007', '桂园新社区');
    expect(ok.statusCode).toBe(201);
    expect(ok.json().code).toBe('440303001007');
  });

  it('numbers a new grid after the community’s last one and offers the next code', async () => {
    const laowei = ids.places['老围社区']!;
    expect((await call(gy, 'GET', `/api/places/${laowei}/next-grid-code`)).json()).toEqual({ code: '440303001001005', communityCode: '440303001001' });
    const grid = await call(gy, 'POST', '/api/places', { parentId: laowei, kind: 'grid', name: '老围第5网格', geometry: inLaowei });
    expect(grid.statusCode).toBe(201);
    expect(grid.json()).toMatchObject({ code: '440303001001005', warnings: [] });
    expect((await call(gy, 'GET', `/api/places/${laowei}/next-grid-code`)).json().code).toBe('440303001001006');
    const wrong = await call(gy, 'POST', '/api/places', { parentId: laowei, kind: 'grid', name: '别人的编号', code: '440303001002009', geometry: inLaowei });
    expect(wrong.json().error).toMatchObject({ code: 'PLACE_CODE_PREFIX', params: { prefix: '440303001001' } });
    const street = await call(gy, 'GET', `/api/places/${ids.places['桂园街道']}/next-grid-code`);
    expect(street.json().error.code).toBe('PLACE_KIND_NOT_ALLOWED');
  });
});

describe('boundaries', () => {
  const grid = (name: string, geometry: unknown) => call(gy, 'POST', '/api/places', { parentId: ids.places['老围社区'], kind: 'grid', name, geometry });

  it('refuses a polygon that does not close, naming it, and writes nothing', async () => {
    const before = await placeCount();
    const auditsBefore = (await audits('place.create')).length;
    const res = await grid('未闭合网格', { type: 'Polygon', coordinates: [[[114.1, 22.536], [114.101, 22.536], [114.101, 22.537], [114.1, 22.537]]] });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'GEOMETRY_INVALID', params: { feature: '未闭合网格', reasonCode: 'ring_not_closed' } });
    expect(res.json().error.message).toBe('图形无效（未闭合网格）：外环未闭合（首尾坐标不一致）');
    expect(await placeCount()).toBe(before);
    expect((await audits('place.create')).length).toBe(auditsBefore);
  });

  it('refuses a self-intersecting (bow-tie) polygon', async () => {
    const res = await grid('蝴蝶结网格', { type: 'Polygon', coordinates: [[[114.1, 22.536], [114.102, 22.538], [114.102, 22.536], [114.1, 22.538], [114.1, 22.536]]] });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'GEOMETRY_INVALID', params: { feature: '蝴蝶结网格', reasonCode: 'self_intersection' } });
    expect(res.json().error.message).toContain('114.101, 22.537');
  });

  it('refuses short rings, out-of-range positions, holes outside the outer ring and the wrong geometry type', async () => {
    const cases: [unknown, string][] = [
      [{ type: 'Polygon', coordinates: [[[114.1, 22.536], [114.101, 22.536], [114.1, 22.536]]] }, 'ring_too_short'],
      [{ type: 'Polygon', coordinates: [[[194.1, 22.536], [194.101, 22.536], [194.101, 22.537], [194.1, 22.536]]] }, 'range'],
      [{ type: 'Polygon', coordinates: [square(114.1, 22.536, 0.002).coordinates[0], square(114.11, 22.536, 0.0005).coordinates[0]] }, 'hole_outside'],
      [{ type: 'Point', coordinates: [114.1, 22.536] }, 'type'],
      [{ type: 'MultiPolygon', coordinates: [square(114.1, 22.536, 0.001).coordinates, [[[114.103, 22.537], [114.104, 22.537], [114.104, 22.538]]]] }, 'ring_too_short'],
    ];
    for (const [geometry, reason] of cases) {
      const res = await grid('坏图形', geometry);
      expect(res.json().error, reason).toMatchObject({ code: 'GEOMETRY_INVALID', params: { reasonCode: reason } });
    }
    const en = await call(gy, 'POST', '/api/places', { parentId: ids.places['老围社区'], kind: 'grid', name: 'Grid X', geometry: { type: 'MultiPolygon', coordinates: [square(114.1, 22.536, 0.001).coordinates, [[[114.103, 22.537], [114.104, 22.537], [114.104, 22.538], [114.103, 22.5375]]]] } }, 'en');
    expect(en.json().error.message).toBe('Invalid geometry (Grid X): polygon 2, the outer ring is not closed (its first and last positions differ)');
  });

  it('accepts a polygon with a hole and warns (without refusing) when it lies outside its parent', async () => {
    const withHole = await grid('带洞网格', { type: 'Polygon', coordinates: [square(114.1, 22.536, 0.002).coordinates[0], square(114.1005, 22.5365, 0.0005).coordinates[0]] });
    expect(withHole.statusCode).toBe(201);
    expect(withHole.json().warnings).toEqual([]);
    const outside = await grid('越界网格', square(114.105, 22.536, 0.002));
    expect(outside.statusCode).toBe(201);
    expect(outside.json().warnings).toEqual([expect.objectContaining({ code: 'OUTSIDE_PARENT', feature: '越界网格', parentCode: '440303001001', outsideShare: 0.5 })]);
  });
});

describe('changing and deleting', () => {
  it('updates a building, rolls its households up and leaves an audit entry with the changes', async () => {
    const b = ids.places['桂木园小区1栋']!;
    const res = await call(gy, 'PATCH', `/api/places/${b}`, { households: 120, floors: 20 });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ households: 120, floors: 20, warnings: [] });
    const community = (await call(gy, 'GET', `/api/places/${ids.places['桂木园社区']}`)).json();
    expect(community.households).toBe(120 + 96 + 144);
    const [entry] = await audits('place.update', b);
    expect(entry).toMatchObject({ actor_name: 'guiyuan', target_label: '桂木园小区1栋', changes: { households: { from: 108, to: 120 }, floors: { from: 18, to: 20 } } });
  });

  it('changes a grid boundary, checks it, and refuses a code change once the place has children', async () => {
    const g = ids.places['老围第3网格']!;
    const bad = await call(gy, 'PATCH', `/api/places/${g}`, { geometry: { type: 'Polygon', coordinates: [[[114.1, 22.536], [114.101, 22.536], [114.101, 22.537]]] } });
    expect(bad.json().error).toMatchObject({ code: 'GEOMETRY_INVALID', params: { feature: '老围第3网格' } });
    const moved = await call(gy, 'PATCH', `/api/places/${g}`, { geometry: square(114.1, 22.536, 0.003) });
    expect(moved.json()).toMatchObject({ bbox: [114.1, 22.536, 114.103, 22.539] });
    expect((await audits('place.update', g))[0]!.changes).toMatchObject({ boundary: { to: [114.1, 22.536, 114.103, 22.539] } });
    const locked = await call(gy, 'PATCH', `/api/places/${ids.places['老围第2网格']}`, { code: '440303001001099' });
    expect(locked.json().error.code).toBe('PLACE_CODE_LOCKED');
  });

  it('refuses to change a place whose parent lies outside my scope (403, audited)', async () => {
    const res = await call(gy, 'PATCH', `/api/places/${ids.places['桂园街道']}`, { name: '桂园街道（改）' });
    expect(res.statusCode).toBe(403);
    const [entry] = await audits('access.denied', ids.places['桂园街道']);
    expect(entry).toMatchObject({ actor_name: 'guiyuan', result: 'denied' });
  });

  it('refuses to delete a place with children or one an organisation refers to, and deletes a free leaf', async () => {
    const withChildren = await call(gy, 'DELETE', `/api/places/${ids.places['老围社区']}`);
    expect(withChildren.statusCode).toBe(409);
    expect(withChildren.json().error).toMatchObject({ code: 'PLACE_HAS_CHILDREN' });
    expect(withChildren.json().error.params.names).toContain('老围第1网格');

    const leaf = (await call(gy, 'POST', '/api/places', { parentId: ids.places['新围第4网格'], kind: 'office_building', name: '待删楼宇', lng: 114.11, lat: 22.537 })).json();
    await createOrg(env.database.db, { parentId: ids.orgs['中共桂园街道新围社区委员会']!, kind: 'branch', domain: 'office_building', name: '待删楼宇党支部', placeId: leaf.id });
    const inUse = await call(gy, 'DELETE', `/api/places/${leaf.id}`);
    expect(inUse.statusCode).toBe(409);
    expect(inUse.json().error).toMatchObject({ code: 'PLACE_IN_USE', message: '该地点仍被1 个党组织引用，不能删除' });

    const free = (await call(gy, 'POST', '/api/places', { parentId: ids.places['新围第4网格'], kind: 'compound', name: '待删小区', lng: 114.11, lat: 22.537 })).json();
    const del = await call(gy, 'DELETE', `/api/places/${free.id}`);
    expect(del.statusCode).toBe(204);
    expect(await env.database.db.selectFrom('places').select('id').where('id', '=', free.id).executeTakeFirst()).toBeUndefined();
    expect(await env.database.db.selectFrom('place_closure').select('ancestor_id').where('descendant_id', '=', free.id).execute()).toEqual([]);
    const [entry] = await audits('place.delete', free.id);
    expect(entry).toMatchObject({ actor_name: 'guiyuan', target_label: '待删小区', changes: { kind: 'compound', name: '待删小区' } });
  });

  it('leaves an audit entry for every create', async () => {
    const created = await audits('place.create');
    const names = created.filter((a) => a.actor_name === 'guiyuan').map((a) => a.target_label);
    expect(names).toEqual(expect.arrayContaining(['老围新村', '老围新村1栋', '京基100租户企业', '桂园新社区', '老围第5网格', '带洞网格', '越界网格', '待删楼宇', '待删小区']));
    const grid = created.find((a) => a.target_label === '老围第5网格')!;
    expect(grid.changes).toMatchObject({ kind: 'grid', identifier: '440303001001005', parentId: ids.places['老围社区'] });
  });
});
