// Presentation of cases: tag types and map colours per state, card tags, deadline countdowns.
import { i18n } from '@/i18n';

type TagType = 'primary' | 'success' | 'info' | 'warning' | 'danger';

export const CASE_STATE_TYPES: Record<string, TagType> = {
  received: 'info', filed: 'primary', rejected: 'info', dispatched: 'warning', handling: 'warning', handled: 'primary', verifying: 'primary', closed: 'success', rated: 'success',
};
export const CASE_CARD_TYPES: Record<string, TagType> = { yellow: 'warning', red: 'danger' };
export const PRIORITY_TYPES: Record<string, TagType> = { emergency: 'danger', urgent: 'warning', general: 'info', complex: 'primary' };
export const WHISTLE_KIND_TYPES: Record<string, TagType> = { daily: 'info', hard: 'warning', emergency: 'danger' };

/** Map point colours per state (the legend uses the same). */
export const CASE_STATE_COLORS: Record<string, string> = {
  received: '#909399', filed: '#409eff', rejected: '#c0c4cc', dispatched: '#e6a23c', handling: '#f56c6c', handled: '#7e57c2', verifying: '#2196f3', closed: '#67c23a', rated: '#2e7d32',
};

/** Date and time in the browser's zone, YYYY-MM-DD HH:mm. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** A span of milliseconds as "2天3小时" / "3小时20分" / "15分钟". */
export function formatSpan(ms: number): string {
  const t = i18n.global.t;
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  if (d > 0) return t('cases.countdown.days', { d, h });
  if (h > 0) return t('cases.countdown.hours', { h, m });
  return t('cases.countdown.minutes', { m });
}

/** "剩余 3小时20分" or "超时 2天1小时" from a due time and now. */
export function countdown(dueAt: string | null | undefined, now = Date.now()): { text: string; over: boolean } {
  const t = i18n.global.t;
  if (!dueAt) return { text: t('cases.countdown.none'), over: false };
  const diff = new Date(dueAt).getTime() - now;
  return diff >= 0 ? { text: t('cases.countdown.left', { t: formatSpan(diff) }), over: false } : { text: t('cases.countdown.over', { t: formatSpan(-diff) }), over: true };
}

/** A rate (0..1) as a percentage, or — when there is nothing to rate. */
export function percent(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(1)}%`;
}
