import type { BuiltinRoleKey, CasePriority, DepartmentKind } from '@tongxin/contracts';
import type { Executor } from '../../db/database.js';

// Demo data for cases (issue 4): the categories, the departments of Guiyuan and Dongxiao streets
// (城管, 应急, 公安, 消防) and two district bureaus, the routing table, and the people of the
// Shuangshan story: a grid worker, a community, a street command centre, a supervision centre and
// four department handlers. Called at the end of loadDemoCity with its places, roles and password hash.

export interface CaseDemoAccount {
  username: string;
  displayName: string;
  role: BuiltinRoleKey;
  scope: string;
}

const CATEGORIES: { code: string; zh: string; en: string; group: string; priority: CasePriority; anonymous: boolean; hours?: Partial<Record<CasePriority, number>> }[] = [
  { code: 'sanitation', zh: '环境卫生（垃圾、楼道堆物、小广告）', en: 'Sanitation (garbage, hallway clutter, small ads)', group: '市容环境', priority: 'general', anonymous: true },
  { code: 'fire_passage', zh: '消防通道堵塞', en: 'Blocked fire passage', group: '公共安全', priority: 'general', anonymous: true, hours: { general: 4 } },
  { code: 'public_safety', zh: '治安隐患', en: 'Public safety hazard', group: '公共安全', priority: 'general', anonymous: true },
  { code: 'utilities', zh: '水电气热故障', en: 'Water, power, gas or heating failure', group: '城市运行', priority: 'urgent', anonymous: true },
  { code: 'extreme_weather', zh: '极端天气险情', en: 'Extreme weather hazard', group: '城市运行', priority: 'urgent', anonymous: true },
  { code: 'emergency', zh: '突发事件', en: 'Emergency incident', group: '公共安全', priority: 'emergency', anonymous: false },
  { code: 'illegal_building', zh: '违法建设', en: 'Illegal construction', group: '市容环境', priority: 'complex', anonymous: false },
  { code: 'neighbour_dispute', zh: '邻里纠纷', en: 'Neighbour dispute', group: '矛盾调解', priority: 'general', anonymous: false },
];

const STREET_DEPARTMENTS: { key: string; kind: DepartmentKind; name: (street: string) => string }[] = [
  { key: 'cg', kind: 'city_management', name: (s) => `${s}城管执法队` },
  { key: 'yj', kind: 'emergency', name: (s) => `${s}应急管理办公室` },
  { key: 'ga', kind: 'police', name: (s) => `${s.replace(/街道$/, '')}派出所` },
  { key: 'xf', kind: 'fire', name: (s) => `${s.replace(/街道$/, '')}消防救援站` },
];

/** category → department keys, for every street */
const STREET_ROUTES: Record<string, string[]> = {
  sanitation: ['cg', 'yj'],
  fire_passage: ['xf', 'cg'],
  public_safety: ['ga'],
  emergency: ['yj', 'ga', 'xf'],
  extreme_weather: ['yj'],
  neighbour_dispute: ['ga'],
};

export async function loadCaseDemo(ex: Executor, city: { places: Record<string, string>; roles: Map<BuiltinRoleKey, string>; passwordHash: string }): Promise<CaseDemoAccount[]> {
  const { places } = city;
  const categories = new Map<string, string>();
  for (const [i, c] of CATEGORIES.entries()) {
    const row = await ex
      .insertInto('case_categories')
      .values({ code: c.code, name_zh: c.zh, name_en: c.en, group_name: c.group, default_priority: c.priority, anonymous_allowed: c.anonymous, deadline_hours: JSON.stringify(c.hours ?? {}), sort_order: i })
      .returning('id')
      .executeTakeFirstOrThrow();
    categories.set(c.code, String(row.id));
  }

  const departments: Record<string, string> = {};
  const streets = [
    { name: '桂园街道', prefix: 'GY' },
    { name: '东晓街道', prefix: 'DX' },
  ];
  for (const s of streets) {
    const rows = await ex
      .insertInto('departments')
      .values(STREET_DEPARTMENTS.map((d) => ({ code: `${s.prefix}-${d.key.toUpperCase()}`, name: d.name(s.name), kind: d.kind, place_id: places[s.name]! })))
      .returning(['id', 'code'])
      .execute();
    for (const r of rows) departments[r.code!] = String(r.id);
  }
  const district = await ex
    .insertInto('departments')
    .values([
      { code: 'LH-SW', name: '罗湖区水务局', kind: 'water', place_id: places['罗湖区']! },
      { code: 'LH-ZJ', name: '罗湖区住房和建设局', kind: 'housing', place_id: places['罗湖区']! },
    ])
    .returning(['id', 'code'])
    .execute();
  for (const r of district) departments[r.code!] = String(r.id);

  const routes: { place_id: string; category_id: string; department_ids: string[] }[] = [
    { place_id: places['罗湖区']!, category_id: categories.get('utilities')!, department_ids: [departments['LH-SW']!] },
    { place_id: places['罗湖区']!, category_id: categories.get('illegal_building')!, department_ids: [departments['LH-ZJ']!] },
  ];
  for (const s of streets) {
    for (const [category, keys] of Object.entries(STREET_ROUTES)) {
      routes.push({ place_id: places[s.name]!, category_id: categories.get(category)!, department_ids: keys.map((k) => departments[`${s.prefix}-${k.toUpperCase()}`]!) });
    }
  }
  // 老围社区: hallway clutter blocks the fire passages too (the Shuangshan pattern): all four departments
  routes.push({ place_id: places['老围社区']!, category_id: categories.get('sanitation')!, department_ids: ['CG', 'YJ', 'GA', 'XF'].map((k) => departments[`GY-${k}`]!) });
  await ex.insertInto('case_routes').values(routes).execute();

  const accounts: (CaseDemoAccount & { place: string; department?: string })[] = [
    { username: 'gy_grid', displayName: '老围第1网格网格员', role: 'grid_worker', scope: '老围第1网格', place: '老围第1网格' },
    { username: 'lw_community', displayName: '老围社区党群服务中心', role: 'command_centre', scope: '老围社区', place: '老围社区' },
    { username: 'gy_command', displayName: '桂园街道指挥中心', role: 'command_centre', scope: '桂园街道', place: '桂园街道' },
    { username: 'gy_supervise', displayName: '桂园街道监督中心', role: 'supervision_centre', scope: '桂园街道', place: '桂园街道' },
    { username: 'dx_command', displayName: '东晓街道指挥中心', role: 'command_centre', scope: '东晓街道', place: '东晓街道' },
    { username: 'dept_cg', displayName: '桂园街道城管执法队', role: 'department_handler', scope: '桂园街道', place: '桂园街道', department: 'GY-CG' },
    { username: 'dept_yj', displayName: '桂园街道应急管理办公室', role: 'department_handler', scope: '桂园街道', place: '桂园街道', department: 'GY-YJ' },
    { username: 'dept_ga', displayName: '桂园派出所', role: 'department_handler', scope: '桂园街道', place: '桂园街道', department: 'GY-GA' },
    { username: 'dept_xf', displayName: '桂园消防救援站', role: 'department_handler', scope: '桂园街道', place: '桂园街道', department: 'GY-XF' },
  ];
  for (const a of accounts) {
    const row = await ex.insertInto('accounts').values({ username: a.username, display_name: a.displayName, password_hash: city.passwordHash }).returning('id').executeTakeFirstOrThrow();
    await ex.insertInto('account_roles').values({ account_id: row.id, role_id: city.roles.get(a.role)! }).execute();
    await ex.insertInto('account_scopes').values({ account_id: row.id, kind: 'place', node_id: places[a.place]! }).execute();
    if (a.department) await ex.insertInto('department_staff').values({ department_id: departments[a.department]!, account_id: row.id }).execute();
  }
  return accounts.map(({ username, displayName, role, scope }) => ({ username, displayName, role, scope }));
}
