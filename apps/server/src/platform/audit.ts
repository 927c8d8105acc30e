import { sql, type RawBuilder } from 'kysely';
import type { Db, Executor, Tx } from '../db/database.js';
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
const DOLLAR_TAG = '$tongxin_audit$';
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

/** What an entry's hash covers (with the previous entry's hash). */
function chainContent(r: ChainRow): Record<string, unknown> {
  return {
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
  };
}

export function rowHash(prevHash: string, r: ChainRow): string {
  return sha256(`${prevHash}\n${canonicalJson(chainContent(r))}`);
}

const EPOCH = new Date(0);
// the content's keys in canonical order (chainContent never leaves one undefined)
const CONTENT_KEYS = Object.keys(chainContent({ seq: '0', at: EPOCH } as ChainRow)).sort();

/**
 * canonicalJson(chainContent(row)) in three pieces, around the values of `at` and `seq` (in that
 * order: keys are sorted), which only the database knows, under the chain lock (audit_append,
 * migration 0013). It fills them in as JSON strings, "<ISO time>" and "<seq>", and hashes the
 * result exactly as rowHash does; verifyAuditChain recomputes it here.
 */
export function contentPieces(row: Omit<ChainRow, 'seq' | 'at'>): [string, string, string] {
  return piecesOf(row, canonicalJson(row.changes ?? null));
}

// piecesOf writes the keys out by hand (it runs for every entry: ten thousand in a big sweep); this
// fails at start-up should chainContent's keys ever change without it
const PIECE_KEYS = 'action,actorId,actorName,at,changes,ip,reason,result,seq,targetId,targetLabel,targetType';
if (CONTENT_KEYS.join(',') !== PIECE_KEYS) throw new Error(`audit: chain content keys changed (${CONTENT_KEYS.join(',')}); update piecesOf`);
const jsonValue = (v: unknown) => (v === null || v === undefined ? 'null' : JSON.stringify(v));

function piecesOf(row: Omit<ChainRow, 'seq' | 'at' | 'changes'>, canonicalChanges: string): [string, string, string] {
  return [
    `{"action":${jsonValue(row.action)},"actorId":${jsonValue(row.actor_id)},"actorName":${jsonValue(row.actor_name)},"at":`,
    `,"changes":${canonicalChanges},"ip":${jsonValue(row.ip)},"reason":${jsonValue(row.reason)},"result":${jsonValue(row.result)},"seq":`,
    `,"targetId":${jsonValue(row.target_id)},"targetLabel":${jsonValue(row.target_label)},"targetType":${jsonValue(row.target_type)}}`,
  ];
}

/**
 * canonicalJson(JSON.parse(JSON.stringify(redact(value)))) — the changes as stored — in one pass, for
 * plain data (plain objects, arrays, strings, finite numbers, booleans, null); undefined for anything
 * else (a Date, a class instance …), which takes that long way.
 */
function plainCanonical(value: unknown): string | undefined {
  if (value === null) return 'null';
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : undefined;
  if (typeof value !== 'object') return undefined;
  const parts: string[] = [];
  if (Array.isArray(value)) {
    for (const v of value) {
      const p = v === undefined ? 'null' : plainCanonical(v);
      if (p === undefined) return undefined;
      parts.push(p);
    }
    return `[${parts.join(',')}]`;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return undefined;
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (SECRET_KEY.test(key)) {
      parts.push(`${JSON.stringify(key)}:"[secret]"`);
      continue;
    }
    if (v === undefined) continue;
    const p = plainCanonical(v);
    if (p === undefined) return undefined;
    parts.push(`${JSON.stringify(key)}:${p}`);
  }
  return `{${parts.join(',')}}`;
}

/** The entries as audit_append takes them: each its canonical content in three pieces (see contentPieces). */
function appendPayload(entries: readonly AuditEntry[]): string {
  return JSON.stringify(
    entries.map((e) => {
      const row = {
        actor_id: e.actorId ?? null,
        actor_name: e.actorName ?? null,
        action: e.action,
        target_type: e.targetType ?? null,
        target_id: e.targetId ?? null,
        target_label: e.targetLabel ?? null,
        result: e.result ?? 'ok',
        reason: e.reason ?? null,
        ip: e.ip ?? null,
      };
      // secrets redacted; through JSON, so the hashed value is exactly what jsonb gives back (no undefined, no Dates)
      const changes = !e.changes ? 'null' : (plainCanonical(e.changes) ?? canonicalJson(JSON.parse(JSON.stringify(redact(e.changes)))));
      return piecesOf(row, changes);
    }),
  );
}

/**
 * Appends one entry to the hash chain. Pass the transaction of the write it records, as its last
 * step, so the entry commits or rolls back with the write; the chain lock is held only until commit.
 */
export async function recordAudit(ex: Executor, entry: AuditEntry): Promise<void> {
  await recordAudits(ex, [entry]);
}

/**
 * Appends entries to the hash chain in the given order, in one statement (a batch of the deadline
 * sweeper, say): the database takes the chain lock, reads the last entry, stamps, hashes and inserts
 * (audit_append, migration 0013). Same rules as recordAudit: the write's own transaction, last.
 */
export async function recordAudits(ex: Executor, entries: readonly AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  // outside a transaction the one statement is a transaction of its own
  await sql`SELECT audit_append(${CHAIN_LOCK}, ${appendPayload(entries)}::jsonb)`.execute(ex);
}

/**
 * For a caller that writes everything in one statement (its own transaction): an expression that
 * appends the entries to the chain within it (the last sequence number). Evaluate it after the
 * statement's other writes, so the chain lock is held only for the rest of the statement and its commit.
 */
export function auditInStatement(entries: readonly AuditEntry[]): RawBuilder<string> {
  return sql<string>`audit_append(${CHAIN_LOCK}, ${appendPayload(entries)}::jsonb)`;
}

/**
 * recordAudits, then COMMIT, in one message to the database: the chain lock, taken by the append,
 * is then held only while the database works — never while this process's event loop, busy with
 * other requests, gets round to sending the COMMIT (under load, most writers queued on the lock for
 * that). A new, empty transaction is opened in the same message, for the COMMIT that ends the
 * caller's transaction block. Must be the transaction's last statement.
 */
export async function recordAuditsAndCommit(trx: Tx, entries: readonly AuditEntry[]): Promise<void> {
  // no parameters: one simple-protocol message (the only kind that carries several statements); the
  // payload is quoted with dollars, or as an E'' literal should it hold the dollar tag
  const json = appendPayload(entries);
  const payload = json.includes(DOLLAR_TAG) ? `E'${json.replace(/\\/g, '\\\\').replace(/'/g, "''")}'` : `${DOLLAR_TAG}${json}${DOLLAR_TAG}`;
  const append = entries.length ? `SELECT audit_append(${CHAIN_LOCK}, ${payload}::jsonb); ` : '';
  await sql.raw(`${append}COMMIT; BEGIN`).execute(trx);
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
