import { CASE_RATINGS, type CaseRating } from '@tongxin/contracts';
import { sha256 } from '../../platform/crypto.js';
import type { Database } from '../../db/database.js';
import type { RequestContext } from '../../platform/actor.js';
import { AppError } from '../../platform/errors.js';
import { renewDeadline, type NoteInput } from './cases.handling.js';
import { runStep } from './cases.steps.js';

// Supervision (verify, close, rework, cards) and the reporter's word (rate, reopen).

type Deps = { database: Database };

export function startVerification(deps: Deps, ctx: RequestContext, id: string, input: NoteInput) {
  return runStep(deps, ctx, id, 'start_verification', async () => ({ step: { note: input.note } }));
}

/** Verification passed: the case is closed (the owner's responsibility ends here). */
export function closeCase(deps: Deps, ctx: RequestContext, id: string, input: NoteInput) {
  return runStep(deps, ctx, id, 'close', async ({ trx, row, now }) => {
    await trx.updateTable('case_deadlines').set({ processed_at: now, outcome: 'closed' }).where('case_id', '=', row.id).where('processed_at', 'is', null).execute();
    return { set: { closed_at: now }, step: { note: input.note, attachments: input.attachments } };
  });
}

/** Verification failed: back to the holding unit with a fresh deadline. */
export function reworkCase(deps: Deps, ctx: RequestContext, id: string, input: NoteInput & { note: string }) {
  return runStep(deps, ctx, id, 'rework', async (s) => {
    const { dueAt, redAt } = await renewDeadline(s, s.row, s.rules);
    return { set: { handled_at: null, due_at: dueAt, red_at: redAt }, step: { note: input.note, attachments: input.attachments, details: { dueAt: dueAt.toISOString() } } };
  });
}

const CARD_ORDER = { none: 0, yellow: 1, red: 2 } as const;

/** A supervision card by hand (the sweeper gives them for overdue cases); a card never goes down. */
export function cardCase(deps: Deps, ctx: RequestContext, id: string, input: { card: 'yellow' | 'red'; note: string }) {
  return runStep(deps, ctx, id, 'card', async ({ row }) => {
    if (CARD_ORDER[input.card] <= CARD_ORDER[row.card as keyof typeof CARD_ORDER]) throw new AppError('CASE_CARD_NOT_HIGHER', { from: row.card, to: input.card });
    return { set: { card: input.card }, step: { note: input.note, details: { card: input.card, from: row.card } } };
  });
}

const ratingLabel = (r: string, locale: 'zh-CN' | 'en') => CASE_RATINGS[r as CaseRating]?.[locale === 'en' ? 'en' : 'zh'] ?? r;

export interface RateInput {
  rating: CaseRating;
  note?: string;
}

function rate(deps: Deps, ctx: RequestContext, id: string, input: RateInput, asReporter: boolean) {
  return runStep(
    deps, ctx, id, 'rate',
    async ({ now }) => ({ set: { rating: input.rating, rating_note: input.note ?? null, rated_at: now }, step: { note: input.note, details: { rating: input.rating } } }),
    { asReporter, guard: (row, locale) => { if (row.rating) throw new AppError('CASE_ALREADY_RATED', { rating: ratingLabel(row.rating, locale) }); } },
  );
}

/** The reporter rates the closed case, once per closing. */
export const rateCase = (deps: Deps, ctx: RequestContext, id: string, input: RateInput) => rate(deps, ctx, id, input, false);

/** The dissatisfied reporter sends the case back (a limited number of times, from the rule set). */
function reopen(deps: Deps, ctx: RequestContext, id: string, input: { note: string }, asReporter: boolean) {
  return runStep(
    deps, ctx, id, 'reopen',
    async (s) => {
      if (s.row.rating !== 'dissatisfied') throw new AppError('CASE_REOPEN_NOT_DISSATISFIED');
      if (s.row.reopen_count >= s.rules.reopenLimit) throw new AppError('CASE_REOPEN_LIMIT', { count: s.row.reopen_count, limit: s.rules.reopenLimit });
      const { dueAt, redAt } = await renewDeadline(s, s.row, s.rules);
      return {
        set: { reopen_count: s.row.reopen_count + 1, closed_at: null, handled_at: null, rating: null, rating_note: null, rated_at: null, due_at: dueAt, red_at: redAt },
        step: { note: input.note, details: { previousRating: s.row.rating, reopenCount: s.row.reopen_count + 1, dueAt: dueAt.toISOString() } },
      };
    },
    { asReporter },
  );
}

export const reopenCase = (deps: Deps, ctx: RequestContext, id: string, input: { note: string }) => reopen(deps, ctx, id, input, false);

/** The case behind a tracking code (anonymous reports), or CASE_TRACKING_CODE_INVALID. */
export async function caseIdByTrackingCode(deps: Deps, code: string): Promise<string> {
  const row = await deps.database.db.selectFrom('cases').select('id').where('tracking_code_hash', '=', sha256(code.trim().toUpperCase())).executeTakeFirst();
  if (!row) throw new AppError('CASE_TRACKING_CODE_INVALID');
  return String(row.id);
}

/** Rating and reopening by the holder of the tracking code of an anonymous report. */
export async function rateByTrackingCode(deps: Deps, ctx: RequestContext, code: string, input: RateInput) {
  return rate(deps, ctx, await caseIdByTrackingCode(deps, code), input, true);
}

export async function reopenByTrackingCode(deps: Deps, ctx: RequestContext, code: string, input: { note: string }) {
  return reopen(deps, ctx, await caseIdByTrackingCode(deps, code), input, true);
}
