import { describe, expect, it } from 'vitest';
import { AppError } from '../../platform/errors.js';
import { checkCode, codePrefixFor, kindFromCode, parentCodeFromCode, readingOrder } from './places.codes.js';
import { bboxOf, checkArea, describeProblem, GeometryProblem, outsideShare } from './places.geometry.js';
import { assertKindAllowed, childKinds, kindAllowed, PLACE_KIND_KEYS, PLACE_RULES } from './places.rules.js';

const errorOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e as AppError;
  }
  throw new Error('expected an error');
};
const problemOf = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return e as GeometryProblem;
  }
  throw new Error('expected a problem');
};
const square = (w: number, s: number, size: number) => [[w, s], [w + size, s], [w + size, s + size], [w, s + size], [w, s]];

describe('kind rules', () => {
  it('builds the tree city → district → street → community → grid with located places below', () => {
    expect(childKinds('city')).toEqual(['district']);
    expect(childKinds('district')).toEqual(['street']);
    expect(childKinds('street')).toEqual(['community']);
    expect(childKinds('community').sort()).toEqual(['compound', 'enterprise', 'grid', 'office_building']);
    expect(childKinds('grid').sort()).toEqual(['compound', 'enterprise', 'office_building']);
    expect(childKinds('compound')).toEqual(['building']);
    expect(childKinds('office_building')).toEqual(['enterprise']);
    expect(childKinds('building')).toEqual([]);
    expect(kindAllowed(null, 'city')).toBe(true);
    expect(kindAllowed(null, 'grid')).toBe(false);
  });

  it('every parent ranks above its children, so an import can create parents first', () => {
    for (const kind of PLACE_KIND_KEYS) {
      for (const parent of PLACE_RULES.kinds[kind].parents) expect(PLACE_RULES.kinds[parent].rank, `${parent} > ${kind}`).toBeLessThan(PLACE_RULES.kinds[kind].rank);
    }
  });

  it('names both kinds in the refusal, in the caller’s language', () => {
    const zh = errorOf(() => assertKindAllowed('compound', 'enterprise', 'zh-CN'));
    expect(zh).toMatchObject({ code: 'PLACE_KIND_NOT_ALLOWED', params: { parentKind: '小区', kind: '企业' } });
    const en = errorOf(() => assertKindAllowed('street', 'grid', 'en'));
    expect(en.params).toMatchObject({ parentKind: 'street', kind: 'grid', rule: `place_rules@${PLACE_RULES.version}` });
  });
});

describe('code rules', () => {
  it('takes a district’s prefix from the significant digits of its GB/T 2260 city code', () => {
    expect(codePrefixFor('city', '440300')).toBe('4403');
    expect(codePrefixFor('district', '440303')).toBe('440303');
    expect(checkCode('district', '440303', { kind: 'city', code: '440300' }, 'zh-CN')).toBe('440303');
    expect(errorOf(() => checkCode('district', '440103', { kind: 'city', code: '440300' }, 'zh-CN')).code).toBe('PLACE_CODE_PREFIX');
  });

  it('checks length and prefix at every level', () => {
    expect(checkCode('street', '440303001', { kind: 'district', code: '440303' }, 'zh-CN')).toBe('440303001');
    expect(checkCode('grid', ' 440303001001001 ', { kind: 'community', code: '440303001001' }, 'zh-CN')).toBe('440303001001001');
    expect(errorOf(() => checkCode('grid', '44030300100101', { kind: 'community', code: '440303001001' }, 'zh-CN')).params).toMatchObject({ length: 15 });
    expect(errorOf(() => checkCode('grid', '44030300100100A', { kind: 'community', code: '440303001001' }, 'zh-CN')).code).toBe('PLACE_CODE_FORMAT');
    expect(errorOf(() => checkCode('community', '440303002001', { kind: 'street', code: '440303001' }, 'zh-CN')).code).toBe('PLACE_CODE_PREFIX');
    expect(errorOf(() => checkCode('street', null, { kind: 'district', code: '440303' }, 'en')).params).toEqual({ kind: 'street' });
    expect(checkCode('enterprise', '91440300MA5XXXXX0X', { kind: 'grid', code: '440303001001001' }, 'zh-CN')).toBe('91440300MA5XXXXX0X');
    expect(checkCode('compound', '', null, 'zh-CN')).toBeNull();
    expect(errorOf(() => checkCode('compound', '一号院', null, 'zh-CN')).code).toBe('PLACE_CODE_CHARS');
  });

  it('reads the kind and the parent code from a structured code', () => {
    expect(kindFromCode('440300')).toBe('city');
    expect(kindFromCode('440303')).toBe('district');
    expect(kindFromCode('440303001')).toBe('street');
    expect(kindFromCode('440303001001')).toBe('community');
    expect(kindFromCode('440303001001001')).toBe('grid');
    expect(kindFromCode('4403030')).toBeNull();
    expect(parentCodeFromCode('grid', '440303001001001')).toBe('440303001001');
    expect(parentCodeFromCode('district', '440303')).toBe('440300');
    expect(parentCodeFromCode('compound', 'X1')).toBeNull();
  });

  it('numbers grids row by row from the north, west to east within a row', () => {
    // a 3 × 2 tiling, slightly uneven, given in scrambled order
    const cells = [
      { id: 'SE', bbox: [2, 0, 3, 1.02] },
      { id: 'NW', bbox: [0, 1, 1, 2] },
      { id: 'SW', bbox: [0, 0, 1, 0.98] },
      { id: 'NE', bbox: [2, 1.02, 3, 2] },
      { id: 'SM', bbox: [1, 0, 2, 1] },
      { id: 'NM', bbox: [1, 1, 2, 2.05] },
    ];
    expect(readingOrder(cells).map((c) => c.id)).toEqual(['NW', 'NM', 'NE', 'SW', 'SM', 'SE']);
  });
});

describe('boundary checks', () => {
  it('accepts a closed polygon with a hole inside and a multipolygon, returning 2-D positions and the box', async () => {
    const ok = await checkArea({ type: 'Polygon', coordinates: [square(0, 0, 3).map(([x, y]) => [x, y, 12]), square(1, 1, 1)] });
    expect(ok.bbox).toEqual([0, 0, 3, 3]);
    expect(ok.geometry.coordinates[0]![0]).toEqual([0, 0]);
    const multi = await checkArea({ type: 'MultiPolygon', coordinates: [[square(0, 0, 1)], [square(5, 5, 1)]] });
    expect(multi.bbox).toEqual([0, 0, 6, 6]);
    expect(bboxOf(multi.geometry)).toEqual([0, 0, 6, 6]);
  });

  it('names what is wrong', async () => {
    const cases: [unknown, string, string][] = [
      [null, 'missing', '缺少图形'],
      [{ type: 'LineString', coordinates: [[0, 0], [1, 1]] }, 'type', '类型须为 Polygon / MultiPolygon，收到 LineString'],
      [{ type: 'Polygon', coordinates: [] }, 'shape', '坐标结构不正确（coordinates）'],
      [{ type: 'Polygon', coordinates: [[[0, 0], [1, 'x'], [1, 1], [0, 0]]] }, 'position', 'coordinates[0][1] 不是 [经度, 纬度] 数值对'],
      [{ type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 91], [0, 0]]] }, 'range', 'coordinates[0][2] 超出范围（经度 −180～180，纬度 −90～90）'],
      [{ type: 'Polygon', coordinates: [[[0, 0], [1, 0], [0, 0]]] }, 'ring_too_short', '外环只有 3 个坐标，至少需要 4 个'],
      [{ type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 1]]] }, 'ring_not_closed', '外环未闭合（首尾坐标不一致）'],
      [{ type: 'Polygon', coordinates: [[[0, 0], [2, 2], [2, 0], [0, 2], [0, 0]]] }, 'self_intersection', '边界自相交（约在 1, 1）'],
      [{ type: 'Polygon', coordinates: [[[0, 0], [1, 0], [2, 0], [0, 0]]] }, 'zero_area', '外环面积为零'],
      [{ type: 'Polygon', coordinates: [square(0, 0, 2), square(5, 5, 1)] }, 'hole_outside', '第 1 个内环不在外环之内'],
      [{ type: 'MultiPolygon', coordinates: [[square(0, 0, 1)], [[[3, 3], [4, 3], [4, 4], [3, 4]]]] }, 'ring_not_closed', '第 2 个多边形的外环未闭合（首尾坐标不一致）'],
    ];
    for (const [geometry, reason, words] of cases) {
      const p = await problemOf(checkArea(geometry));
      expect(p, reason).toBeInstanceOf(GeometryProblem);
      expect(p.reason).toBe(reason);
      expect(describeProblem(p, 'zh-CN')).toBe(words);
    }
  });

  it('measures the share of a child outside its parent, tolerating shared edges', async () => {
    const parent = { type: 'Polygon' as const, coordinates: [square(0, 0, 2)] };
    expect(await outsideShare({ type: 'Polygon', coordinates: [square(0, 0, 1)] }, parent)).toBe(0);
    expect(await outsideShare({ type: 'Polygon', coordinates: [square(1, 0, 2)] }, parent)).toBeCloseTo(0.5, 2);
    expect(await outsideShare({ type: 'Polygon', coordinates: [square(5, 5, 1)] }, parent)).toBeCloseTo(1, 5);
  });
});
