import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { en, zhCN } from 'zod/v4/locales';
import { formatMessage, type ErrorCode, type Locale } from '@tongxin/contracts';
import { AppError } from './errors.js';
import { localeFrom } from './i18n.js';

const zodLocales = { 'zh-CN': zhCN(), en: en() };

function send(reply: FastifyReply, locale: Locale, status: number, code: string, params: Record<string, unknown> = {}, fields?: Record<string, string>) {
  return reply.status(status).send({ error: { code, message: formatMessage(code, params, locale), params, ...(fields ? { fields } : {}) } });
}

/** Localised messages for field errors: our own codes through ERRORS, zod issues through zod's locales. */
function fieldMessage(locale: Locale, value: string, params: Record<string, unknown> = {}): string {
  return /^[A-Z_]+$/.test(value) ? formatMessage(value, params, locale) : value;
}

/** Maps every failure to `{ error: { code, message, params, fields? } }` with a stable code. */
export function installErrorHandling(app: FastifyInstance, opts: { bodyLimit: number; uploadLimit: number }) {
  app.setErrorHandler((err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    const locale = localeFrom(req.headers['accept-language']);
    if (err instanceof AppError) {
      const fields = err.fields ? Object.fromEntries(Object.entries(err.fields).map(([k, v]) => [k, fieldMessage(locale, v, err.params)])) : undefined;
      return send(reply, locale, err.status, err.code, err.params, fields);
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const fields: Record<string, string> = {};
      for (const v of err.validation) {
        const path = v.instancePath.replace(/^\//, '').replace(/\//g, '.') || (err.validationContext ?? 'body');
        const issue = { code: v.keyword, ...(v.params as object) } as Parameters<ReturnType<typeof zhCN>['localeError']>[0];
        // A schema may name one of our codes as its message; otherwise zod's own wording in the locale.
        const localized = v.message && /^[A-Z_]+$/.test(v.message) ? formatMessage(v.message, {}, locale) : zodLocales[locale].localeError?.(issue);
        fields[path] ??= typeof localized === 'string' ? localized : (localized?.message ?? v.message ?? v.keyword);
      }
      return send(reply, locale, 400, 'VALIDATION_FAILED', { in: err.validationContext }, fields);
    }
    const code = err.code;
    if (code === 'FST_ERR_CTP_INVALID_JSON_BODY' || code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || (err instanceof SyntaxError && err.statusCode === 400)) {
      return send(reply, locale, 400, 'MALFORMED_JSON');
    }
    if (code === 'FST_REQ_FILE_TOO_LARGE' || code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT') return send(reply, locale, 413, 'PAYLOAD_TOO_LARGE', { limit: `${Math.round(opts.uploadLimit / 1024 / 1024)} MB` });
    if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return send(reply, locale, 413, 'PAYLOAD_TOO_LARGE', { limit: `${Math.round(opts.bodyLimit / 1024)} KB` });
    if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return send(reply, locale, 415, 'UNSUPPORTED_MEDIA_TYPE');
    if (err.statusCode === 429) return send(reply, locale, 429, 'RATE_LIMITED');
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return send(reply, locale, err.statusCode, 'BAD_REQUEST', { reason: err.message });
    }
    req.log.error({ err }, 'unhandled error');
    return send(reply, locale, 500, 'INTERNAL');
  });
}

export function sendError(reply: FastifyReply, req: FastifyRequest, code: ErrorCode, params: Record<string, unknown> = {}) {
  const e = new AppError(code, params);
  return send(reply, localeFrom(req.headers['accept-language']), e.status, code, params);
}
