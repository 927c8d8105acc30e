import { PERMISSIONS } from '@tongxin/contracts';
import { currentLocale } from '@/i18n';

/** A permission key in words, from the shared catalogue; unknown keys show as they are. */
export function permissionLabel(key: string): string {
  const p = (PERMISSIONS as Record<string, { zh: string; en: string } | undefined>)[key];
  if (!p) return key;
  return currentLocale() === 'en' ? p.en : p.zh;
}
