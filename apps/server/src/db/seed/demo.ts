import type { BuiltinRoleKey } from '@tongxin/contracts';
import type { Executor } from '../database.js';
import { hashPassword } from '../../platform/passwords.js';
import { createPlace } from '../../modules/places/places.service.js';
import { createOrg } from '../../modules/orgs/orgs.service.js';
import { ensureBuiltinRoles } from './roles.js';

// The demo city of the source articles: Shenzhen → Luohu → Guiyuan and Dongxiao streets.
// Community names come from ../shared/seeds (老围、新围 in Guiyuan; 东晓、绿景、松泉、马山、独树 in Dongxiao).
export const DEMO_PASSWORD = 'Tongxin@2026';

const STREETS = [
  { name: '桂园街道', code: '440303001', communities: ['老围社区', '新围社区', '松园社区', '桂木园社区', '宝安社区', '红围社区'] },
  { name: '东晓街道', code: '440303008', communities: ['东晓社区', '绿景社区', '松泉社区', '马山社区', '独树社区', '兰花社区'] },
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
  places['罗湖区'] = await createPlace(ex, { parentId: places['深圳市'], kind: 'district', name: '罗湖区', code: '440303' });
  orgs['深圳市委'] = await createOrg(ex, { parentId: null, kind: 'committee', domain: 'government', name: '中共深圳市委员会', placeId: places['深圳市'] });
  orgs['罗湖区委'] = await createOrg(ex, { parentId: orgs['深圳市委'], kind: 'committee', domain: 'government', name: '中共深圳市罗湖区委员会', placeId: places['罗湖区'] });

  for (const [si, street] of STREETS.entries()) {
    const streetId = await createPlace(ex, { parentId: places['罗湖区'], kind: 'street', name: street.name, code: street.code, sortOrder: si });
    places[street.name] = streetId;
    const streetOrg = await createOrg(ex, { parentId: orgs['罗湖区委'], kind: 'working_committee', domain: 'street', name: `中共深圳市罗湖区${street.name}工作委员会`, placeId: streetId, sortOrder: si });
    orgs[street.name] = streetOrg;
    for (const [ci, community] of street.communities.entries()) {
      const code = `${street.code}${String(ci + 1).padStart(3, '0')}`;
      const communityId = await createPlace(ex, { parentId: streetId, kind: 'community', name: community, code, sortOrder: ci });
      places[community] = communityId;
      orgs[community] = await createOrg(ex, { parentId: streetOrg, kind: 'committee', domain: 'community', name: `中共${street.name}${community}委员会`, placeId: communityId, sortOrder: ci });
    }
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
  return { places, orgs, accounts: accounts.map(({ scopes: _s, ...a }) => a) };
}
