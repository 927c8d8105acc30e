import { randomBytes, randomInt } from 'node:crypto';
import type { AppDeps } from '../../app.js';
import { recordAudit } from '../../platform/audit.js';
import { mask, safeEqual } from '../../platform/crypto.js';
import { AppError } from '../../platform/errors.js';
import { hashPassword } from '../../platform/passwords.js';
import { createSession } from '../../platform/session.js';
import { LoggingSmsProvider, type SmsProvider } from '../../platform/sms.js';
import type { Tx } from '../../db/database.js';
import { activeMemberByPhone } from '../members/members.service.js';

// Residents log in by phone number and a one-time code sent by SMS (CASE-6). A code has 6 digits,
// lives 5 minutes, is kept only as a keyed hash and allows 5 attempts. Audit entries carry the
// masked phone, never the code.

export const OTP_TTL_MS = 5 * 60_000;
export const OTP_MAX_ATTEMPTS = 5;
/** Codes one phone may request per window, and the least time between two of them. */
const PHONE_WINDOW_MS = 60 * 60_000;
const PHONE_MAX_PER_WINDOW = 5;
const PHONE_MIN_INTERVAL_MS = 60_000;

/** Mainland mobile numbers, with or without +86 and spaces or dashes. */
export function normalisePhone(input: string): string | null {
  const digits = input.replace(/[\s-]/g, '').replace(/^(\+?86)(?=1\d{10}$)/, '');
  return /^1[3-9]\d{9}$/.test(digits) ? digits : null;
}

export function smsProviderOf(deps: AppDeps, log?: ConstructorParameters<typeof LoggingSmsProvider>[0]): SmsProvider {
  deps.sms ??= new LoggingSmsProvider(log);
  return deps.sms;
}

const codeHash = (deps: AppDeps, phoneHmac: string, code: string) => deps.crypto.lookupHash(`otp:${phoneHmac}:${code}`);

export async function requestCode(deps: AppDeps, input: { phone: string; ip: string }): Promise<{ expiresAt: string; resendAfter: number }> {
  const { db } = deps.database;
  const phone = normalisePhone(input.phone);
  if (!phone) throw new AppError('VALIDATION_FAILED', {}, { phone: 'VALIDATION_FAILED' });
  const phoneHmac = deps.crypto.lookupHash(phone);
  const label = mask(phone);
  const recent = await db
    .selectFrom('otp_codes')
    .select(['created_at'])
    .where('phone_hmac', '=', phoneHmac)
    .where('created_at', '>', new Date(Date.now() - PHONE_WINDOW_MS))
    .orderBy('created_at', 'desc')
    .execute();
  const last = recent[0]?.created_at.getTime();
  if (recent.length >= PHONE_MAX_PER_WINDOW || (last !== undefined && Date.now() - last < PHONE_MIN_INTERVAL_MS)) {
    await recordAudit(db, { actorName: label, action: 'auth.otp_request', targetType: 'phone', targetLabel: label, result: 'denied', reason: 'rate_limited', ip: input.ip });
    throw new AppError('RATE_LIMITED');
  }
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const expiresAt = new Date(Date.now() + OTP_TTL_MS);
  await db.transaction().execute(async (trx) => {
    // a new code replaces the older ones
    await trx.updateTable('otp_codes').set({ consumed_at: new Date() }).where('phone_hmac', '=', phoneHmac).where('consumed_at', 'is', null).execute();
    await trx.insertInto('otp_codes').values({ phone_hmac: phoneHmac, code_hash: codeHash(deps, phoneHmac, code), expires_at: expiresAt, ip: input.ip }).execute();
    await recordAudit(trx, { actorName: label, action: 'auth.otp_request', targetType: 'phone', targetLabel: label, result: 'ok', ip: input.ip });
  });
  await smsProviderOf(deps).send(phone, `【同心】您的登录验证码为 ${code}，5 分钟内有效。如非本人操作，请忽略本短信。`);
  return { expiresAt: expiresAt.toISOString(), resendAfter: PHONE_MIN_INTERVAL_MS / 1000 };
}

export async function verifyCode(deps: AppDeps, input: { phone: string; code: string; ip: string; userAgent?: string }) {
  const { db } = deps.database;
  const phone = normalisePhone(input.phone);
  if (!phone) throw new AppError('VALIDATION_FAILED', {}, { phone: 'VALIDATION_FAILED' });
  const phoneHmac = deps.crypto.lookupHash(phone);
  const label = mask(phone)!;
  const fail = async (reason: string, code: 'AUTH_OTP_INVALID' | 'AUTH_OTP_EXHAUSTED') => {
    await recordAudit(db, { actorName: label, action: 'auth.otp_verify', targetType: 'phone', targetLabel: label, result: 'failed', reason, ip: input.ip });
    throw new AppError(code, {}, { code });
  };
  const row = await db
    .selectFrom('otp_codes')
    .selectAll()
    .where('phone_hmac', '=', phoneHmac)
    .where('consumed_at', 'is', null)
    .where('expires_at', '>', new Date())
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row) return fail('no_code', 'AUTH_OTP_INVALID');
  // one atomic increment: concurrent guesses cannot pass the limit
  const counted = await db
    .updateTable('otp_codes')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', '=', row.id)
    .where('attempts', '<', OTP_MAX_ATTEMPTS)
    .returning('attempts')
    .executeTakeFirst();
  if (!counted) return fail('too_many_attempts', 'AUTH_OTP_EXHAUSTED');
  if (!/^\d{6}$/.test(input.code) || !safeEqual(codeHash(deps, phoneHmac, input.code), row.code_hash)) return fail('wrong_code', 'AUTH_OTP_INVALID');

  const session = await db.transaction().execute(async (trx) => {
    const used = await trx.updateTable('otp_codes').set({ consumed_at: new Date() }).where('id', '=', row.id).where('consumed_at', 'is', null).returning('id').executeTakeFirst();
    if (!used) return null;
    const username = `r_${phoneHmac.slice(0, 10).toLowerCase()}`;
    let account = await trx.selectFrom('accounts').select(['id', 'status', 'last_login_at', 'member_id']).where('username', '=', username).where('phone_hmac', '=', phoneHmac).executeTakeFirst();
    let created = false;
    if (!account) {
      const role = await trx.selectFrom('roles').select('id').where('key', '=', 'resident').executeTakeFirstOrThrow();
      // nobody knows this password: the account logs in only by phone
      const passwordHash = await hashPassword(randomBytes(32).toString('base64url'));
      const inserted = await trx
        .insertInto('accounts')
        .values({ username, display_name: `居民${label}`, password_hash: passwordHash, phone_enc: deps.crypto.encrypt(phone), phone_hmac: phoneHmac, phone_masked: label })
        .returning(['id', 'status', 'last_login_at', 'member_id'])
        .executeTakeFirstOrThrow();
      await trx.insertInto('account_roles').values({ account_id: inserted.id, role_id: role.id }).execute();
      account = inserted;
      created = true;
    }
    if (account.status !== 'active') return 'disabled' as const;
    await linkMember(trx, account.id, phoneHmac);
    await trx.updateTable('accounts').set({ previous_login_at: account.last_login_at, last_login_at: new Date(), last_login_ip: input.ip }).where('id', '=', account.id).execute();
    const s = await createSession(trx, account.id, 'cookie', deps.config, { ip: input.ip, userAgent: input.userAgent });
    await recordAudit(trx, { actorId: account.id, actorName: username, action: 'auth.otp_verify', targetType: 'account', targetId: account.id, targetLabel: label, result: 'ok', reason: created ? 'account_created' : null, ip: input.ip });
    return s;
  });
  if (session === null) return fail('replayed_code', 'AUTH_OTP_INVALID');
  if (session === 'disabled') {
    await recordAudit(db, { actorName: label, action: 'auth.otp_verify', targetType: 'phone', targetLabel: label, result: 'denied', reason: 'disabled', ip: input.ip });
    throw new AppError('AUTH_ACCOUNT_DISABLED');
  }
  return session;
}

/**
 * A phone login whose number is a party member's (and no other account is theirs) becomes that
 * member's own login: it gets the member role and sees their branch (issue 5, MEM-2).
 */
async function linkMember(trx: Tx, accountId: string, phoneHmac: string): Promise<void> {
  const account = await trx.selectFrom('accounts').select(['member_id']).where('id', '=', accountId).executeTakeFirstOrThrow();
  if (account.member_id) return;
  const member = await activeMemberByPhone(trx, phoneHmac);
  if (!member) return;
  const taken = await trx.selectFrom('accounts').select('id').where('member_id', '=', member.id).executeTakeFirst();
  if (taken) return;
  const role = await trx.selectFrom('roles').select('id').where('key', '=', 'member').executeTakeFirstOrThrow();
  await trx.updateTable('accounts').set({ member_id: member.id, display_name: member.name, updated_at: new Date() }).where('id', '=', accountId).execute();
  await trx.insertInto('account_roles').values({ account_id: accountId, role_id: role.id }).onConflict((oc) => oc.doNothing()).execute();
  await recordAudit(trx, { actorId: accountId, actorName: member.name, action: 'auth.member_link', targetType: 'member', targetId: member.id, targetLabel: member.name, result: 'ok' });
}
