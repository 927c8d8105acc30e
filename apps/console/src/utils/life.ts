// Organisational life in the console: tag colours, the label of a required slot, rates.
import { i18n } from '@/i18n';
import type { Period, SlotItem } from '@/api/life';

type TagType = 'primary' | 'success' | 'info' | 'warning' | 'danger';

export const MEETING_STATUS_TYPES: Record<string, TagType> = { planned: 'primary', held: 'success', cancelled: 'info' };
export const ATTENDANCE_TYPES: Record<string, TagType> = { present: 'success', excused: 'warning', absent: 'danger' };
export const COMPLIANCE_STATE_TYPES: Record<string, TagType> = { done: 'success', overdue: 'danger', due: 'warning', upcoming: 'info' };
export const STUDY_KIND_TYPES: Record<string, TagType> = { first_agenda: 'danger', course: 'primary', lecture: 'warning' };

/** Organisation kinds that hold meetings (the branch level of the default rule set) and party groups. */
export const MEETING_ORG_KINDS = ['branch', 'joint_branch', 'temporary_branch', 'general_branch', 'party_group'] as const;

export const PERIODS: Period[] = ['year', 'Q1', 'Q2', 'Q3', 'Q4', '01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12'];

export function periodLabel(p: Period): string {
  const t = i18n.global.t;
  return /^\d+$/.test(p) ? t('life.compliance.periods.month', { m: Number(p) }) : t(`life.compliance.periods.${p}`);
}

/** "5月", "第3季度" or "全年": which month, quarter or year a required meeting belongs to. */
export function slotLabel(s: Pick<SlotItem, 'every' | 'idx'>): string {
  const t = i18n.global.t;
  if (s.every === 'month') return t('life.compliance.slotMonth', { m: s.idx });
  if (s.every === 'quarter') return t('life.compliance.slotQuarter', { q: s.idx });
  return t('life.compliance.slotYear');
}

export function percent(v: number | null | undefined): string {
  return v === null || v === undefined ? '—' : `${(v * 100).toFixed(1)}%`;
}

/** A local date and time for an ISO instant, "2026-05-12 14:30". */
export function shortDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** An ISO instant in the date picker's value format (local time with its offset, "YYYY-MM-DDTHH:mm:ss+08:00"). */
export function pickerValue(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n: number) => String(Math.trunc(Math.abs(n))).padStart(2, '0');
  const off = -d.getTimezoneOffset();
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}${off >= 0 ? '+' : '-'}${pad(off / 60)}:${pad(off % 60)}`;
}
export const PICKER_FORMAT = 'YYYY-MM-DDTHH:mm:ssZ';
