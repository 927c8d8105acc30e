import { sql } from 'kysely';
import type { Database } from '../../database.js';
import { DEFAULT_RULE_SETS, type LifeRules } from '../../../platform/rules.js';
import { quorumMet, slotsFor, WHOLE_BRANCH_KINDS, type Slot } from '../../../modules/life/life.rules.js';
import { withBulk, type Column } from './bulk.js';
import { TODAY, type City } from './generate.js';
import { Rng } from './rng.js';

// Organisational life of the synthetic city (issue 5, LIFE-1): the meetings of the year up to the
// city's today, following the default life_rules, for every branch and party group.
//
// Compact on purpose (the city must load in ≤ 60 s): every meeting is a row with its attendance
// counts and quorum — what compliance reads — but attendance rows (and first-agenda study with
// records per member) only for the branches of one community (老围社区, where the demo's member
// accounts are), whose rolls are read back from the members just inserted. Each branch has a
// diligence (most hold nearly everything, some miss a lot); a few general meetings fall short of
// their quorum. Nothing is posted to feeds and no points are awarded: those are other modules'.

const MEETING_COLUMNS: Column[] = [
  ['id', 'bigint'], ['org_id', 'bigint'], ['branch_id', 'bigint'], ['kind', 'text'], ['title', 'text'], ['status', 'text'], ['starts_at', 'timestamptz'], ['ends_at', 'timestamptz'], ['held_on', 'date'],
  ['place', 'text'], ['host', 'text'], ['expected', 'int'], ['present', 'int'], ['excused', 'int'], ['absent', 'int'], ['voting_total', 'int'], ['voting_present', 'int'], ['quorum_met', 'bool'],
  ['counts', 'bool'], ['rule_version', 'text'], ['locked_at', 'timestamptz'],
];
const TITLES: Record<string, (s: Slot, year: number) => string> = {
  general_meeting: (s, y) => `${y}年第${s.idx}季度支部党员大会`,
  committee_meeting: (s) => `${s.idx}月支委会`,
  group_meeting: (s) => `${s.idx}月党小组会`,
  theme_day: (s) => `${s.idx}月主题党日`,
  lecture: () => '书记讲党课',
  life_meeting: () => '年度组织生活会',
  member_review: () => '民主评议党员',
  talk: () => '谈心谈话',
};
const PLACES = ['党群服务中心', '支部活动室', '社区会议室', '党员之家', '线上会议'];
/** Yearly kinds are mostly held late in the year: the share already held by the city's today. */
const YEARLY_SO_FAR: Record<string, number> = { lecture: 0.85, life_meeting: 0.25, member_review: 0.2, talk: 0.5 };

interface Roll { id: number; full: boolean }

export interface MeetingSeed {
  city: City;
  /** full members and all members on the roll of the organisation itself */
  fullOf(orgId: number): number;
  membersOf(orgId: number): number;
  seed?: number;
}

export async function loadMeetings(database: Database, input: MeetingSeed): Promise<{ meetings: number; attendance: number; study: number }> {
  const { city } = input;
  const rules = DEFAULT_RULE_SETS.find((r) => r.key === 'life_rules')!;
  const life = rules.rules as LifeRules;
  const ruleVersion = `${rules.key}@${rules.version}`;
  const year = Number(TODAY.slice(0, 4));
  const slots = slotsFor(life, year, 'year').filter((s) => s.from < TODAY);
  const rng = new Rng((input.seed ?? 20_261_123) ^ 0x11fe);

  const branchKinds = new Set(life.branchKinds);
  const branches = city.orgs.filter((o) => branchKinds.has(o.kind));
  const groupsOf = new Map<number, number[]>();
  for (const o of city.orgs) if (o.kind === 'party_group' && o.parentId !== null) groupsOf.set(o.parentId, [...(groupsOf.get(o.parentId) ?? []), o.id]);

  // the community whose branches get attendance rows: rolls from the members just inserted
  const detailed = new Set(branches.filter((o) => o.parentId !== null && o.parentId === city.named.orgs['桂园街道/老围社区']).map((o) => o.id));
  const rolls = new Map<number, Roll[]>();
  if (detailed.size) {
    const { rows } = await sql<{ id: string; org_id: string; status: string }>`
      SELECT id, org_id, status FROM members WHERE org_id = ANY(${[...detailed]}::bigint[]) AND state = 'active' ORDER BY id`.execute(database.db);
    for (const r of rows) rolls.set(Number(r.org_id), [...(rolls.get(Number(r.org_id)) ?? []), { id: Number(r.id), full: r.status === 'full' }]);
  }

  const meetings: unknown[][] = [];
  const attendance: unknown[][] = [];
  const sessions: unknown[][] = [];
  const records: unknown[][] = [];
  let id = 0;
  let sessionId = 0;
  let total = 0;
  let attendanceRows = 0;

  // per slot, precomputed once: its title and the days a meeting may fall on (before the city's today)
  const slotDays = new Map(slots.map((s) => [s, daysBetween(s.from, s.to < TODAY ? s.to : prevDay(TODAY))]));
  const slotTitle = new Map(slots.map((s) => [s, TITLES[s.kind]!(s, year)]));
  const lockedOn = new Map<string, string | null>();
  const hold = (o: { id: number; branchId: number; unit: number }, s: Slot) => {
    const days = slotDays.get(s)!;
    const day = days[Math.floor(rng.next() * days.length)]!;
    const hour = s.kind === 'theme_day' ? '09' : rng.pick(['09', '14', '19']);
    const startsAt = `${day}T${hour}:30:00+08:00`;
    const endsAt = `${day}T${hour === '09' ? '11' : hour === '14' ? '16' : '21'}:00:00+08:00`;
    // records are confirmed three days later, if that was before the city's today
    let locked = lockedOn.get(day);
    if (locked === undefined) {
      const d = new Date(Date.parse(`${day}T00:00:00Z`) + 3 * 86_400_000).toISOString().slice(0, 10);
      locked = d < TODAY ? `${d}T10:00:00+08:00` : null;
      lockedOn.set(day, locked);
    }
    const roll = rolls.get(o.branchId);
    const whole = WHOLE_BRANCH_KINDS.has(s.kind);
    const members = input.membersOf(o.branchId);
    const full = input.fullOf(o.branchId);
    let t: { expected: number; present: number; excused: number; absent: number; votingTotal: number; votingPresent: number };
    const rowsOfAttendance: [number, string, boolean][] = [];
    if (roll) {
      // real attendance: whole-branch meetings list everybody; others a handful of the roll
      const listed = whole ? roll : roll.slice(0, Math.min(roll.length, s.kind === 'talk' ? 2 : s.kind === 'committee_meeting' ? 5 : Math.max(3, Math.ceil(roll.length / 3))));
      const short = s.kind === 'general_meeting' && rng.chance(0.05);
      for (const m of listed) {
        const p = short ? 0.3 : 0.85;
        rowsOfAttendance.push([m.id, rng.chance(p) ? 'present' : rng.chance(0.6) ? 'excused' : 'absent', m.full]);
      }
      if (!rowsOfAttendance.some((a) => a[1] === 'present') && rowsOfAttendance[0]) rowsOfAttendance[0][1] = 'present';
      t = { expected: listed.length, present: 0, excused: 0, absent: 0, votingTotal: 0, votingPresent: 0 };
      for (const [, st, voting] of rowsOfAttendance) {
        t[st as 'present']++;
        if (voting) {
          t.votingTotal++;
          if (st === 'present') t.votingPresent++;
        }
      }
    } else {
      const expected = whole ? members : s.kind === 'talk' ? 2 : s.kind === 'committee_meeting' ? Math.min(members, rng.int(3, 5)) : Math.max(1, Math.min(members, rng.int(4, 10)));
      // a few general meetings fall short: at most half of the voting members came
      const short = s.kind === 'general_meeting' && rng.chance(0.05);
      const votingPresent = whole && full > 0 ? (short ? rng.int(0, Math.floor(full / 2)) : rng.int(Math.floor(full / 2) + 1, full)) : 0;
      const present = Math.max(1, whole ? votingPresent + rng.int(0, members - full) : rng.int(Math.ceil(expected * 0.6), expected));
      const excused = rng.int(0, expected - Math.min(present, expected));
      t = { expected: Math.max(expected, present), present, excused, absent: Math.max(0, Math.max(expected, present) - present - excused), votingTotal: full, votingPresent };
    }
    const general = s.kind === 'general_meeting';
    const quorum = general ? quorumMet(life, t.votingPresent, t.votingTotal) : null;
    const meetingId = ++id;
    meetings.push([
      meetingId, o.unit, o.branchId, s.kind, slotTitle.get(s)!, 'held', startsAt, endsAt, day, rng.pick(PLACES), roll ? '支部书记' : '',
      t.expected, t.present, t.excused, t.absent, general ? t.votingTotal : null, general ? t.votingPresent : null, quorum, t.present > 0 && (!general || quorum === true), ruleVersion, locked,
    ]);
    for (const [memberId, st, voting] of rowsOfAttendance) attendance.push([meetingId, memberId, st, voting]);
    attendanceRows += rowsOfAttendance.length;
    if (roll && s.kind === 'committee_meeting') {
      // the first agenda of a committee meeting: study of the latest speeches, one hour for those present
      const sid = ++sessionId;
      sessions.push([sid, o.branchId, 'first_agenda', `${s.idx}月第一议题：学习习近平总书记重要讲话精神`, '', day, 1, meetingId]);
      for (const [memberId, st] of rowsOfAttendance) if (st === 'present') records.push([sid, memberId, o.branchId, 1, day]);
    }
    total++;
  };

  // the foreign keys of the two big tables are checked once, set-based, after the load, instead of
  // by a trigger per row (which tripled the load's time)
  const { rows: fks } = await sql<{ tbl: string; name: string; def: string }>`
    SELECT c.conrelid::regclass::text AS tbl, c.conname AS name, pg_get_constraintdef(c.oid) AS def FROM pg_constraint c
    WHERE c.contype = 'f' AND c.conrelid IN ('meetings'::regclass, 'meeting_attendance'::regclass)`.execute(database.db);
  for (const f of fks) await sql`ALTER TABLE ${sql.raw(f.tbl)} DROP CONSTRAINT ${sql.id(f.name)}`.execute(database.db);
  try {
    await withBulk(database, async (w) => {
      const flush = async (force = false) => {
        if (meetings.length < 50_000 && !force) return;
        await w.rows('meetings', MEETING_COLUMNS, meetings.splice(0));
        await w.rows('meeting_attendance', [['meeting_id', 'bigint'], ['member_id', 'bigint'], ['status', 'text'], ['voting', 'bool']], attendance.splice(0));
      };
      for (const b of branches) {
        // most branches hold nearly everything; some miss a good share
        const diligence = rng.weighted({ high: 60, fair: 30, poor: 10 });
        const p = diligence === 'high' ? 0.96 : diligence === 'fair' ? 0.82 : 0.5;
        const hasCommittee = input.fullOf(b.id) >= life.committeeFromFullMembers;
        for (const s of slots) {
          if (s.kind === 'committee_meeting' && !hasCommittee) continue;
          const share = s.every === 'year' ? YEARLY_SO_FAR[s.kind] ?? 0.5 : s.to < TODAY ? 1 : 0.4; // a slot still open may not be held yet
          if (s.kind === 'group_meeting') {
            for (const g of groupsOf.get(b.id) ?? []) if (rng.chance(p * share)) hold({ id: g, branchId: b.id, unit: g }, s);
            continue;
          }
          if (rng.chance(p * share)) hold({ id: b.id, branchId: b.id, unit: b.id }, s);
        }
        await flush();
      }
      await flush(true);
      await w.rows('study_sessions', [['id', 'bigint'], ['org_id', 'bigint'], ['kind', 'text'], ['title', 'text'], ['provider', 'text'], ['held_on', 'date'], ['hours', 'numeric'], ['meeting_id', 'bigint']], sessions);
      await w.rows('study_records', [['session_id', 'bigint'], ['member_id', 'bigint'], ['org_id', 'bigint'], ['hours', 'numeric'], ['studied_on', 'date']], records);
      for (const t of ['meetings', 'study_sessions']) await w.exec(`SELECT setval(pg_get_serial_sequence('${t}', 'id'), coalesce((SELECT max(id) FROM ${t}), 0) + 1, false)`);
    });
  } finally {
    for (const f of fks) await sql`ALTER TABLE ${sql.raw(f.tbl)} ADD CONSTRAINT ${sql.id(f.name)} ${sql.raw(f.def)}`.execute(database.db);
  }
  // a fresh table has no visibility map: without it the compliance ranking's index-only scans
  // visit the heap for every row (twice the time); autovacuum keeps it up in normal operation
  await sql`VACUUM meetings`.execute(database.db);
  return { meetings: total, attendance: attendanceRows, study: records.length };
}

function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`), end = Date.parse(`${to}T00:00:00Z`); t <= end; t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

function prevDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}
