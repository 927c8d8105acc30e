import type { DictEntry } from '@tongxin/contracts';
import { currentLocale } from '@/i18n';

/** The label of a dictionary code in the current UI language; unknown codes show as they are. */
export function dictLabel(dict: Record<string, DictEntry>, code: string | null | undefined): string {
  if (!code) return '—';
  const entry = dict[code];
  if (!entry) return code;
  return currentLocale() === 'en' ? entry.en : entry.zh;
}

export function dictOptions(dict: Record<string, DictEntry>): { value: string; label: string }[] {
  return Object.keys(dict).map((value) => ({ value, label: dictLabel(dict, value) }));
}
