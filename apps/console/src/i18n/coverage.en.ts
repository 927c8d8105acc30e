import type coverageZh from './coverage.zh-CN';

const coverage: typeof coverageZh = {
  place: 'Area',
  date: 'On',
  ruleLine: '{place} · {date} · under “{title}” (version {version}, in force from {from})',
  kinds: { compound: 'Compounds', office_building: 'Office buildings (20+ floors)', enterprise: 'Enterprises', all: 'Total' },
  tabs: { levels: 'By level', units: 'Units ({n})', warnings: 'Warnings ({n})' },
  level: 'Area below',
  unit: 'Unit',
  unitKind: 'Unit kind',
  floors: 'Floors',
  fullMembers: 'Full members',
  covered: 'Covered',
  coveredYes: 'Covered',
  coveredNo: 'Not covered',
  coveredOf: '{covered} of {total} covered',
  coveredBy: 'Covered by',
  via: { own: 'own branch', joint: 'joint branch' },
  severity: 'Severity',
  severities: { violation: 'Violation', warning: 'Warning' },
  rule: 'Rule',
  rules: {
    unit_uncovered: 'Unit not covered',
    unit_needs_own_branch: 'Needs its own branch',
    joint_branch_too_many_units: 'Joint branch too wide',
    branch_too_large: 'Branch too large',
    committee_required: 'Committee required',
    term_expired: 'Term expired',
    term_ending: 'Term ending',
  },
  message: 'Problem',
  remedy: 'Remedy',
};

export default coverage;
