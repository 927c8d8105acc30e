const pad = (n: number) => String(n).padStart(2, '0');

/** Today in the browser's time zone, as YYYY-MM-DD. */
export function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Whole days from today to a YYYY-MM-DD date (negative when past); null without a date. */
export function daysUntil(date: string | null | undefined): number | null {
  if (!date) return null;
  const [y, m, d] = date.split('-').map(Number);
  if (!y || !m || !d) return null;
  const target = Date.UTC(y, m - 1, d);
  const [ty, tm, td] = today().split('-').map(Number) as [number, number, number];
  return Math.round((target - Date.UTC(ty, tm - 1, td)) / 86_400_000);
}

/** Age in whole years on today's date from a YYYY-MM-DD birth date. */
export function ageOf(birthDate: string | null | undefined): number | null {
  if (!birthDate) return null;
  const [y, m, d] = birthDate.split('-').map(Number);
  if (!y || !m || !d) return null;
  const now = new Date();
  let age = now.getFullYear() - y;
  if (now.getMonth() + 1 < m || (now.getMonth() + 1 === m && now.getDate() < d)) age--;
  return age;
}
