// Dictionaries (字典): code values stored in the database with their labels.
export interface DictEntry { zh: string; en: string }
export type Dict<K extends string = string> = Record<K, DictEntry>;

export const PLACE_KINDS = {
  city: { zh: '市', en: 'City' },
  district: { zh: '区', en: 'District' },
  street: { zh: '街道', en: 'Street' },
  community: { zh: '社区', en: 'Community' },
  grid: { zh: '网格', en: 'Grid' },
  compound: { zh: '小区', en: 'Compound' },
  office_building: { zh: '楼宇', en: 'Office building' },
  enterprise: { zh: '企业', en: 'Enterprise' },
} as const satisfies Dict;
export type PlaceKind = keyof typeof PLACE_KINDS;

export const ORG_KINDS = {
  committee: { zh: '党委', en: 'Party committee' },
  working_committee: { zh: '党工委', en: 'Working committee' },
  general_branch: { zh: '党总支', en: 'General branch' },
  branch: { zh: '党支部', en: 'Branch' },
  joint_branch: { zh: '联合党支部', en: 'Joint branch' },
  temporary_branch: { zh: '临时党支部', en: 'Temporary branch' },
  party_group: { zh: '党小组', en: 'Party group' },
} as const satisfies Dict;
export type OrgKind = keyof typeof ORG_KINDS;

export const ORG_DOMAINS = {
  government: { zh: '机关', en: 'Government organ' },
  street: { zh: '街道', en: 'Street' },
  community: { zh: '社区', en: 'Community' },
  compound: { zh: '住宅小区', en: 'Residential compound' },
  office_building: { zh: '商务楼宇', en: 'Office building' },
  enterprise: { zh: '非公企业', en: 'Non-public enterprise' },
  social_org: { zh: '社会组织', en: 'Social organisation' },
  park: { zh: '产业园区', en: 'Industrial park' },
  state_enterprise: { zh: '国有企业', en: 'State enterprise' },
  school: { zh: '学校', en: 'School' },
  hospital: { zh: '医院', en: 'Hospital' },
  renewal_project: { zh: '城市更新项目', en: 'Urban-renewal project' },
  grid: { zh: '网格', en: 'Grid' },
  platform_economy: { zh: '平台经济', en: 'Platform economy' },
  hometown_group: { zh: '流动党员同乡', en: 'Migrant hometown group' },
} as const satisfies Dict;
export type OrgDomain = keyof typeof ORG_DOMAINS;

export const ACCOUNT_STATUS = {
  active: { zh: '正常', en: 'Active' },
  disabled: { zh: '停用', en: 'Disabled' },
} as const satisfies Dict;

export const AUDIT_RESULTS = {
  ok: { zh: '成功', en: 'Succeeded' },
  denied: { zh: '拒绝', en: 'Denied' },
  failed: { zh: '失败', en: 'Failed' },
} as const satisfies Dict;

/** Audit actions, so the audit page can show them in words. */
export const AUDIT_ACTIONS = {
  'auth.login': { zh: '登录', en: 'Log in' },
  'auth.logout': { zh: '退出登录', en: 'Log out' },
  'auth.token': { zh: '签发 API 令牌', en: 'Issue an API token' },
  'auth.password_change': { zh: '修改密码', en: 'Change password' },
  'auth.totp_enable': { zh: '绑定动态验证码', en: 'Enrol TOTP' },
  'auth.totp_disable': { zh: '解绑动态验证码', en: 'Remove TOTP' },
  'account.create': { zh: '新增账号', en: 'Create account' },
  'account.update': { zh: '修改账号', en: 'Update account' },
  'account.disable': { zh: '停用账号', en: 'Disable account' },
  'account.enable': { zh: '启用账号', en: 'Enable account' },
  'account.reset_password': { zh: '重置密码', en: 'Reset password' },
  'account.unlock': { zh: '解除锁定', en: 'Unlock account' },
  'account.assign_roles': { zh: '分配角色', en: 'Assign roles' },
  'account.read_sensitive': { zh: '查看敏感字段', en: 'Reveal a sensitive field' },
  'account.export': { zh: '导出账号', en: 'Export accounts' },
  'role.create': { zh: '新增角色', en: 'Create role' },
  'role.update': { zh: '修改角色', en: 'Update role' },
  'role.delete': { zh: '删除角色', en: 'Delete role' },
  'audit.read': { zh: '查询审计日志', en: 'Read the audit log' },
  'system.seed': { zh: '初始化数据', en: 'Initialise data' },
  'audit.verify': { zh: '校验审计链', en: 'Verify the audit chain' },
  'access.denied': { zh: '越权访问被拒绝', en: 'Access refused' },
} as const satisfies Dict;
