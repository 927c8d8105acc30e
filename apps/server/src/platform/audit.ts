import { sql } from 'kysely';
import type { Db, Executor } from '../db/database.js';
import { sha256 } from './crypto.js';

export type AuditResult = 'ok' | 'denied' | 'failed';

export interface AuditEntry {
  actorId?: string | null;
  actorName?: string | null;
  action: string;
  targetType?: string | null;
  targetId?: string | null;
  targetLabel?: string | null;
  result?: AuditResult;
  reason?: string | null;
  ip?: string | null;
  changes?: Record<string, unknown> | null;
}

export const GENESIS_HASH = '0'.repeat(64);
const CHAIN_LOCK = 7_270_001; // advisory lock key serialising appends to the chain
// Keys whose values are secrets (not, say, an organisation's code): passwords, tokens, TOTP, ciphertexts.
const SECRET_KEY = /^(password|newPassword|currentPassword|passwordHash|password_hash|secret|token|totpCode|otp|.*_enc|.*Secret)$/i;

function redactValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactValue);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, SECRET_KEY.test(k) ? '[secret]' : redactValue(v)]));
  }
  return value;
}

/** Values of secret fields never reach the log, at any depth: the entry says they changed, not what to. */
export function redact(changes: Record<string, unknown> | null | undefined): Record<string, unknown> | null {
  return changes ? (redactValue(changes) as Record<string, unknown>) : null;
}

/** JSON with keys sorted at every level, so the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value as object).filter((k) => (value as Record<string, unknown>)[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
}

interface ChainRow {
  seq: string;
  at: Date;
  actor_id: string | null;
  actor_name: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  target_label: string | null;
  result: string;
  reason: string | null;
  ip: string | null;
  changes: unknown;
}

export function rowHash(prevHash: string, r: ChainRow): string {
  const content = canonicalJson({
    seq: String(r.seq),
    at: r.at.toISOString(),
    actorId: r.actor_id,
    actorName: r.actor_name,
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    targetLabel: r.target_label,
    result: r.result,
    reason: r.reason,
    ip: r.ip,
    changes: r.changes ?? null,
  });
  return sha256(`${prevHash}\n${content}`);
}

/**
 * Appends one entry to the hash chain. Pass the transaction of the write it records, as its last
 * step, so the entry commits or rolls back with the write; the chain lock is held only until commit.
 */
export async function recordAudit(ex: Executor, entry: AuditEntry): Promise<void> {
  if (!ex.isTransaction) {
    await ex.transaction().execute((trx) => recordAudit(trx, entry));
    return;
  }
  await sql`SELECT pg_advisory_xact_lock(${CHAIN_LOCK})`.execute(ex);
  const last = await ex.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  const changes = redact(entry.changes);
  const row: ChainRow = {
    seq: String(BigInt(last?.seq ?? '0') + 1n),
    at: new Date(),
    actor_id: entry.actorId ?? null,
    actor_name: entry.actorName ?? null,
    action: entry.action,
    target_type: entry.targetType ?? null,
    target_id: entry.targetId ?? null,
    target_label: entry.targetLabel ?? null,
    result: entry.result ?? 'ok',
    reason: entry.reason ?? null,
    ip: entry.ip ?? null,
    // through JSON once so the hashed value is exactly what jsonb gives back (no undefined, no Dates)
    changes: changes ? JSON.parse(JSON.stringify(changes)) : null,
  };
  const prevHash = last?.hash ?? GENESIS_HASH;
  await ex
    .insertInto('audit_log')
    .values({
      ...row,
      result: row.result as AuditResult,
      changes: row.changes === null ? null : JSON.stringify(row.changes),
      prev_hash: prevHash,
      hash: rowHash(prevHash, row),
    })
    .execute();
}

export interface VerifyResult {
  ok: boolean;
  checked: number;
  firstBroken: null | { seq: string; at: string; reason: 'hash' | 'link' | 'gap' };
}

/** Recomputes the whole chain in seq order and names the first row that does not match. */
export async function verifyAuditChain(db: Db, batch = 5000): Promise<VerifyResult> {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1n;
  let checked = 0;
  for (;;) {
    const rows = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '>=', String(expectedSeq))
      .orderBy('seq')
      .limit(batch)
      .execute();
    if (rows.length === 0) return { ok: true, checked, firstBroken: null };
    for (const r of rows) {
      const broken = (reason: 'hash' | 'link' | 'gap'): VerifyResult => ({
        ok: false,
        checked,
        firstBroken: { seq: String(r.seq), at: r.at.toISOString(), reason },
      });
      if (BigInt(r.seq) !== expectedSeq) return broken('gap');
      if (r.prev_hash !== prevHash) return broken('link');
      if (rowHash(prevHash, r as ChainRow) !== r.hash) return broken('hash');
      prevHash = r.hash;
      expectedSeq += 1n;
      checked += 1;
    }
  }
}
