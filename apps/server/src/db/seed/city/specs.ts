// The three scales of the synthetic city. `demo` follows the source articles; `city` is Shenzhen at
// full size (10 districts, 74 streets, ~670 communities, ~20,000 grids, ~29,000 organisations,
// 500,000 members); `street` is one street in full detail.

export interface StreetSpec {
  name: string;
  communities: string[] | number;
  /** Organisations the street should end up with (fillers are added to reach it). */
  orgTarget?: number;
  /** Members of the street's organisations, excluding fixed extras like the KK100 committee. */
  memberTarget?: number;
}

export interface DistrictSpec {
  name: string;
  code: string;
  streets: StreetSpec[];
}

export interface ScaleSpec {
  name: 'demo' | 'street' | 'city';
  districts: DistrictSpec[];
  gridsPerCommunity: number;
  compoundsPerCommunity: number;
  officeBuildingsPerCommunity: number;
  enterprisesPerCommunity: number;
  /** Members spread over organisations that have no street target (city scale). */
  members: number;
  /** Organisations per community by type (before fillers). */
  orgsPerCommunity: { gridBranches: number; compoundShare: number; enterpriseBranches: number; jointBranches: number; partyGroups: number };
  organsPerStreet: number;
  /** The articles' special cases: KK100 joint committee, Dongxiao renewal projects, the difficulty register. */
  articleExtras: boolean;
}

const GUIYUAN = ['老围社区', '新围社区', '松园社区', '桂木园社区', '宝安社区', '红围社区'];
const DONGXIAO = ['东晓社区', '绿景社区', '松泉社区', '马山社区', '独树社区', '兰花社区', '木棉岭社区', '草埔社区'];

const SHENZHEN: [string, string, string[]][] = [
  ['罗湖区', '440303', ['桂园街道', '黄贝街道', '东门街道', '翠竹街道', '南湖街道', '笋岗街道', '东湖街道', '莲塘街道', '东晓街道', '清水河街道']],
  ['福田区', '440304', ['园岭街道', '南园街道', '福田街道', '沙头街道', '香蜜湖街道', '梅林街道', '莲花街道', '华富街道', '福保街道', '华强北街道']],
  ['南山区', '440305', ['南头街道', '南山街道', '沙河街道', '蛇口街道', '招商街道', '粤海街道', '桃源街道', '西丽街道']],
  ['宝安区', '440306', ['新安街道', '西乡街道', '航城街道', '福永街道', '福海街道', '沙井街道', '新桥街道', '松岗街道', '燕罗街道', '石岩街道']],
  ['龙岗区', '440307', ['平湖街道', '布吉街道', '吉华街道', '坂田街道', '南湾街道', '横岗街道', '园山街道', '龙城街道', '龙岗街道', '宝龙街道', '坪地街道']],
  ['盐田区', '440308', ['梅沙街道', '盐田街道', '沙头角街道', '海山街道']],
  ['龙华区', '440309', ['观湖街道', '民治街道', '龙华街道', '大浪街道', '福城街道', '观澜街道']],
  ['坪山区', '440310', ['坪山街道', '马峦街道', '碧岭街道', '石井街道', '坑梓街道', '龙田街道']],
  ['光明区', '440311', ['光明街道', '公明街道', '新湖街道', '凤凰街道', '玉塘街道', '马田街道']],
  ['大鹏新区', '440312', ['大鹏街道', '南澳街道', '葵涌街道']],
];

export const SCALES: Record<ScaleSpec['name'], ScaleSpec> = {
  demo: {
    name: 'demo',
    districts: [{ name: '罗湖区', code: '440303', streets: [
      { name: '桂园街道', communities: GUIYUAN, orgTarget: 266, memberTarget: 4231 - 239 },
      { name: '东晓街道', communities: DONGXIAO, orgTarget: 180, memberTarget: 2900 },
    ] }],
    gridsPerCommunity: 6,
    compoundsPerCommunity: 5,
    officeBuildingsPerCommunity: 3,
    enterprisesPerCommunity: 12,
    members: 0,
    orgsPerCommunity: { gridBranches: 4, compoundShare: 0.8, enterpriseBranches: 6, jointBranches: 2, partyGroups: 4 },
    organsPerStreet: 8,
    articleExtras: true,
  },
  street: {
    name: 'street',
    districts: [{ name: '罗湖区', code: '440303', streets: [{ name: '桂园街道', communities: GUIYUAN, orgTarget: 266, memberTarget: 4231 - 239 }] }],
    gridsPerCommunity: 16,
    compoundsPerCommunity: 8,
    officeBuildingsPerCommunity: 7,
    enterprisesPerCommunity: 20,
    members: 0,
    orgsPerCommunity: { gridBranches: 6, compoundShare: 0.8, enterpriseBranches: 8, jointBranches: 2, partyGroups: 6 },
    organsPerStreet: 10,
    articleExtras: true,
  },
  city: {
    name: 'city',
    // 670 communities over 74 streets: 9 each, one more for the first 4 streets
    districts: SHENZHEN.map(([name, code, streets], di) => ({
      name,
      code,
      streets: streets.map((s, si) => ({ name: s, communities: s === '桂园街道' ? GUIYUAN : s === '东晓街道' ? DONGXIAO.slice(0, 9) : di === 0 && si < 4 ? 10 : 9 })),
    })),
    gridsPerCommunity: 30,
    compoundsPerCommunity: 15,
    officeBuildingsPerCommunity: 2,
    enterprisesPerCommunity: 18,
    members: 500_000,
    orgsPerCommunity: { gridBranches: 10, compoundShare: 0.8, enterpriseBranches: 10, jointBranches: 2, partyGroups: 5 },
    organsPerStreet: 14,
    articleExtras: true,
  },
};
