import type { Database } from '../../db/database.js';
import type { RequestContext } from '../../platform/actor.js';
import { namesOf } from '../../platform/tree.js';
import { loadVisibleCase } from './cases.access.js';
import { categoryById, whistlesOf } from './cases.repo.js';
import { proposeDepartments } from './cases.routing.js';
import { caseRules } from './cases.rules.js';
import { searchCases } from './cases.query.js';
import { timelineOf } from './cases.timeline.js';
import { mayTake, OPEN_STATES, TRANSITIONS, WHISTLE_STEPS, type CaseAction } from './cases.workflow.js';

// One case as its page shows it: the summary, the owner, the whistles, the timeline, the proposed
// departments, and what the actor may do now (`can`), so the buttons follow the rules.

const iso = (d: Date | null) => d?.toISOString() ?? null;

export async function getCaseDetail(deps: { database: Database }, ctx: RequestContext, id: string) {
  const { db } = deps.database;
  const { row, facts } = await loadVisibleCase(db, ctx, id);
  const [summary, rules, category, whistles, timeline, names, followers] = await Promise.all([
    searchCases(db, { ids: [id], limit: 1 }),
    caseRules(db),
    categoryById(db, String(row.category_id)),
    whistlesOf(db, id),
    timelineOf(db, id),
    namesOf(db, 'place', [row.owner_place_id, row.community_id, row.street_id, row.district_id].filter((p): p is string => p !== null).map(String)),
    db.selectFrom('case_followers').select(db.fn.countAll<number>().as('n')).where('case_id', '=', id).executeTakeFirstOrThrow(),
  ]);
  const proposal = facts.permissions.has('cases:whistle') ? await proposeDepartments(db, String(row.grid_id), String(row.category_id)) : { fromPlaceId: null, departments: [] };
  const reporter = row.reporter_account_id
    ? await db.selectFrom('accounts').select(['username', 'display_name']).where('id', '=', row.reporter_account_id).executeTakeFirst()
    : undefined;

  const actions = Object.keys(TRANSITIONS) as CaseAction[];
  const can: Record<string, boolean> = Object.fromEntries(actions.map((a) => [a, mayTake(a, row, facts, rules.rules)]));
  const inWhistleState = WHISTLE_STEPS.report.caseStates.includes(row.state as never);
  const mineOpen = whistles.filter((w) => facts.openWhistleDepartments.includes(String(w.department_id)));
  can.follow = facts.permissions.has('cases:report') && !facts.isReporter && !facts.isFollower && OPEN_STATES.includes(row.state as never);
  can.departmentReport = inWhistleState && facts.permissions.has('cases:department') && mineOpen.some((w) => !w.reported_at);
  can.departmentResult = inWhistleState && facts.permissions.has('cases:department') && mineOpen.some((w) => w.reported_at && !w.result_at);
  can.rateDepartments = facts.permissions.has('cases:whistle') && facts.coversStreet && whistles.some((w) => w.result_at && !w.street_rating);
  const name = (pid: string | null) => (pid ? { id: String(pid), name: names.get(String(pid)) ?? '' } : null);

  return {
    ...summary.items[0]!,
    category: { code: category!.code, name: category!.name_zh, nameEn: category!.name_en, anonymousAllowed: category!.anonymous_allowed },
    community: name(row.community_id),
    street: name(row.street_id),
    district: name(row.district_id),
    owner: { level: row.owner_level, place: name(row.owner_place_id)! },
    reporter: reporter ? { username: reporter.username, displayName: reporter.display_name } : { username: row.reporter_label ?? 'anonymous', displayName: row.reporter_label ?? '匿名' },
    sourceRef: row.source_ref,
    rejectReason: row.reject_reason,
    firstDueAt: iso(row.first_due_at),
    redAt: iso(row.red_at),
    filedAt: iso(row.filed_at),
    acknowledgedAt: iso(row.acknowledged_at),
    handledAt: iso(row.handled_at),
    ratedAt: iso(row.rated_at),
    ratingNote: row.rating_note,
    reopenCount: row.reopen_count,
    reopenLimit: rules.rules.reopenLimit,
    followers: Number(followers.n),
    mine: { reporter: facts.isReporter, follower: facts.isFollower, departments: facts.whistledDepartments },
    whistles: whistles.map((w) => ({
      id: String(w.id),
      department: { id: String(w.department_id), name: w.department_name, kind: w.department_kind },
      kind: w.kind,
      level: w.level,
      whistledAt: w.whistled_at.toISOString(),
      reportDueAt: w.report_due_at.toISOString(),
      reportedAt: iso(w.reported_at),
      reportOverdue: w.report_overdue,
      resultDueAt: w.result_due_at.toISOString(),
      resultAt: iso(w.result_at),
      resultNote: w.result_note,
      resultAttachments: w.result_attachments,
      streetRating: w.street_rating,
    })),
    proposedDepartments: proposal,
    timeline,
    can,
  };
}

/**
 * What the holder of a tracking code sees (an anonymous reporter): the case's progress without staff
 * names, the reporter's own contact data or internal routing.
 */
export async function publicCaseView(deps: { database: Database }, id: string) {
  const { db } = deps.database;
  const [summary, timeline] = await Promise.all([searchCases(db, { ids: [id], limit: 1 }), timelineOf(db, id)]);
  const c = summary.items[0]!;
  return {
    number: c.number,
    category: c.category,
    description: c.description,
    address: c.address,
    state: c.state,
    grid: c.grid.name,
    createdAt: c.createdAt,
    closedAt: c.closedAt,
    rating: c.rating,
    attachments: c.attachments,
    timeline: timeline
      .filter((t) => t.action !== 'follow')
      .map((t) => ({ at: t.at, action: t.action, toState: t.toState, level: t.level, note: t.note, attachments: t.attachments, department: t.department?.name ?? null })),
  };
}
