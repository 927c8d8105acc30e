// Permission keys: the single catalogue shared by server (checks) and console (menus, buttons).
// Labels live here so the role editor can show them in both languages.
export const PERMISSIONS = {
  // system administrator (系统管理员)
  // directory: both the system and the security administrator need to see accounts
  'accounts:read': { zh: '查看账号', en: 'View accounts', group: 'directory' },
  'accounts:write': { zh: '管理账号（新增、停用、重置密码、数据范围）', en: 'Manage accounts (create, disable, reset password, scope)', group: 'system' },
  'accounts:read_sensitive': { zh: '查看账号完整手机号（留痕）', en: 'Reveal account phone numbers (audited)', group: 'system' },
  'open311:keys': { zh: '管理 Open311 接口密钥', en: 'Manage Open311 API keys', group: 'system' },
  // security administrator (安全保密管理员)
  'roles:read': { zh: '查看角色与权限', en: 'View roles and permissions', group: 'security' },
  'roles:write': { zh: '管理角色与权限', en: 'Manage roles and permissions', group: 'security' },
  'accounts:assign_roles': { zh: '为账号分配角色', en: 'Assign roles to accounts', group: 'security' },
  'accounts:unlock': { zh: '解除账号锁定', en: 'Unlock accounts', group: 'security' },
  // security auditor (安全审计员)
  'audit:read': { zh: '查看审计日志', en: 'Read the audit log', group: 'audit' },
  'audit:verify': { zh: '校验审计日志哈希链', en: 'Verify the audit hash chain', group: 'audit' },
  // business
  'orgs:read': { zh: '查看党组织', en: 'View organisations', group: 'business' },
  'orgs:write': { zh: '管理党组织', en: 'Manage organisations', group: 'business' },
  'places:read': { zh: '查看区划与网格', en: 'View places and grids', group: 'business' },
  'places:write': { zh: '管理区划与网格', en: 'Manage places and grids', group: 'business' },
  'members:read': { zh: '查看党员档案', en: 'View member files', group: 'business' },
  'members:write': { zh: '管理党员档案', en: 'Manage member files', group: 'business' },
  'members:read_sensitive': { zh: '查看完整身份证号和手机号（留痕）', en: 'Reveal ID and phone numbers (audited)', group: 'business' },
  'members:import': { zh: '导入党员花名册', en: 'Import member rosters', group: 'business' },
  'members:export': { zh: '导出党员花名册', en: 'Export member rosters', group: 'business' },
  'rules:read': { zh: '查看规则集', en: 'View rule sets', group: 'business' },
  'rules:write': { zh: '维护规则集', en: 'Maintain rule sets', group: 'business' },
  // cases: whistle and report (issue 4)
  'cases:report': { zh: '上报案件（随手拍）', en: 'Report cases', group: 'business' },
  'cases:read': { zh: '查看辖区案件', en: 'View cases in my area', group: 'business' },
  'cases:handle': { zh: '办理本单位承办的案件（受理处置、上报）', en: 'Handle cases held by my unit (take up, escalate, mark handled)', group: 'business' },
  'cases:command': { zh: '指挥：立案、不予立案、派遣', en: 'Command: file, reject and dispatch cases', group: 'business' },
  'cases:supervise': { zh: '监督：核查、结案、返工、督办亮牌', en: 'Supervise: verify, close, rework, yellow and red cards', group: 'business' },
  'cases:whistle': { zh: '吹哨：召集职能部门报到', en: 'Whistle departments to report', group: 'business' },
  'cases:department': { zh: '职能部门报到与反馈处置结果', en: 'Department: report to a whistle and submit the result', group: 'business' },
  'cases:configure': { zh: '配置案件类别、职能部门、派单路由与时限', en: 'Configure case categories, departments, routing and deadlines', group: 'business' },
  // member self-service (issue 5): a member's own login
  'self:member': { zh: '党员本人：我的支部、支部动态、报名活动、签到、承诺', en: 'Member self-service: my branch, its feed, activities, check-in, commitments', group: 'business' },
  // branch feed and commitments (issue 5: MEM-2, MEM-10)
  'feed:read': { zh: '查看支部动态', en: 'View branch feeds', group: 'business' },
  'feed:post': { zh: '发布支部通知（可下发至下级组织）', en: 'Post branch notices (optionally to the organisations below)', group: 'business' },
  'commitments:read': { zh: '查看党员承诺', en: 'View members\' commitments', group: 'business' },
  'commitments:review': { zh: '确认党员承诺、记录践诺', en: 'Confirm members\' commitments and record their fulfilment', group: 'business' },
  // points, activities and volunteering (issue 5: MEM-9, LIFE-2)
  'points:read': { zh: '查看党员积分明细与积分排名', en: 'View members\' points ledgers and rankings', group: 'business' },
  'points:correct': { zh: '更正党员积分（新增更正记录，须写明原因）', en: 'Correct members\' points (a new entry with a reason)', group: 'business' },
  'points:configure': { zh: '配置积分规则（分值与每月上限）', en: 'Configure points rules (amounts and monthly caps)', group: 'business' },
  'activities:read': { zh: '查看活动与志愿服务、报名情况', en: 'View activities, volunteer jobs and sign-ups', group: 'business' },
  'activities:manage': { zh: '发布活动与志愿岗位、扫码签到、确认出勤', en: 'Publish activities and volunteer jobs, run QR check-in, confirm attendance', group: 'business' },
  'volunteer:certify': { zh: '志愿服务时长：审核更正、出具证明', en: 'Volunteer hours: approve corrections, issue certificates', group: 'business' },
  // organisational life and study (issue 5: LIFE-1, LIFE-3)
  'life:read': { zh: '查看组织生活（三会一课等）、合规排名与学习记录', en: 'View organisational life (meetings), compliance rankings and study records', group: 'business' },
  'life:write': { zh: '计划和记录组织生活会议、考勤，登记学习记录', en: 'Plan and record meetings with attendance; record study', group: 'business' },
} as const;

export type PermissionKey = keyof typeof PERMISSIONS;
export const PERMISSION_KEYS = Object.keys(PERMISSIONS) as PermissionKey[];

export type PermissionGroup = (typeof PERMISSIONS)[PermissionKey]['group'];

/** The three administrator groups must never meet in one role or one account (三员分立). */
export const ADMIN_GROUPS = ['system', 'security', 'audit'] as const;

export const BUILTIN_ROLES = {
  system_admin: { zh: '系统管理员', en: 'System administrator' },
  security_admin: { zh: '安全保密管理员', en: 'Security administrator' },
  audit_admin: { zh: '安全审计员', en: 'Audit administrator' },
  org_worker: { zh: '组织员', en: 'Organisation worker' },
  branch_secretary: { zh: '支部书记', en: 'Branch secretary' },
  command_centre: { zh: '指挥中心', en: 'Command centre' },
  supervision_centre: { zh: '监督中心', en: 'Supervision centre' },
  department_handler: { zh: '职能部门办理人', en: 'Department handler' },
  grid_worker: { zh: '网格员', en: 'Grid worker' },
  resident: { zh: '居民', en: 'Resident' },
  member: { zh: '党员', en: 'Party member' },
} as const;
export type BuiltinRoleKey = keyof typeof BUILTIN_ROLES;
