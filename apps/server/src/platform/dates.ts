// Dates users type and rules count in are local dates in China (UTC+8, no daylight saving).

/** Today in China as YYYY-MM-DD. */
export function todayInChina(now = Date.now()): string {
  return new Date(now + 8 * 3600_000).toISOString().slice(0, 10);
}

/** A local date as the instant of its midnight in China, for timestamp columns. */
export const chinaMidnight = (date: string) => new Date(`${date}T00:00:00+08:00`);
