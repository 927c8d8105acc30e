import { describe, expect, it } from 'vitest';
import { checkDigit, normalizeIdNumber, parseIdNumber, withCheckDigit } from './id-number.js';

const TODAY = '2026-05-01';

describe('ID numbers (GB 11643-1999)', () => {
  it('computes the ISO 7064 MOD 11-2 check character, X included', () => {
    // the standard's own example
    expect(checkDigit('11010519491231002')).toBe('X');
    expect(withCheckDigit('44030319850612001')).toMatch(/^44030319850612001[\dX]$/);
    for (let i = 0; i < 200; i++) {
      const id = withCheckDigit(`440303198506${String(10 + (i % 18)).padStart(2, '0')}${String(i).padStart(3, '0')}`);
      expect(parseIdNumber(id, TODAY)).toMatchObject({ ok: true });
    }
  });

  it('derives birth date and gender (odd sequence = male)', () => {
    expect(parseIdNumber('11010519491231002X', TODAY)).toEqual({ ok: true, id: { value: '11010519491231002X', birthDate: '1949-12-31', gender: 'female' } });
    const male = withCheckDigit('44030419900101123');
    expect(parseIdNumber(male, TODAY)).toMatchObject({ ok: true, id: { gender: 'male', birthDate: '1990-01-01' } });
  });

  it('accepts a lower-case x and full-width digits', () => {
    expect(normalizeIdNumber(' １１０１０５１９４９１２３１００２x ')).toBe('11010519491231002X');
    expect(parseIdNumber('11010519491231002x', TODAY)).toMatchObject({ ok: true });
  });

  it('names the problem: format, area, birth date, check character', () => {
    expect(parseIdNumber('110105194912310', TODAY)).toEqual({ ok: false, problem: 'format' });
    expect(parseIdNumber('1101051949123100XX', TODAY)).toEqual({ ok: false, problem: 'format' });
    expect(parseIdNumber(withCheckDigit('99010519491231002'), TODAY)).toEqual({ ok: false, problem: 'area' });
    expect(parseIdNumber(withCheckDigit('11000019491231002'), TODAY)).toEqual({ ok: false, problem: 'area' });
    expect(parseIdNumber(withCheckDigit('81000019850612001'), TODAY)).toMatchObject({ ok: true });
    expect(parseIdNumber(withCheckDigit('11010519490230002'), TODAY)).toEqual({ ok: false, problem: 'birth' });
    expect(parseIdNumber(withCheckDigit('11010518991231002'), TODAY)).toEqual({ ok: false, problem: 'birth' });
    expect(parseIdNumber(withCheckDigit('11010520260502002'), TODAY)).toEqual({ ok: false, problem: 'birth' });
    expect(parseIdNumber('110105194912310021', TODAY)).toEqual({ ok: false, problem: 'check' });
  });
});
