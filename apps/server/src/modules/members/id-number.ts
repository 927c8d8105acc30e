// Resident ID numbers (GB 11643-1999): 6-digit area code, birth date YYYYMMDD, 3-digit sequence
// (odd = male), check character by ISO 7064 MOD 11-2.

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = '10X98765432';

// Province-level prefixes of GB/T 2260, plus 81/82/83 used by residence permits of Hong Kong, Macao
// and Taiwan residents (whose area code is 810000/820000/830000).
const PROVINCES = new Set([11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83]);
const PERMIT_PREFIXES = new Set([81, 82, 83]);

export type IdNumberProblem = 'format' | 'area' | 'birth' | 'check';

export const ID_PROBLEM_TEXT: Record<IdNumberProblem, { zh: string; en: string }> = {
  format: { zh: '应为 18 位，前 17 位为数字，末位为数字或 X', en: 'must be 18 characters: 17 digits then a digit or X' },
  area: { zh: '地区码不存在', en: 'the area code does not exist' },
  birth: { zh: '出生日期无效', en: 'the birth date inside it is invalid' },
  check: { zh: '校验位错误', en: 'wrong check digit' },
};

export interface ParsedIdNumber {
  value: string;
  birthDate: string;
  gender: 'male' | 'female';
}

export function checkDigit(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK_CHARS[sum % 11]!;
}

/** The 17 leading digits with their check character appended (used by tests and fixtures). */
export function withCheckDigit(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new Error('withCheckDigit needs 17 digits');
  return first17 + checkDigit(first17);
}

/** Full-width digits and a lower-case x are common in typed and pasted numbers. */
export function normalizeIdNumber(raw: string): string {
  return raw.normalize('NFKC').replace(/\s+/g, '').toUpperCase();
}

function validDate(y: number, m: number, d: number): boolean {
  const dt = new Date(Date.UTC(y, m - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
}

/** Parses and checks an ID number; `today` (YYYY-MM-DD) bounds the birth date. */
export function parseIdNumber(raw: string, today: string): { ok: true; id: ParsedIdNumber } | { ok: false; problem: IdNumberProblem } {
  const value = normalizeIdNumber(raw);
  if (!/^\d{17}[\dX]$/.test(value)) return { ok: false, problem: 'format' };
  const province = Number(value.slice(0, 2));
  // A mainland area code names a prefecture (digits 3–4 are never 00); permits use the bare prefix.
  if (!PROVINCES.has(province) || (!PERMIT_PREFIXES.has(province) && value.slice(2, 4) === '00')) return { ok: false, problem: 'area' };
  const y = Number(value.slice(6, 10));
  const m = Number(value.slice(10, 12));
  const d = Number(value.slice(12, 14));
  const birthDate = `${value.slice(6, 10)}-${value.slice(10, 12)}-${value.slice(12, 14)}`;
  if (y < 1900 || !validDate(y, m, d) || birthDate > today) return { ok: false, problem: 'birth' };
  if (checkDigit(value) !== value[17]) return { ok: false, problem: 'check' };
  return { ok: true, id: { value, birthDate, gender: Number(value[16]) % 2 === 1 ? 'male' : 'female' } };
}
