import QRCode from 'qrcode';
import type { AppDeps } from '../../app.js';
import type { Actor, RequestContext } from '../../platform/actor.js';
import { recordAudit } from '../../platform/audit.js';
import { AppError } from '../../platform/errors.js';
import { checkPasswordPolicy, dummyVerify, hashPassword, verifyPassword } from '../../platform/passwords.js';
import { createSession, isAdministrator, revokeSession } from '../../platform/session.js';
import { orgNames } from '../orgs/orgs.service.js';
import { placeNames } from '../places/places.service.js';
import type { Me } from './auth.schema.js';
import { addressFailuresOf } from './auth.limits.js';
import { matchTotp, newTotpSecret, totpFor } from './totp.js';

export interface LoginInput {
  username: string;
  password: string;
  code?: string;
  kind: 'cookie' | 'bearer';
  ip: string;
  userAgent?: string;
}

/**
 * Password, lockout and TOTP check, then a new session. Every failure is audited; a wrong password
 * or code counts toward the lock, a missing code (the first step of a two-step login) does not.
 */
export async function login(deps: AppDeps, input: LoginInput) {
  const { db } = deps.database;
  const { config } = deps;
  const username = input.username.toLowerCase();
  const action = input.kind === 'bearer' ? 'auth.token' : 'auth.login';
  const account = await db.selectFrom('accounts').selectAll().where('username', '=', username).executeTakeFirst();
  const audit = (result: 'ok' | 'denied' | 'failed', reason: string | null) =>
    recordAudit(db, { actorId: account?.id ?? null, actorName: username, action, targetType: 'account', targetId: account?.id ?? null, targetLabel: username, result, reason, ip: input.ip });
  // too many failures from this address (auth.limits.ts): refused before any password is checked
  const addressLimit = addressFailuresOf(deps);
  const address = input.ip;
  const wait = (await addressLimit?.refusedFor(address)) ?? 0;
  if (wait > 0) {
    await audit('denied', 'address_limited');
    throw new AppError('RATE_LIMITED', { retryAfter: wait });
  }

  if (!account) {
    await addressLimit?.failed(address);
    await dummyVerify(input.password);
    await audit('failed', 'unknown_user');
    throw new AppError('AUTH_INVALID_CREDENTIALS');
  }
  if (account.locked_until && account.locked_until.getTime() > Date.now()) {
    await audit('denied', 'locked');
    throw new AppError('AUTH_ACCOUNT_LOCKED', { until: account.locked_until.toISOString() });
  }

  const fail = async (reason: string, code: 'AUTH_INVALID_CREDENTIALS' | 'AUTH_TOTP_INVALID') => {
    await addressLimit?.failed(address);
    // One atomic increment: concurrent wrong attempts cannot slip past the limit.
    const lockedUntil = await db.transaction().execute(async (trx) => {
      const row = await trx
        .updateTable('accounts')
        .set((eb) => ({ failed_logins: eb('failed_logins', '+', 1) }))
        .where('id', '=', account.id)
        .returning('failed_logins')
        .executeTakeFirstOrThrow();
      const lock = row.failed_logins >= config.loginMaxFailures;
      const until = lock ? new Date(Date.now() + config.loginLockMs) : null;
      if (lock) await trx.updateTable('accounts').set({ failed_logins: 0, locked_until: until }).where('id', '=', account.id).execute();
      await recordAudit(trx, {
        actorId: account.id, actorName: username, action, targetType: 'account', targetId: account.id, targetLabel: username,
        result: 'failed', reason: lock ? `${reason}; locked` : reason, ip: input.ip,
      });
      return until;
    });
    if (lockedUntil) throw new AppError('AUTH_ACCOUNT_LOCKED', { until: lockedUntil.toISOString() });
    throw new AppError(code);
  };

  if (!(await verifyPassword(account.password_hash, input.password))) return fail('wrong_password', 'AUTH_INVALID_CREDENTIALS');
  if (account.status !== 'active') {
    await audit('denied', 'disabled');
    throw new AppError('AUTH_ACCOUNT_DISABLED');
  }
  let totpStep: number | null = null;
  if (account.totp_enabled && account.totp_secret_enc) {
    if (!input.code) throw new AppError('AUTH_TOTP_REQUIRED');
    totpStep = matchTotp(deps.crypto.decrypt(account.totp_secret_enc), input.code);
    if (totpStep === null || (account.totp_last_step !== null && totpStep <= Number(account.totp_last_step))) {
      return fail('wrong_totp', 'AUTH_TOTP_INVALID');
    }
  }

  const session = await db.transaction().execute(async (trx) => {
    if (totpStep !== null) {
      // Consumes the code's time step atomically: the same code cannot log in twice.
      const fresh = await trx
        .updateTable('accounts')
        .set({ totp_last_step: String(totpStep) })
        .where('id', '=', account.id)
        .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', String(totpStep))]))
        .returning('id')
        .executeTakeFirst();
      if (!fresh) return null;
    }
    await trx.updateTable('accounts').set({ failed_logins: 0, locked_until: null, previous_login_at: account.last_login_at, last_login_at: new Date(), last_login_ip: input.ip }).where('id', '=', account.id).execute();
    const created = await createSession(trx, account.id, input.kind, config, { ip: input.ip, userAgent: input.userAgent });
    await recordAudit(trx, { actorId: account.id, actorName: username, action, targetType: 'account', targetId: account.id, targetLabel: username, result: 'ok', ip: input.ip });
    return created;
  });
  if (!session) return fail('replayed_totp', 'AUTH_TOTP_INVALID');
  return { ...session, accountId: account.id };
}

export async function logout(deps: AppDeps, ctx: RequestContext) {
  const actor = ctx.actor!;
  await revokeSession(deps.database.db, actor.sessionId);
  await recordAudit(deps.database.db, { actorId: actor.id, actorName: actor.username, action: 'auth.logout', targetType: 'account', targetId: actor.id, targetLabel: actor.username, ip: ctx.ip });
}

export async function me(deps: AppDeps, actor: Actor): Promise<Me> {
  const { db } = deps.database;
  const [orgs, places, account] = await Promise.all([
    orgNames(db, actor.orgScope),
    placeNames(db, actor.placeScope),
    db.selectFrom('accounts').select('previous_login_at').where('id', '=', actor.id).executeTakeFirstOrThrow(),
  ]);
  return {
    id: actor.id,
    username: actor.username,
    displayName: actor.displayName,
    roles: actor.roles,
    permissions: [...actor.permissions].sort(),
    scopes: [
      ...actor.orgScope.map((id) => ({ kind: 'org' as const, id, name: orgs.get(id) ?? id })),
      ...actor.placeScope.map((id) => ({ kind: 'place' as const, id, name: places.get(id) ?? id })),
    ],
    totpEnabled: actor.totpEnabled,
    totpEnrolmentRequired: actor.totpEnrolmentRequired,
    mustChangePassword: actor.mustChangePassword,
    // the login before this one (上次登录), so a user can spot a login that was not theirs
    lastLoginAt: account.previous_login_at?.toISOString() ?? null,
    memberId: actor.memberId,
  };
}

export async function changePassword(deps: AppDeps, ctx: RequestContext, currentPassword: string, newPassword: string) {
  const actor = ctx.actor!;
  const { db } = deps.database;
  const account = await db.selectFrom('accounts').select(['password_hash']).where('id', '=', actor.id).executeTakeFirstOrThrow();
  if (!(await verifyPassword(account.password_hash, currentPassword))) {
    await recordAudit(db, { actorId: actor.id, actorName: actor.username, action: 'auth.password_change', targetType: 'account', targetId: actor.id, result: 'failed', reason: 'wrong_password', ip: ctx.ip });
    throw new AppError('AUTH_PASSWORD_WRONG', {}, { currentPassword: 'AUTH_PASSWORD_WRONG' });
  }
  checkPasswordPolicy(newPassword, 'newPassword');
  if (newPassword === currentPassword) throw new AppError('AUTH_PASSWORD_REUSED', {}, { newPassword: 'AUTH_PASSWORD_REUSED' });
  const hash = await hashPassword(newPassword);
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('accounts').set({ password_hash: hash, password_changed_at: new Date(), must_change_password: false, updated_at: new Date() }).where('id', '=', actor.id).execute();
    // Other sessions of this account end; the current one stays.
    await trx.updateTable('sessions').set({ revoked_at: new Date() }).where('account_id', '=', actor.id).where('id', '!=', actor.sessionId).where('revoked_at', 'is', null).execute();
    await recordAudit(trx, { actorId: actor.id, actorName: actor.username, action: 'auth.password_change', targetType: 'account', targetId: actor.id, targetLabel: actor.username, changes: { password: true }, ip: ctx.ip });
  });
}

export async function totpSetup(deps: AppDeps, ctx: RequestContext) {
  const actor = ctx.actor!;
  // Replacing a second factor goes through removing it, which asks for the password: a stolen
  // session alone cannot swap in an authenticator of its own.
  if (actor.totpEnabled) throw new AppError('TOTP_ALREADY_ENABLED');
  const secret = newTotpSecret();
  await deps.database.db.transaction().execute(async (trx) => {
    await trx.updateTable('accounts').set({ totp_pending_enc: deps.crypto.encrypt(secret) }).where('id', '=', actor.id).execute();
    await recordAudit(trx, { actorId: actor.id, actorName: actor.username, action: 'auth.totp_setup', targetType: 'account', targetId: actor.id, targetLabel: actor.username, ip: ctx.ip });
  });
  const otpauthUrl = totpFor(secret, actor.username).toString();
  return { secret, otpauthUrl, qrDataUrl: await QRCode.toDataURL(otpauthUrl, { margin: 1, width: 220 }) };
}

export async function totpEnable(deps: AppDeps, ctx: RequestContext, code: string) {
  const actor = ctx.actor!;
  const { db } = deps.database;
  const row = await db.selectFrom('accounts').select(['totp_pending_enc']).where('id', '=', actor.id).executeTakeFirstOrThrow();
  if (!row.totp_pending_enc) throw new AppError('BAD_REQUEST', { reason: 'totp setup first' });
  const secretEnc = row.totp_pending_enc;
  const step = matchTotp(deps.crypto.decrypt(secretEnc), code);
  if (step === null) {
    await recordAudit(db, { actorId: actor.id, actorName: actor.username, action: 'auth.totp_enable', targetType: 'account', targetId: actor.id, result: 'failed', reason: 'wrong_code', ip: ctx.ip });
    throw new AppError('AUTH_TOTP_INVALID', {}, { code: 'AUTH_TOTP_INVALID' });
  }
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('accounts').set({ totp_secret_enc: secretEnc, totp_pending_enc: null, totp_enabled: true, totp_last_step: String(step), updated_at: new Date() }).where('id', '=', actor.id).execute();
    await recordAudit(trx, { actorId: actor.id, actorName: actor.username, action: 'auth.totp_enable', targetType: 'account', targetId: actor.id, targetLabel: actor.username, ip: ctx.ip });
  });
}

export async function totpDisable(deps: AppDeps, ctx: RequestContext, password: string) {
  const actor = ctx.actor!;
  const { db } = deps.database;
  const account = await db.selectFrom('accounts').select(['password_hash']).where('id', '=', actor.id).executeTakeFirstOrThrow();
  if (!(await verifyPassword(account.password_hash, password))) {
    await recordAudit(db, { actorId: actor.id, actorName: actor.username, action: 'auth.totp_disable', targetType: 'account', targetId: actor.id, result: 'failed', reason: 'wrong_password', ip: ctx.ip });
    throw new AppError('AUTH_PASSWORD_WRONG', {}, { password: 'AUTH_PASSWORD_WRONG' });
  }
  // In production an administrator keeps the second factor: removing it is refused.
  if (deps.config.production && isAdministrator(actor.permissions)) throw new AppError('AUTH_TOTP_ENROLMENT_REQUIRED');
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('accounts').set({ totp_secret_enc: null, totp_pending_enc: null, totp_enabled: false, totp_last_step: null, updated_at: new Date() }).where('id', '=', actor.id).execute();
    await recordAudit(trx, { actorId: actor.id, actorName: actor.username, action: 'auth.totp_disable', targetType: 'account', targetId: actor.id, targetLabel: actor.username, ip: ctx.ip });
  });
}

