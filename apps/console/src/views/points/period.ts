export type PeriodKind = 'year' | 'month' | 'all';

/** The API's period parameter: a year 'YYYY', a month 'YYYY-MM', or 'all'. */
export function periodOf(kind: PeriodKind, year: string, month: string): string {
  return kind === 'all' ? 'all' : kind === 'month' ? month : year;
}
