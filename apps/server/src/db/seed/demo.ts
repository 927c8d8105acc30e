import type { BuiltinRoleKey } from '@tongxin/contracts';
import type { Executor } from '../database.js';
import type { Polygon } from 'geojson';
import { hashPassword } from '../../platform/passwords.js';
import { createPlace, createPlaces } from '../../modules/places/places.service.js';
import { createOrg } from '../../modules/orgs/orgs.service.js';
import { ensureBuiltinRoles } from './roles.js';
import { loadCaseDemo } from '../../modules/cases/cases.demo.js';

// The demo city of the source articles: Shenzhen → Luohu → Guiyuan and Dongxiao streets.
// Community names come from ../shared/seeds (老围、新围 in Guiyuan; 东晓、绿景、松泉、马山、独树 in Dongxiao).
export const DEMO_PASSWORD = 'Tongxin@2026';

// Boundaries are simple rectangles [west, south, east, north] in WGS-84 around Luohu; each street is
// tiled by its six communities (`tiles`: [row from north, column from west] per community) and each
// community by four grids numbered west→east, north→south (15-digit codes).
const LUOHU_BOX: Box = [114.095, 22.53, 114.165, 22.59];
const STREETS = [
  { name: '桂园街道', code: '440303001', box: [114.1, 22.536, 114.118, 22.554] as Box, communities: ['老围社区', '新围社区', '松园社区', '桂木园社区', '宝安社区', '红围社区'], tiles: [[1, 0], [1, 1], [0, 0], [0, 1], [0, 2], [1, 2]] },
  { name: '东晓街道', code: '440303008', box: [114.124, 22.562, 114.148, 22.58] as Box, communities: ['东晓社区', '绿景社区', '松泉社区', '马山社区', '独树社区', '兰花社区'], tiles: [[0, 0], [0, 1], [0, 2], [1, 0], [1, 1], [1, 2]] },
];

type Box = [number, number, number, number];
const round = (v: number) => Math.round(v * 1e6) / 1e6;
const rect = ([w, s, e, n]: Box): Polygon => ({ type: 'Polygon', coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]].map(([x, y]) => [round(x!), round(y!)])] });
/** The cell at [row from north, column from west] of a box cut into cols × rows. */
const cell = ([w, s, e, n]: Box, cols: number, rows: number, row: number, col: number): Box => {
  const dx = (e - w) / cols;
  const dy = (n - s) / rows;
  return [w + col * dx, n - (row + 1) * dy, w + (col + 1) * dx, n - row * dy];
};
const GRIDS_PER_SIDE = 2;
const gridName = (community: string, seq: number) => `${community.replace(/社区$/, '')}第${seq}网格`;

// Located places: office buildings (楼宇), an enterprise inside one, compounds (小区) with their
// residential buildings (楼栋) and household counts. `in` names the grid they sit in.
const OFFICE_BUILDINGS = [
  { name: '京基100大厦', in: gridName('老围社区', 2), lng: 114.1043, lat: 22.5416, floors: 100, address: '深圳市罗湖区深南东路5016号', enterprises: ['深圳市京基房地产股份有限公司'] },
  { name: '地王大厦', in: gridName('新围社区', 1), lng: 114.1077, lat: 22.5438, floors: 69, address: '深圳市罗湖区深南东路5002号', enterprises: [] },
];
const COMPOUNDS = [
  { name: '桂木园小区', in: gridName('桂木园社区', 1), buildings: [[18, 108], [18, 96], [24, 144]] },
  { name: '东晓花园', in: gridName('东晓社区', 3), buildings: [[9, 54], [9, 54], [12, 72]] },
  { name: '绿景新苑', in: gridName('绿景社区', 2), buildings: [[30, 240], [30, 236]] },
];

export interface DemoAccount {
  username: string;
  displayName: string;
  role: BuiltinRoleKey;
  scope: string;
}

export interface DemoCity {
  places: Record<string, string>;
  orgs: Record<string, string>;
  accounts: DemoAccount[];
}

export async function loadDemoCity(ex: Executor): Promise<DemoCity> {
  const roles = await ensureBuiltinRoles(ex);
  const places: Record<string, string> = {};
  const orgs: Record<string, string> = {};

  places['深圳市'] = await createPlace(ex, { parentId: null, kind: 'city', name: '深圳市', code: '440300' });
  places['罗湖区'] = await createPlace(ex, { parentId: places['深圳市'], kind: 'district', name: '罗湖区', code: '440303', geometry: rect(LUOHU_BOX) });
  orgs['深圳市委'] = await createOrg(ex, { parentId: null, kind: 'committee', domain: 'government', name: '中共深圳市委员会', placeId: places['深圳市'] });
  orgs['罗湖区委'] = await createOrg(ex, { parentId: orgs['深圳市委'], kind: 'committee', domain: 'government', name: '中共深圳市罗湖区委员会', placeId: places['罗湖区'] });

  const gridBoxes = new Map<string, Box>();
  for (const [si, street] of STREETS.entries()) {
    const streetId = await createPlace(ex, { parentId: places['罗湖区'], kind: 'street', name: street.name, code: street.code, sortOrder: si, geometry: rect(street.box) });
    places[street.name] = streetId;
    const streetOrg = await createOrg(ex, { parentId: orgs['罗湖区委'], kind: 'working_committee', domain: 'street', name: `中共深圳市罗湖区${street.name}工作委员会`, placeId: streetId, sortOrder: si });
    orgs[street.name] = streetOrg;
    for (const [ci, community] of street.communities.entries()) {
      const code = `${street.code}${String(ci + 1).padStart(3, '0')}`;
      const [row, col] = street.tiles[ci]!;
      const box = cell(street.box, 3, 2, row!, col!);
      const communityId = await createPlace(ex, { parentId: streetId, kind: 'community', name: community, code, sortOrder: ci, geometry: rect(box) });
      places[community] = communityId;
      const grids = Array.from({ length: GRIDS_PER_SIDE * GRIDS_PER_SIDE }, (_, g) => {
        const grid = cell(box, GRIDS_PER_SIDE, GRIDS_PER_SIDE, Math.floor(g / GRIDS_PER_SIDE), g % GRIDS_PER_SIDE);
        gridBoxes.set(gridName(community, g + 1), grid);
        return { kind: 'grid', name: gridName(community, g + 1), code: `${code}${String(g + 1).padStart(3, '0')}`, sortOrder: g, geometry: rect(grid) };
      });
      for (const [g, id] of (await createPlaces(ex, communityId, grids)).entries()) places[grids[g]!.name] = id;
      orgs[community] = await createOrg(ex, { parentId: streetOrg, kind: 'committee', domain: 'community', name: `中共${street.name}${community}委员会`, placeId: communityId, sortOrder: ci });
    }
  }
  for (const [i, b] of OFFICE_BUILDINGS.entries()) {
    places[b.name] = await createPlace(ex, { parentId: places[b.in]!, kind: 'office_building', name: b.name, sortOrder: i, lng: b.lng, lat: b.lat, address: b.address, floors: b.floors, buildingUse: 'office' });
    for (const e of b.enterprises) places[e] = await createPlace(ex, { parentId: places[b.name]!, kind: 'enterprise', name: e, lng: b.lng, lat: b.lat, address: b.address });
  }
  for (const [i, c] of COMPOUNDS.entries()) {
    // at the centre of its grid; its buildings in a row just south of that point
    const [w, s, e, n] = gridBoxes.get(c.in)!;
    const lng = round((w + e) / 2);
    const lat = round((s + n) / 2);
    places[c.name] = await createPlace(ex, { parentId: places[c.in]!, kind: 'compound', name: c.name, sortOrder: i, lng, lat });
    const buildings = c.buildings.map(([floors, households], bi) => ({ kind: 'building', name: `${c.name}${bi + 1}栋`, sortOrder: bi, lng: round(lng + (bi - 1) * 0.0004), lat: round(lat - 0.0003), floors, households, buildingUse: 'residential' }));
    for (const [bi, id] of (await createPlaces(ex, places[c.name]!, buildings)).entries()) places[buildings[bi]!.name] = id;
  }
  orgs['KK100'] = await createOrg(ex, { parentId: orgs['桂园街道'], kind: 'committee', domain: 'office_building', name: '京基100大厦联合党委', placeId: places['桂园街道'], sortOrder: 100 });

  const city = { org: orgs['深圳市委']!, place: places['深圳市']! };
  const accounts: (DemoAccount & { scopes: { kind: 'org' | 'place'; id: string }[] })[] = [
    { username: 'sysadmin', displayName: '系统管理员', role: 'system_admin', scope: '深圳市', scopes: [{ kind: 'org', id: city.org }, { kind: 'place', id: city.place }] },
    { username: 'secadmin', displayName: '安全保密管理员', role: 'security_admin', scope: '深圳市', scopes: [{ kind: 'org', id: city.org }, { kind: 'place', id: city.place }] },
    { username: 'auditor', displayName: '安全审计员', role: 'audit_admin', scope: '深圳市', scopes: [{ kind: 'org', id: city.org }, { kind: 'place', id: city.place }] },
    { username: 'luohu', displayName: '罗湖区组织员', role: 'org_worker', scope: '罗湖区', scopes: [{ kind: 'org', id: orgs['罗湖区委']! }, { kind: 'place', id: places['罗湖区']! }] },
    { username: 'guiyuan', displayName: '桂园街道组织员', role: 'org_worker', scope: '桂园街道', scopes: [{ kind: 'org', id: orgs['桂园街道']! }, { kind: 'place', id: places['桂园街道']! }] },
    { username: 'dongxiao', displayName: '东晓街道组织员', role: 'org_worker', scope: '东晓街道', scopes: [{ kind: 'org', id: orgs['东晓街道']! }, { kind: 'place', id: places['东晓街道']! }] },
    { username: 'kk100', displayName: '京基100联合党委书记', role: 'branch_secretary', scope: '京基100大厦联合党委', scopes: [{ kind: 'org', id: orgs['KK100']! }] },
  ];
  const hash = await hashPassword(DEMO_PASSWORD);
  for (const a of accounts) {
    const row = await ex.insertInto('accounts').values({ username: a.username, display_name: a.displayName, password_hash: hash }).returning('id').executeTakeFirstOrThrow();
    await ex.insertInto('account_roles').values({ account_id: row.id, role_id: roles.get(a.role)! }).execute();
    await ex.insertInto('account_scopes').values(a.scopes.map((s) => ({ account_id: row.id, kind: s.kind, node_id: s.id }))).execute();
  }
  const caseAccounts = await loadCaseDemo(ex, { places, roles, passwordHash: hash });
  return { places, orgs, accounts: [...accounts.map(({ scopes: _s, ...a }) => a), ...caseAccounts] };
}
