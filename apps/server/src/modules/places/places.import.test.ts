import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoIds, setupTestEnv, type TestEnv } from '../../../test/harness.js';
import { gridIndexOf } from './geo-index.js';

let env: TestEnv;
let ids: Awaited<ReturnType<typeof demoIds>>;
let gy: string;
let dx: string;
beforeAll(async () => {
  env = await setupTestEnv();
  ids = await demoIds(env.database);
  gy = await env.login('guiyuan');
  dx = await env.login('dongxiao');
});
afterAll(() => env.close());

type Geometry = { type: string; coordinates: unknown };
const feature = (properties: Record<string, unknown>, geometry: Geometry | null) => ({ type: 'Feature', properties, geometry });
const collection = (...features: ReturnType<typeof feature>[]) => ({ type: 'FeatureCollection', features });
const box = (w: number, s: number, e: number, n: number): Geometry => ({ type: 'Polygon', coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]]] });
const importGeojson = (cookie: string, body: Record<string, unknown>, lang = 'zh-CN') =>
  env.app.inject({ method: 'POST', url: '/api/places/import/geojson', headers: { cookie, 'accept-language': lang }, payload: body });
const snapshot = async () => ({
  places: await env.database.db.selectFrom('places').select(['id', 'code', 'geometry', 'lng', 'lat']).orderBy('id').execute(),
  audits: (await env.database.db.selectFrom('audit_log').select('seq').where('action', '=', 'place.import').execute()).length,
});
const gridMapping = { name: 'NAME', code: 'GRIDCODE', kind: 'grid', parentCode: 'COMMUNITY' };

// 松园社区 (440303001003) covers [114.100, 22.545, 114.106, 22.554]; its grids 001–004 are 2 × 2.
const SONGYUAN = '440303001003';

describe('GeoJSON import', () => {
  it('upserts by code in one transaction, numbers code-less grids west→east, north→south, and warns about a grid outside its community', async () => {
    const body = {
      featureCollection: collection(
        feature({ NAME: '松园第1网格', GRIDCODE: `${SONGYUAN}001`, COMMUNITY: SONGYUAN }, box(114.1, 22.5495, 114.1031, 22.554)),
        feature({ NAME: '松园第5网格', GRIDCODE: `${SONGYUAN}005`, COMMUNITY: SONGYUAN }, box(114.1, 22.545, 114.101, 22.546)),
        feature({ NAME: '松园越界网格', GRIDCODE: `${SONGYUAN}006`, COMMUNITY: SONGYUAN }, box(114.105, 22.545, 114.107, 22.546)),
        // two grids without a code, listed south-east first: the north-west one gets the lower number
        feature({ NAME: '松园东南网格', COMMUNITY: SONGYUAN }, box(114.104, 22.545, 114.105, 22.546)),
        feature({ NAME: '松园西北网格', COMMUNITY: SONGYUAN }, box(114.101, 22.553, 114.102, 22.554)),
      ),
      mapping: gridMapping,
    };
    const before = await snapshot();
    const dry = await importGeojson(gy, { ...body, dryRun: true });
    expect(dry.statusCode).toBe(200);
    expect(dry.json()).toMatchObject({ dryRun: true, created: 4, updated: 1 });
    expect(await snapshot()).toEqual(before);

    const res = await importGeojson(gy, body);
    expect(res.statusCode).toBe(200);
    const out = res.json();
    expect(out).toMatchObject({ dryRun: false, created: 4, updated: 1 });
    expect(out.items.map((i: { name: string; code: string; action: string }) => [i.name, i.code, i.action])).toEqual([
      ['松园第1网格', `${SONGYUAN}001`, 'update'],
      ['松园第5网格', `${SONGYUAN}005`, 'create'],
      ['松园越界网格', `${SONGYUAN}006`, 'create'],
      ['松园东南网格', `${SONGYUAN}008`, 'create'],
      ['松园西北网格', `${SONGYUAN}007`, 'create'],
    ]);
    expect(out.warnings).toEqual([{ code: 'OUTSIDE_PARENT', feature: '#2 松园越界网格', featureIndex: 2, placeCode: `${SONGYUAN}006`, parentCode: SONGYUAN, outsideShare: 0.5, message: '#2 松园越界网格 有 50% 位于上级 松园社区 的边界之外' }]);

    const updated = await env.database.db.selectFrom('places').selectAll().where('code', '=', `${SONGYUAN}001`).executeTakeFirstOrThrow();
    expect(updated).toMatchObject({ name: '松园第1网格', bbox: [114.1, 22.5495, 114.1031, 22.554] });
    const created = await env.database.db.selectFrom('places').selectAll().where('code', '=', `${SONGYUAN}005`).executeTakeFirstOrThrow();
    expect(created).toMatchObject({ kind: 'grid', parent_id: ids.places['松园社区'], bbox: [114.1, 22.545, 114.101, 22.546] });
    const path = await env.app.inject({ url: `/api/places/${created.id}`, headers: { cookie: gy } });
    expect(path.json().path.map((p: { name: string }) => p.name)).toEqual(['深圳市', '罗湖区', '桂园街道', '松园社区', '松园第5网格']);

    const entries = await env.database.db.selectFrom('audit_log').selectAll().where('action', '=', 'place.import').execute();
    expect(entries).toHaveLength(before.audits + 1);
    expect(entries.at(-1)).toMatchObject({ actor_name: 'guiyuan', changes: { features: 5, created: 4, updated: 1, warnings: 1 } });

    // the shared grid index follows the import
    const index = await gridIndexOf(env.database.db);
    expect(index.locate(114.1005, 22.5455)).toMatchObject({ gridId: String(created.id), communityId: ids.places['松园社区'], streetId: ids.places['桂园街道'] });
  });

  it('refuses the whole collection when one feature does not close, naming it, and writes nothing', async () => {
    const before = await snapshot();
    const res = await importGeojson(gy, {
      featureCollection: collection(
        feature({ NAME: '宝安第5网格', GRIDCODE: '440303001005005', COMMUNITY: '440303001005' }, box(114.112, 22.545, 114.113, 22.546)),
        feature({ NAME: '宝安第6网格', GRIDCODE: '440303001005006', COMMUNITY: '440303001005' }, box(114.113, 22.545, 114.114, 22.546)),
        feature({ NAME: '宝安未闭合网格', GRIDCODE: '440303001005007', COMMUNITY: '440303001005' }, { type: 'Polygon', coordinates: [[[114.114, 22.545], [114.115, 22.545], [114.115, 22.546], [114.114, 22.546]]] }),
        feature({ NAME: '宝安第8网格', GRIDCODE: '440303001005008', COMMUNITY: '440303001005' }, box(114.115, 22.545, 114.116, 22.546)),
      ),
      mapping: gridMapping,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({
      code: 'GEOMETRY_INVALID',
      message: '图形无效（#2 宝安未闭合网格）：外环未闭合（首尾坐标不一致）',
      params: { feature: '#2 宝安未闭合网格', featureIndex: 2, featureName: '宝安未闭合网格', reasonCode: 'ring_not_closed' },
    });
    expect(res.json().error.params.errors).toHaveLength(1);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a bow-tie, naming the feature in English when asked', async () => {
    const before = await snapshot();
    const res = await importGeojson(
      gy,
      {
        featureCollection: collection(
          feature({ NAME: 'Good grid', GRIDCODE: '440303001005005', COMMUNITY: '440303001005' }, box(114.112, 22.545, 114.113, 22.546)),
          feature({ NAME: 'Bow tie', GRIDCODE: '440303001005006', COMMUNITY: '440303001005' }, { type: 'Polygon', coordinates: [[[114.113, 22.545], [114.114, 22.546], [114.114, 22.545], [114.113, 22.546], [114.113, 22.545]]] }),
        ),
        mapping: gridMapping,
      },
      'en',
    );
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'GEOMETRY_INVALID', params: { feature: '#1 Bow tie', reasonCode: 'self_intersection' } });
    expect(res.json().error.message).toMatch(/^Invalid geometry \(#1 Bow tie\): the boundary crosses itself/);
    expect(await snapshot()).toEqual(before);
  });

  it('lists every invalid feature and refuses kind and code problems too', async () => {
    const before = await snapshot();
    const res = await importGeojson(gy, {
      featureCollection: collection(
        feature({ NAME: '错码网格', GRIDCODE: '440303008001009', COMMUNITY: '440303001005' }, box(114.112, 22.545, 114.113, 22.546)),
        feature({ NAME: '社区下的楼栋', GRIDCODE: 'B-1', KIND: '楼栋', COMMUNITY: '440303001005' }, { type: 'Point', coordinates: [114.113, 22.546] }),
        feature({ GRIDCODE: '440303001005009', COMMUNITY: '440303001005' }, box(114.113, 22.545, 114.114, 22.546)),
        feature({ NAME: '重复编码', GRIDCODE: '440303008001009', COMMUNITY: '440303001005' }, box(114.114, 22.545, 114.115, 22.546)),
      ),
      mapping: { name: 'NAME', code: 'GRIDCODE', kind: 'KIND', parentCode: 'COMMUNITY' },
    });
    expect(res.statusCode).toBe(400);
    const error = res.json().error;
    expect(error).toMatchObject({ code: 'IMPORT_FEATURE_INVALID', params: { feature: '#0 错码网格', errorCode: 'PLACE_CODE_PREFIX' } });
    expect(error.params.errors.map((e: { featureIndex: number; errorCode: string }) => [e.featureIndex, e.errorCode])).toEqual([
      [0, 'PLACE_CODE_PREFIX'],
      [1, 'PLACE_KIND_NOT_ALLOWED'],
      [2, 'IMPORT_NO_NAME'],
      [3, 'IMPORT_DUPLICATE_CODE'],
    ]);
    expect(error.params.errors[1].reason).toBe('社区下不能设立楼栋');
    expect(await snapshot()).toEqual(before);
  });

  it('creates a community with its grids from one collection, and points for compounds', async () => {
    const res = await importGeojson(gy, {
      featureCollection: collection(
        feature({ name: '桂园东社区', code: '440303001009', kind: 'community' }, box(114.112, 22.536, 114.118, 22.545)),
        feature({ name: '桂园东第1网格', code: '440303001009001', kind: 'grid', parent: '440303001009' }, box(114.112, 22.5405, 114.115, 22.545)),
        feature({ name: '桂园东第2网格', code: '440303001009002', kind: 'grid', parent: '440303001009' }, box(114.115, 22.5405, 114.118, 22.545)),
        feature({ name: '桂园东花园', code: 'GYD-HY-1', kind: 'compound', parent: '440303001009001' }, { type: 'Point', coordinates: [114.113, 22.542] }),
        feature({ name: '桂园东飞地', code: null, kind: 'compound', parent: '440303001009002' }, { type: 'Point', coordinates: [114.13, 22.542] }),
      ),
      mapping: { name: 'name', code: 'code', kind: 'kind', parentCode: 'parent' },
      parentId: ids.places['桂园街道'],
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ created: 5, updated: 0 });
    expect(res.json().warnings).toEqual([expect.objectContaining({ code: 'OUTSIDE_PARENT', feature: '#4 桂园东飞地', outsideShare: 1, message: '#4 桂园东飞地 的坐标点位于上级 桂园东第2网格 的边界之外' })]);
    const community = await env.database.db.selectFrom('places').selectAll().where('code', '=', '440303001009').executeTakeFirstOrThrow();
    expect(community.parent_id).toBe(ids.places['桂园街道']);
    const detail = (await env.app.inject({ url: `/api/places/${community.id}`, headers: { cookie: gy } })).json();
    expect(detail.subtreeCounts).toEqual({ grid: 2, compound: 2 });
    const compound = await env.database.db.selectFrom('places').selectAll().where('name', '=', '桂园东花园').executeTakeFirstOrThrow();
    expect(compound).toMatchObject({ kind: 'compound', code: 'GYD-HY-1', lng: 114.113, lat: 22.542, geometry: null });

    // a later file with the same code moves the point; the stored place gives the kind
    const again = await importGeojson(gy, { featureCollection: collection(feature({ name: '桂园东花园', code: 'GYD-HY-1' }, { type: 'Point', coordinates: [114.1135, 22.5425] })), mapping: { name: 'name', code: 'code' } });
    expect(again.json()).toMatchObject({ created: 0, updated: 1, warnings: [], items: [{ kind: 'compound', action: 'update', id: String(compound.id) }] });
    expect(await env.database.db.selectFrom('places').select(['lng', 'lat']).where('id', '=', compound.id).executeTakeFirstOrThrow()).toEqual({ lng: 114.1135, lat: 22.5425 });
  });

  it('answers 404 for a parent outside my scope and refuses codes of places I cannot see', async () => {
    const outside = await importGeojson(dx, {
      featureCollection: collection(feature({ name: '越权社区', code: '440303001010' }, box(114.118, 22.536, 114.124, 22.545))),
      mapping: { name: 'name', code: 'code' },
      parentId: ids.places['桂园街道'],
    });
    expect(outside.statusCode).toBe(404);
    const foreign = await importGeojson(dx, {
      featureCollection: collection(feature({ name: '老围第1网格', code: '440303001001001' }, box(114.1, 22.5405, 114.103, 22.545))),
      mapping: { name: 'name', code: 'code' },
    });
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json().error).toMatchObject({ code: 'IMPORT_FEATURE_INVALID', params: { errorCode: 'NOT_FOUND' } });
  });
});
