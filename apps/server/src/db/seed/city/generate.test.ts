import { describe, expect, it } from 'vitest';
import { buildCity, generateMembers } from './generate.js';
import { SCALES } from './specs.js';
import { parseIdNumber } from '../../../modules/members/id-number.js';

// The synthetic city is deterministic and matches the figures of the source articles.
describe('synthetic city', () => {
  const city = buildCity(SCALES.demo);
  const byName = new Map(city.orgs.map((o) => [o.name, o]));
  const under = (ancestor: number) => city.orgs.filter((o) => {
    for (let cur: number | null = o.id; cur !== null; cur = city.orgs[cur - 1]!.parentId) if (cur === ancestor) return true;
    return false;
  });

  it('gives Guiyuan 266 organisations and 4,231 members, with the KK100 joint committee of 20 branches and 239 members', () => {
    const guiyuan = under(city.named.orgs['桂园街道']!);
    expect(guiyuan).toHaveLength(266);
    expect(guiyuan.reduce((a, o) => a + o.members, 0)).toBe(4231);
    const kk = byName.get('京基100大厦联合党委')!;
    const kkTree = under(kk.id);
    expect(kkTree.filter((o) => o.kind === 'branch')).toHaveLength(20);
    expect(kkTree.reduce((a, o) => a + o.members, 0)).toBe(239);
  });

  it('gives Dongxiao 17 urban-renewal temporary branches', () => {
    const dx = under(city.named.orgs['东晓街道']!);
    expect(dx.filter((o) => o.kind === 'temporary_branch' && o.domain === 'renewal_project')).toHaveLength(17);
  });

  it('is the same city for the same seed, and tiles grids with 15-digit codes', () => {
    const again = buildCity(SCALES.demo);
    expect(again.orgs.map((o) => o.name)).toEqual(city.orgs.map((o) => o.name));
    const grids = city.places.filter((p) => p.kind === 'grid');
    expect(grids.length).toBeGreaterThan(50);
    for (const g of grids) {
      expect(g.code).toMatch(/^\d{15}$/);
      expect(g.code!.startsWith(city.places[g.parentId! - 1]!.code!)).toBe(true);
    }
  });

  it('generates members with valid, unique ID numbers matching their birth date and gender', () => {
    const seen = new Set<string>();
    let n = 0;
    for (const batch of generateMembers(city)) {
      for (const m of batch) {
        const parsed = parseIdNumber(m.idNumber, '2026-12-31');
        expect(parsed.ok, m.idNumber).toBe(true);
        if (parsed.ok) expect([parsed.id.birthDate, parsed.id.gender]).toEqual([m.birthDate, m.gender]);
        expect(seen.has(m.idNumber)).toBe(false);
        seen.add(m.idNumber);
        n++;
      }
    }
    expect(n).toBe(city.orgs.reduce((a, o) => a + o.members, 0));
  });

  it('plans the city scale at the size of Shenzhen', () => {
    const big = buildCity(SCALES.city);
    const count = (kind: string) => big.places.filter((p) => p.kind === kind).length;
    expect(count('district')).toBe(10);
    expect(count('street')).toBe(74);
    expect(count('community')).toBeGreaterThan(650);
    expect(count('grid')).toBeGreaterThan(19_000);
    expect(count('compound')).toBeGreaterThan(9_500);
    expect(big.orgs.length).toBeGreaterThan(28_000);
    expect(big.orgs.length).toBeLessThan(30_500);
    expect(big.orgs.reduce((a, o) => a + o.members, 0)).toBe(500_000);
  });
});
