import { withCheckDigit } from '../../../modules/members/id-number.js';
import { layout, pointIn, polygon, split, type Box } from './geometry.js';
import { BUILDING_SUFFIX, COMPOUND_SUFFIX, ENTERPRISE_SUFFIX, chineseName, placeName } from './names.js';
import { Rng } from './rng.js';
import type { ScaleSpec } from './specs.js';

// Builds the synthetic city in memory: places and organisations (tens of thousands) as arrays, and
// a member plan per organisation from which members are generated in streamed batches.

export interface GenPlace {
  id: number;
  parentId: number | null;
  kind: string;
  name: string;
  code: string | null;
  box?: Box;
  lng?: number;
  lat?: number;
  floors?: number;
  use?: string;
  households?: number;
}

export interface GenOrg {
  id: number;
  parentId: number | null;
  kind: string;
  domain: string;
  name: string;
  placeId: number | null;
  foundedOn: string;
  termStartedOn: string | null;
  termYears: number | null;
  /** Members this organisation holds directly. */
  members: number;
  /** Places its members live in (compounds) and work at (units), for residence and work links. */
  residence: number[];
  work: number[];
  units: number[];
}

export interface GenMember {
  id: number;
  name: string;
  gender: 'male' | 'female';
  birthDate: string;
  idNumber: string;
  phone: string;
  status: 'probationary' | 'full';
  joinedOn: string;
  fullOn: string | null;
  category: string;
  education: string;
  occupation: string;
  skills: string[];
  orgId: number;
  residencePlaceId: number | null;
  workPlaceId: number | null;
}

export interface City {
  places: GenPlace[];
  orgs: GenOrg[];
  /** Named nodes the demo accounts are attached to. */
  named: { places: Record<string, number>; orgs: Record<string, number> };
  difficulty: { orgNames: string[]; count: number };
}

/** The synthetic city's today: members joined before it, meetings were held before it. */
export const TODAY = '2026-11-01';
const SHENZHEN_BOX: Box = { w: 113.76, s: 22.45, e: 114.62, n: 22.86 };
const MEMBER_KINDS = new Set(['committee', 'working_committee', 'general_branch', 'branch', 'joint_branch', 'temporary_branch']);

export function buildCity(spec: ScaleSpec, seed = 20_261_123): City {
  const rng = new Rng(seed);
  const places: GenPlace[] = [];
  const orgs: GenOrg[] = [];
  const named = { places: {} as Record<string, number>, orgs: {} as Record<string, number> };
  const addPlace = (p: Omit<GenPlace, 'id'>) => {
    const id = places.length + 1;
    places.push({ id, ...p });
    return id;
  };
  const addOrg = (o: Partial<GenOrg> & Pick<GenOrg, 'parentId' | 'kind' | 'domain' | 'name'>) => {
    const id = orgs.length + 1;
    const branchLike = ['branch', 'joint_branch', 'temporary_branch', 'general_branch'].includes(o.kind);
    const termYears = o.kind === 'party_group' ? null : branchLike ? (o.domain === 'community' || o.domain === 'grid' ? 5 : 3) : 5;
    const foundedOn = o.foundedOn ?? rng.date('1995-01-01', '2024-12-31');
    // most terms are current, some end soon, some have run out (branch-health warnings)
    const termStartedOn = termYears ? rng.date(`${2026 - termYears - 1}-01-01`, '2026-06-30') : null;
    orgs.push({ id, placeId: null, members: 0, residence: [], work: [], units: [], foundedOn, termStartedOn, termYears, ...o });
    return id;
  };

  const cityPlace = addPlace({ parentId: null, kind: 'city', name: '深圳市', code: '440300', box: SHENZHEN_BOX });
  const cityOrg = addOrg({ parentId: null, kind: 'committee', domain: 'government', name: '中共深圳市委员会', placeId: cityPlace, foundedOn: '1979-03-05', members: spec.members ? 120 : 0 });
  named.places['深圳市'] = cityPlace;
  named.orgs['深圳市委'] = cityOrg;

  const [dr, dc] = layout(spec.districts.length);
  const districtBoxes = split(spec.name === 'city' ? SHENZHEN_BOX : { w: 114.09, s: 22.53, e: 114.16, n: 22.58 }, dr, dc);
  const streetTargets: { orgId: number; orgTarget?: number; memberTarget?: number; communityOrgs: number[]; firstOrg: number }[] = [];

  spec.districts.forEach((d, di) => {
    const dBox = districtBoxes[di]!;
    const dPlace = addPlace({ parentId: cityPlace, kind: 'district', name: d.name, code: d.code, box: dBox });
    const dOrg = addOrg({ parentId: cityOrg, kind: 'committee', domain: 'government', name: `中共深圳市${d.name}委员会`, placeId: dPlace, members: spec.members ? 80 : 30 });
    named.places[d.name] = dPlace;
    named.orgs[d.name] = dOrg;
    const [sr, sc] = layout(d.streets.length);
    const streetBoxes = split(dBox, sr, sc);
    d.streets.forEach((s, si) => {
      const sBox = streetBoxes[si]!;
      const sCode = `${d.code}${String(si + 1).padStart(3, '0')}`;
      const sPlace = addPlace({ parentId: dPlace, kind: 'street', name: s.name, code: sCode, box: sBox });
      const firstOrg = orgs.length + 1;
      const sOrg = addOrg({ parentId: dOrg, kind: 'working_committee', domain: 'street', name: `中共深圳市${d.name}${s.name}工作委员会`, placeId: sPlace, members: 25 });
      named.places[s.name] = sPlace;
      named.orgs[s.name] = sOrg;
      const communityNames = Array.isArray(s.communities) ? s.communities : Array.from({ length: s.communities }, () => '');
      const used = new Set<string>();
      const [cr, cc] = layout(communityNames.length);
      const communityBoxes = split(sBox, cr, cc);
      const communityOrgs: number[] = [];
      communityNames.forEach((given, ci) => {
        const cName = given || `${placeName(rng, used)}社区`;
        const cBox = communityBoxes[ci]!;
        const cCode = `${sCode}${String(ci + 1).padStart(3, '0')}`;
        const cPlace = addPlace({ parentId: sPlace, kind: 'community', name: cName, code: cCode, box: cBox });
        const cOrg = addOrg({ parentId: sOrg, kind: 'committee', domain: 'community', name: `中共${s.name}${cName}委员会`, placeId: cPlace, members: 15 });
        named.places[`${s.name}/${cName}`] = cPlace;
        named.orgs[`${s.name}/${cName}`] = cOrg;
        communityOrgs.push(cOrg);
        buildCommunity(cPlace, cOrg, cName, cCode, cBox);
      });
      for (let i = 0; i < spec.organsPerStreet; i++) {
        const domain = rng.pick(['government', 'school', 'hospital', 'state_enterprise', 'social_org'] as const);
        const label = { government: `${s.name}机关第${i + 1}党支部`, school: `${s.name}第${i + 1}学校党支部`, hospital: `${s.name}社区健康服务中心党支部`, state_enterprise: `${s.name}国企第${i + 1}党支部`, social_org: `${s.name}社会组织联合党支部${i + 1}` }[domain];
        addOrg({ parentId: sOrg, kind: 'branch', domain, name: label, placeId: sPlace, members: rng.int(15, 45) });
      }
      streetTargets.push({ orgId: sOrg, orgTarget: s.orgTarget, memberTarget: s.memberTarget, communityOrgs, firstOrg });
    });
  });

  function buildCommunity(cPlace: number, cOrg: number, cName: string, cCode: string, cBox: Box) {
    const [gr, gc] = layout(spec.gridsPerCommunity);
    const gridBoxes = split(cBox, gr, gc).slice(0, spec.gridsPerCommunity);
    const grids = gridBoxes.map((box, gi) => addPlace({ parentId: cPlace, kind: 'grid', name: `${cName}第${gi + 1}网格`, code: `${cCode}${String(gi + 1).padStart(3, '0')}`, box }));
    const inGrid = (kind: string, name: string, extra: Partial<GenPlace>) => {
      const gi = rng.int(0, grids.length - 1);
      const [lng, lat] = pointIn(gridBoxes[gi]!, rng.next(), rng.next());
      return addPlace({ parentId: grids[gi]!, kind, name, code: null, lng, lat, ...extra });
    };
    const used = new Set<string>();
    const compounds = Array.from({ length: spec.compoundsPerCommunity }, () => inGrid('compound', `${placeName(rng, used)}${rng.pick(COMPOUND_SUFFIX)}`, { households: rng.int(120, 2400) }));
    const offices = Array.from({ length: spec.officeBuildingsPerCommunity }, () => inGrid('office_building', `${placeName(rng, used)}${rng.pick(BUILDING_SUFFIX)}`, { floors: rng.chance(0.45) ? rng.int(20, 80) : rng.int(6, 19), use: rng.pick(['office', 'commercial', 'mixed']) }));
    const enterprises = Array.from({ length: spec.enterprisesPerCommunity }, () => {
      const name = `深圳市${placeName(rng, used)}${rng.pick(ENTERPRISE_SUFFIX)}`;
      if (offices.length && rng.chance(0.4)) {
        const parent = rng.pick(offices);
        const p = places[parent - 1]!;
        return addPlace({ parentId: parent, kind: 'enterprise', name, code: null, lng: p.lng, lat: p.lat });
      }
      return inGrid('enterprise', name, {});
    });

    const o = spec.orgsPerCommunity;
    const gridBranches: number[] = [];
    for (let i = 0; i < Math.min(o.gridBranches, grids.length); i++) {
      gridBranches.push(addOrg({ parentId: cOrg, kind: 'branch', domain: 'grid', name: `${cName}第${i + 1}网格党支部`, placeId: grids[i]!, members: rng.int(12, 35), residence: compounds }));
    }
    for (const c of compounds) {
      if (!rng.chance(o.compoundShare)) continue;
      const big = rng.chance(0.06);
      addOrg({ parentId: cOrg, kind: 'branch', domain: 'compound', name: `${places[c - 1]!.name}党支部`, placeId: c, members: big ? rng.int(51, 90) : rng.int(8, 40), residence: [c] });
    }
    for (const b of offices) {
      const tall = (places[b - 1]!.floors ?? 0) >= 20;
      if (!tall && rng.chance(0.5)) continue;
      addOrg({ parentId: cOrg, kind: tall && rng.chance(0.3) ? 'general_branch' : 'branch', domain: 'office_building', name: `${places[b - 1]!.name}${tall ? '楼宇' : ''}党支部`, placeId: b, members: rng.int(15, 60), work: [b] });
    }
    const free = [...enterprises];
    for (let i = 0; i < o.enterpriseBranches && free.length; i++) {
      const e = free.splice(rng.int(0, free.length - 1), 1)[0]!;
      addOrg({ parentId: cOrg, kind: 'branch', domain: 'enterprise', name: `${places[e - 1]!.name.replace('深圳市', '')}党支部`, placeId: e, members: rng.int(3, 25), work: [e] });
    }
    for (let i = 0; i < o.jointBranches && free.length; i++) {
      // joint branches cover at most 5 units; a few cover more (a health warning to find)
      const n = Math.min(free.length, rng.chance(0.1) ? 6 : rng.int(2, 5));
      const units = free.splice(0, n);
      addOrg({ parentId: cOrg, kind: 'joint_branch', domain: 'enterprise', name: `${cName}非公企业联合党支部${i + 1}`, placeId: units[0]!, members: rng.int(4, 14), work: units, units });
    }
    for (let i = 0; i < o.partyGroups && gridBranches.length; i++) {
      addOrg({ parentId: gridBranches[i % gridBranches.length]!, kind: 'party_group', domain: 'grid', name: `${cName}楼院党小组${i + 1}`, placeId: null });
    }
  }

  if (spec.articleExtras) addArticleExtras();

  function addArticleExtras() {
    // KK100 (京基100) joint committee in Guiyuan: 20 branches, 239 members.
    const guiyuan = named.orgs['桂园街道'];
    const laowei = named.places['桂园街道/老围社区'];
    if (guiyuan && laowei) {
      const grid = places.find((p) => p.parentId === laowei && p.kind === 'grid')!;
      const kk = addPlace({ parentId: grid.id, kind: 'office_building', name: '京基100大厦', code: null, lng: 114.1043, lat: 22.5416, floors: 100, use: 'office' });
      const kkOrg = addOrg({ parentId: guiyuan, kind: 'committee', domain: 'office_building', name: '京基100大厦联合党委', placeId: kk, members: 0, foundedOn: '2016-07-01' });
      named.orgs['KK100'] = kkOrg;
      const sizes = Array.from({ length: 20 }, (_, i) => 10 + (i % 5)); // 10..14, summing to 240
      sizes[19]! -= 1; // 239 in all
      sizes.forEach((size, i) => {
        const ent = addPlace({ parentId: kk, kind: 'enterprise', name: `京基100入驻企业${i + 1}`, code: null, lng: 114.1043, lat: 22.5416 });
        addOrg({ parentId: kkOrg, kind: 'branch', domain: 'office_building', name: `京基100大厦第${i + 1}党支部`, placeId: ent, members: size, work: [ent] });
      });
    }
    // Dongxiao: 17 urban-renewal projects, each with a temporary branch; a register of 105 members in difficulty.
    const dongxiao = named.orgs['东晓街道'];
    const dxPlace = named.places['东晓街道'];
    if (dongxiao && dxPlace) {
      for (let i = 0; i < 17; i++) addOrg({ parentId: dongxiao, kind: 'temporary_branch', domain: 'renewal_project', name: `东晓街道城市更新项目${i + 1}临时党支部`, placeId: dxPlace, members: rng.int(3, 9) });
    }
  }

  // Fillers bring article streets to their organisation counts; then member targets are spread.
  for (const t of streetTargets) {
    const inStreet = orgs.filter((o) => o.id >= t.firstOrg && isUnder(o.id, t.orgId));
    if (t.orgTarget) {
      let missing = t.orgTarget - inStreet.length;
      let k = 0;
      while (missing-- > 0) {
        const parent = t.communityOrgs[k++ % t.communityOrgs.length]!;
        addOrg({ parentId: parent, kind: 'branch', domain: rng.pick(['social_org', 'enterprise', 'platform_economy', 'hometown_group'] as const), name: `${orgs[parent - 1]!.name.replace(/^中共/, '').replace(/委员会$/, '')}新兴领域党支部${k}`, placeId: orgs[parent - 1]!.placeId, members: 10 });
      }
    }
    if (t.memberTarget) {
      const holders = orgs.filter((o) => isUnder(o.id, t.orgId) && MEMBER_KINDS.has(o.kind) && !o.name.startsWith('京基100'));
      scaleMembers(holders, t.memberTarget);
    }
  }
  if (spec.members) {
    const fixed = orgs.filter((o) => o.name.startsWith('京基100')).reduce((a, o) => a + o.members, 0);
    const holders = orgs.filter((o) => MEMBER_KINDS.has(o.kind) && !o.name.startsWith('京基100') && o.id !== cityOrg);
    scaleMembers(holders, spec.members - fixed - orgs[cityOrg - 1]!.members);
  }

  function isUnder(id: number, ancestor: number): boolean {
    for (let cur: number | null = id; cur !== null; cur = orgs[cur - 1]!.parentId) if (cur === ancestor) return true;
    return false;
  }

  /** Rescales the organisations' member counts so they sum exactly to `total`. */
  function scaleMembers(holders: GenOrg[], total: number) {
    if (holders.length === 0 || total <= 0) return;
    const sum = holders.reduce((a, o) => a + Math.max(o.members, 1), 0);
    let assigned = 0;
    for (const o of holders) {
      o.members = Math.max(1, Math.round((Math.max(o.members, 1) * total) / sum));
      assigned += o.members;
    }
    for (let i = 0; assigned !== total; i = (i + 1) % holders.length) {
      const o = holders[i]!;
      if (assigned < total) {
        o.members++;
        assigned++;
      } else if (o.members > 1) {
        o.members--;
        assigned--;
      }
    }
  }

  return { places, orgs, named, difficulty: { orgNames: ['东晓街道'], count: spec.articleExtras ? 105 : 0 } };
}

const CATEGORY_WEIGHTS = { in_service: 45, retired: 30, non_public: 12, student: 3, mobile: 4, gig: 3, farmer: 1, unemployed: 2 } as const;
// keys of the EDUCATION dictionary (packages/contracts), weighted roughly as the member statistics
const EDUCATION = { doctorate: 1, master: 8, bachelor: 38, associate: 24, vocational: 7, high_school: 12, middle_school_or_below: 10 } as const;
const OCCUPATIONS = ['公务员', '教师', '医生', '工程师', '企业管理人员', '专业技术人员', '快递员', '网约车司机', '社区工作者', '退休人员', '学生', '个体工商户', '律师', '会计', '护士'];
const SKILLS = ['法律咨询', '心理疏导', '医疗健康', '教育辅导', '文艺表演', '书法绘画', '电脑维修', '摄影', '外语翻译', '急救', '家电维修', '理发', '财务', '驾驶', '烹饪'];

/** Members of every organisation, generated in batches in organisation order (deterministic). */
export function* generateMembers(city: City, seed = 20_261_123, batch = 5000): Generator<GenMember[]> {
  const rng = new Rng(seed ^ 0x5eed);
  const usedIds = new Map<string, number>();
  const areaOf = (org: GenOrg): string => {
    let placeId = org.placeId;
    while (placeId !== null) {
      const p = city.places[placeId - 1]!;
      if (p.kind === 'district') return p.code!;
      placeId = p.parentId;
    }
    return '440303';
  };
  let out: GenMember[] = [];
  let id = 0;
  for (const org of city.orgs) {
    if (!org.members) continue;
    const area = areaOf(org);
    for (let i = 0; i < org.members; i++) {
      const gender = rng.chance(0.7) ? 'male' : 'female';
      const category = org.domain === 'enterprise' || org.domain === 'office_building' ? (rng.chance(0.85) ? 'non_public' : 'in_service') : rng.weighted(CATEGORY_WEIGHTS);
      const birthFrom = category === 'retired' ? '1935-01-01' : category === 'student' ? '2000-01-01' : '1960-01-01';
      const birthTo = category === 'retired' ? '1966-12-31' : category === 'student' ? '2006-12-31' : '2002-12-31';
      const birthDate = rng.date(birthFrom, birthTo);
      const key = area + birthDate.replace(/-/g, '');
      // the sequence code: odd for men, even for women, never reused for one area and day
      let seq = usedIds.get(key) ?? rng.int(0, 40) * 2;
      seq += (seq % 2 === 1) === (gender === 'male') ? 2 : 1;
      usedIds.set(key, seq);
      const idNumber = withCheckDigit(`${key}${String(seq % 1000).padStart(3, '0')}`);
      const at18 = `${Number(birthDate.slice(0, 4)) + 18}${birthDate.slice(4)}`;
      const joinFrom = at18 > '2024-06-30' ? '2024-06-30' : at18;
      const probationary = rng.chance(0.03);
      const joinedOn = probationary ? rng.date('2025-12-01', TODAY) : rng.date(joinFrom < '1955-01-01' ? '1955-01-01' : joinFrom, '2024-06-30');
      const fullOn = probationary ? null : addYear(joinedOn);
      const residence = org.residence.length ? rng.pick(org.residence) : null;
      const work = org.work.length ? rng.pick(org.work) : null;
      out.push({
        id: ++id,
        name: chineseName(rng, gender),
        gender,
        birthDate,
        idNumber,
        phone: `1${rng.pick(['3', '5', '7', '8', '9'])}${String(rng.int(0, 999_999_999)).padStart(9, '0')}`,
        status: probationary ? 'probationary' : 'full',
        joinedOn,
        fullOn,
        category,
        education: rng.weighted(EDUCATION),
        occupation: category === 'retired' ? '退休人员' : category === 'student' ? '学生' : rng.pick(OCCUPATIONS),
        skills: rng.chance(0.4) ? [rng.pick(SKILLS)] : [],
        orgId: org.id,
        residencePlaceId: residence,
        workPlaceId: category === 'in_service' || category === 'non_public' ? work : null,
      });
      if (out.length >= batch) {
        yield out;
        out = [];
      }
    }
  }
  if (out.length) yield out;
}

function addYear(day: string): string {
  const y = Number(day.slice(0, 4)) + 1;
  return day.slice(5) === '02-29' ? `${y}-02-28` : `${y}${day.slice(4)}`;
}
