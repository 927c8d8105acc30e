import { ElMessage } from 'element-plus';
import { ApiError, SESSION_CODES } from '@/api/http';
import { i18n } from '@/i18n';

/** The message to show for any thrown value. */
export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  if (e instanceof Error && e.message) return e.message;
  return i18n.global.t('error.unknown');
}

/** True when a global handler already dealt with the error (session lost → login page). */
export function handledGlobally(e: unknown): boolean {
  return e instanceof ApiError && ((e.status === 401 && SESSION_CODES.includes(e.code)) || e.code === 'AUTH_TOTP_ENROLMENT_REQUIRED');
}

export function showError(e: unknown): void {
  if (handledGlobally(e)) return;
  ElMessage.error({ message: errorMessage(e), grouping: true });
}

/**
 * Field errors from a VALIDATION_FAILED answer, keyed by the first segment of the field path
 * ("scopes.0.id" → "scopes"), to bind to el-form-item's `error`.
 */
export function fieldErrors(e: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(e instanceof ApiError)) return out;
  for (const [path, msg] of Object.entries(e.fields)) {
    const key = path.split(/[.[]/)[0] ?? path;
    // Fill any {placeholder} left in a field message from the error's params.
    const text = msg.replace(/\{(\w+)\}/g, (m, k: string) => (e.params[k] === undefined ? m : String(e.params[k])));
    if (!out[key]) out[key] = text;
  }
  return out;
}

/** Shows the error as a message unless it only concerns fields that the form displays. */
export function showFormError(e: unknown, formFields: string[]): Record<string, string> {
  const fields = fieldErrors(e);
  const shown = Object.keys(fields).filter((k) => formFields.includes(k));
  if (shown.length === 0 || shown.length < Object.keys(fields).length) showError(e);
  return fields;
}
