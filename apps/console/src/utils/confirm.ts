import { ElMessageBox } from 'element-plus';
import { i18n } from '@/i18n';

/** Asks before a destructive action; resolves to true when confirmed. */
export async function confirmAction(message: string, opts: { title?: string; danger?: boolean } = {}): Promise<boolean> {
  const t = i18n.global.t;
  try {
    await ElMessageBox.confirm(message, opts.title ?? t('common.confirmTitle'), {
      type: 'warning',
      confirmButtonText: t('common.confirm'),
      cancelButtonText: t('common.cancel'),
      confirmButtonClass: opts.danger ? 'el-button--danger' : undefined,
      autofocus: false,
      closeOnClickModal: false,
    });
    return true;
  } catch {
    return false;
  }
}
