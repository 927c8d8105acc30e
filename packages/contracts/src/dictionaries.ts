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
  building: { zh: '楼栋', en: 'Residential building' },
  office_building: { zh: '楼宇', en: 'Office building' },
  enterprise: { zh: '企业', en: 'Enterprise' },
} as const satisfies Dict;
export type PlaceKind = keyof typeof PLACE_KINDS;

/** Use of an office building (楼宇) or a residential building (楼栋). */
export const BUILDING_USES = {
  office: { zh: '办公', en: 'Office' },
  commercial: { zh: '商业', en: 'Commercial' },
  mixed: { zh: '商住混合', en: 'Mixed use' },
  residential: { zh: '住宅', en: 'Residential' },
  industrial: { zh: '工业厂房', en: 'Industrial' },
  public: { zh: '公共服务', en: 'Public service' },
} as const satisfies Dict;
export type BuildingUse = keyof typeof BUILDING_USES;

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

// Members (一党员一档案)
export const GENDERS = {
  male: { zh: '男', en: 'Male' },
  female: { zh: '女', en: 'Female' },
} as const satisfies Dict;
export type Gender = keyof typeof GENDERS;

export const MEMBER_STATUS = {
  probationary: { zh: '预备党员', en: 'Probationary member' },
  full: { zh: '正式党员', en: 'Full member' },
} as const satisfies Dict;
export type MemberStatus = keyof typeof MEMBER_STATUS;

/** Whether a file is on the roll; only 'active' members are counted. */
export const MEMBER_STATES = {
  active: { zh: '在册', en: 'On the roll' },
  transferred_out: { zh: '已转出', en: 'Transferred out' },
  deceased: { zh: '已去世', en: 'Deceased' },
  left: { zh: '已出党', en: 'Left the party' },
} as const satisfies Dict;
export type MemberState = keyof typeof MEMBER_STATES;

export const MEMBER_CATEGORIES = {
  in_service: { zh: '在职党员', en: 'In service' },
  retired: { zh: '离退休党员', en: 'Retired' },
  student: { zh: '学生党员', en: 'Student' },
  non_public: { zh: '非公企业党员', en: 'Non-public sector' },
  mobile: { zh: '流动党员', en: 'Mobile' },
  gig: { zh: '新就业群体党员', en: 'Gig worker' },
  farmer: { zh: '农民党员', en: 'Farmer' },
  unemployed: { zh: '无固定职业党员', en: 'Unemployed' },
} as const satisfies Dict;
export type MemberCategory = keyof typeof MEMBER_CATEGORIES;

export const EDUCATION = {
  doctorate: { zh: '博士研究生', en: 'Doctorate' },
  master: { zh: '硕士研究生', en: "Master's degree" },
  bachelor: { zh: '大学本科', en: "Bachelor's degree" },
  associate: { zh: '大学专科', en: 'Associate degree' },
  vocational: { zh: '中专中技', en: 'Secondary vocational' },
  high_school: { zh: '高中', en: 'High school' },
  middle_school_or_below: { zh: '初中及以下', en: 'Middle school or below' },
} as const satisfies Dict;
export type Education = keyof typeof EDUCATION;

export const MEMBER_MOVE_KINDS = {
  join: { zh: '入党建档', en: 'Joined' },
  move: { zh: '调整党组织', en: 'Moved' },
  transfer_out: { zh: '转出', en: 'Transferred out' },
  transfer_in: { zh: '转入', en: 'Transferred in' },
  leave: { zh: '离开', en: 'Left' },
  org_merged: { zh: '党组织合并', en: 'Organisation merged' },
} as const satisfies Dict;
export type MemberMoveKind = keyof typeof MEMBER_MOVE_KINDS;

export const COMMUNITY_REVIEW_RESULTS = {
  excellent: { zh: '优秀', en: 'Excellent' },
  good: { zh: '良好', en: 'Good' },
  fair: { zh: '一般', en: 'Fair' },
  poor: { zh: '较差', en: 'Poor' },
} as const satisfies Dict;
export type CommunityReviewResult = keyof typeof COMMUNITY_REVIEW_RESULTS;

export const MOBILE_DIRECTIONS = {
  outflow: { zh: '流出', en: 'Outflow' },
  inflow: { zh: '流入', en: 'Inflow' },
} as const satisfies Dict;
export type MobileDirection = keyof typeof MOBILE_DIRECTIONS;

export const DIFFICULTY_KINDS = {
  illness: { zh: '因病致困', en: 'Illness' },
  disability: { zh: '残疾', en: 'Disability' },
  elderly_alone: { zh: '高龄独居', en: 'Elderly living alone' },
  low_income: { zh: '低收入', en: 'Low income' },
  disaster: { zh: '因灾致困', en: 'Disaster' },
  other: { zh: '其他', en: 'Other' },
} as const satisfies Dict;
export type DifficultyKind = keyof typeof DIFFICULTY_KINDS;

export const DIFFICULTY_LEVELS = {
  severe: { zh: '特别困难', en: 'Severe' },
  moderate: { zh: '比较困难', en: 'Moderate' },
  general: { zh: '一般困难', en: 'General' },
} as const satisfies Dict;
export type DifficultyLevel = keyof typeof DIFFICULTY_LEVELS;

export const ORG_STATUS = {
  active: { zh: '正常', en: 'Active' },
  abolished: { zh: '已撤销', en: 'Abolished' },
  merged: { zh: '已合并', en: 'Merged' },
} as const satisfies Dict;

export const COMMITTEE_ROLES = {
  secretary: { zh: '书记', en: 'Secretary' },
  deputy_secretary: { zh: '副书记', en: 'Deputy secretary' },
  organisation: { zh: '组织委员', en: 'Organisation member' },
  propaganda: { zh: '宣传委员', en: 'Propaganda member' },
  discipline: { zh: '纪检委员', en: 'Discipline member' },
  member: { zh: '委员', en: 'Member' },
} as const satisfies Dict;

// The branch feed and commitments (issue 5: MEM-2, MEM-10)
export const FEED_KINDS = {
  notice: { zh: '通知', en: 'Notice' },
  meeting: { zh: '会议', en: 'Meeting' },
  activity: { zh: '活动', en: 'Activity' },
  vote_result: { zh: '表决结果', en: 'Vote result' },
  new_member: { zh: '新成员', en: 'New member' },
  points_ranking: { zh: '积分排行', en: 'Points ranking' },
  commitment: { zh: '承诺践诺', en: 'Commitment' },
  study: { zh: '学习', en: 'Study' },
} as const satisfies Dict;
export type FeedKind = keyof typeof FEED_KINDS;

export const COMMITMENT_STATUS = {
  published: { zh: '已公开（可修改）', en: 'Published (editable)' },
  locked: { zh: '支部已确认', en: 'Confirmed by the branch' },
} as const satisfies Dict;

export const COMMITMENT_ITEM_STATUS = {
  pending: { zh: '待践诺', en: 'Pending' },
  in_progress: { zh: '践诺中', en: 'In progress' },
  fulfilled: { zh: '已践诺', en: 'Fulfilled' },
  not_fulfilled: { zh: '未践诺', en: 'Not fulfilled' },
} as const satisfies Dict;

export const ACCOUNT_STATUS = {
  active: { zh: '正常', en: 'Active' },
  disabled: { zh: '停用', en: 'Disabled' },
} as const satisfies Dict;

export const AUDIT_RESULTS = {
  ok: { zh: '成功', en: 'Succeeded' },
  denied: { zh: '拒绝', en: 'Denied' },
  failed: { zh: '失败', en: 'Failed' },
} as const satisfies Dict;

// Cases: whistle and report (吹哨报到, issue 4)
export const CASE_STATES = {
  received: { zh: '受理', en: 'Received' },
  filed: { zh: '立案', en: 'Filed' },
  rejected: { zh: '不予立案', en: 'Rejected' },
  dispatched: { zh: '派遣', en: 'Dispatched' },
  handling: { zh: '处置中', en: 'Handling' },
  handled: { zh: '已处置', en: 'Handled' },
  verifying: { zh: '核查中', en: 'Verifying' },
  closed: { zh: '结案', en: 'Closed' },
  rated: { zh: '已评价', en: 'Rated' },
} as const satisfies Dict;
export type CaseState = keyof typeof CASE_STATES;

export const CASE_SOURCES = {
  resident: { zh: '居民上报', en: 'Resident' },
  grid_worker: { zh: '网格员巡查', en: 'Grid worker' },
  grid_helper: { zh: '网格协管员（快递小哥等）', en: 'Grid helper' },
  member: { zh: '党员上报', en: 'Party member' },
  hotline: { zh: '热线', en: 'Hotline' },
  iot: { zh: '物联感知告警', en: 'IoT alarm' },
  open311: { zh: 'Open311 接口', en: 'Open311 client' },
} as const satisfies Dict;
export type CaseSource = keyof typeof CASE_SOURCES;

export const CASE_PRIORITIES = {
  emergency: { zh: '紧急', en: 'Emergency' },
  urgent: { zh: '加急（水电气热、极端天气）', en: 'Urgent (utilities, extreme weather)' },
  general: { zh: '一般', en: 'General' },
  complex: { zh: '疑难复杂', en: 'Complex' },
} as const satisfies Dict;
export type CasePriority = keyof typeof CASE_PRIORITIES;

export const CASE_LEVELS = {
  grid: { zh: '网格', en: 'Grid' },
  community: { zh: '社区', en: 'Community' },
  street: { zh: '街道', en: 'Street' },
} as const satisfies Dict;
export type CaseLevel = keyof typeof CASE_LEVELS;

export const WHISTLE_KINDS = {
  daily: { zh: '日常吹哨', en: 'Daily' },
  hard: { zh: '攻坚吹哨', en: 'Hard problem' },
  emergency: { zh: '应急吹哨', en: 'Emergency' },
} as const satisfies Dict;
export type WhistleKind = keyof typeof WHISTLE_KINDS;

export const CASE_CARDS = {
  none: { zh: '无', en: 'None' },
  yellow: { zh: '黄牌督办', en: 'Yellow card' },
  red: { zh: '红牌督办', en: 'Red card' },
} as const satisfies Dict;
export type CaseCard = keyof typeof CASE_CARDS;

export const CASE_RATINGS = {
  satisfied: { zh: '满意', en: 'Satisfied' },
  basically_satisfied: { zh: '基本满意', en: 'Basically satisfied' },
  dissatisfied: { zh: '不满意', en: 'Dissatisfied' },
} as const satisfies Dict;
export type CaseRating = keyof typeof CASE_RATINGS;

export const DEPARTMENT_KINDS = {
  city_management: { zh: '城管', en: 'City management' },
  fire: { zh: '消防', en: 'Fire and rescue' },
  police: { zh: '公安', en: 'Police' },
  emergency: { zh: '应急', en: 'Emergency management' },
  water: { zh: '水务', en: 'Water' },
  housing: { zh: '住建', en: 'Housing and construction' },
  market: { zh: '市场监管', en: 'Market regulation' },
  environment: { zh: '生态环境', en: 'Environment' },
  other: { zh: '其他', en: 'Other' },
} as const satisfies Dict;
export type DepartmentKind = keyof typeof DEPARTMENT_KINDS;

/** Timeline entries of a case (案件流转记录). */
export const CASE_EVENTS = {
  report: { zh: '上报', en: 'Reported' },
  follow: { zh: '关注（重复上报）', en: 'Followed (duplicate report)' },
  file: { zh: '立案', en: 'Filed' },
  reject: { zh: '不予立案', en: 'Rejected' },
  dispatch: { zh: '派遣', en: 'Dispatched' },
  accept: { zh: '接单处置', en: 'Taken up' },
  escalate: { zh: '上报上级', en: 'Escalated' },
  whistle: { zh: '吹哨', en: 'Whistled' },
  department_report: { zh: '部门报到', en: 'Department reported' },
  department_result: { zh: '部门反馈处置结果', en: 'Department submitted its result' },
  department_rated: { zh: '评价部门处置', en: 'Department rated' },
  whistle_overdue: { zh: '部门报到超时', en: 'Department report overdue' },
  mark_handled: { zh: '处置完毕', en: 'Marked handled' },
  start_verification: { zh: '开始核查', en: 'Verification started' },
  close: { zh: '核查通过，结案', en: 'Verified and closed' },
  rework: { zh: '核查不通过，返工', en: 'Verification failed: rework' },
  rate: { zh: '评价', en: 'Rated' },
  reopen: { zh: '不满意，重新办理', en: 'Reopened (dissatisfied)' },
  card: { zh: '督办亮牌', en: 'Supervision card' },
  overdue_escalate: { zh: '超时自动上报并黄牌督办', en: 'Overdue: escalated, yellow card' },
  overdue_yellow: { zh: '超时黄牌督办', en: 'Overdue: yellow card' },
  overdue_red: { zh: '严重超时红牌督办', en: 'Overdue twice its deadline: red card' },
} as const satisfies Dict;
export type CaseEvent = keyof typeof CASE_EVENTS;

/** Audit actions, so the audit page can show them in words. */
export const AUDIT_ACTIONS = {
  'auth.login': { zh: '登录', en: 'Log in' },
  'auth.logout': { zh: '退出登录', en: 'Log out' },
  'auth.token': { zh: '签发 API 令牌', en: 'Issue an API token' },
  'auth.password_change': { zh: '修改密码', en: 'Change password' },
  'auth.totp_setup': { zh: '生成动态验证码密钥', en: 'Start TOTP enrolment' },
  'auth.totp_enable': { zh: '绑定动态验证码', en: 'Enrol TOTP' },
  'auth.totp_disable': { zh: '解绑动态验证码', en: 'Remove TOTP' },
  'auth.otp_request': { zh: '获取短信验证码', en: 'Request a one-time code' },
  'auth.otp_verify': { zh: '短信验证码登录', en: 'Log in with a one-time code' },
  'auth.member_link': { zh: '手机号登录关联党员本人', en: 'Link a phone login to its party member' },
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
  'org.found': { zh: '成立党组织', en: 'Found an organisation' },
  'org.update': { zh: '修改党组织', en: 'Update an organisation' },
  'org.move': { zh: '调整隶属关系', en: 'Move an organisation' },
  'org.merge': { zh: '合并党组织', en: 'Merge organisations' },
  'org.abolish': { zh: '撤销党组织', en: 'Abolish an organisation' },
  'org.committee_add': { zh: '增补委员', en: 'Add a committee member' },
  'org.committee_end': { zh: '委员离任', en: 'End a committee term' },
  'org.units': { zh: '调整覆盖单位', en: 'Set covered units' },
  'rules.create': { zh: '新增规则版本', en: 'Add a rule-set version' },
  'member.create': { zh: '新增党员档案', en: 'Create member file' },
  'member.update': { zh: '修改党员档案', en: 'Update member file' },
  'member.move': { zh: '调整党员所在党组织', en: 'Move member to another organisation' },
  'member.leave': { zh: '党员转出、去世或出党', en: 'Member transferred out, deceased or left' },
  'member.read_sensitive': { zh: '查看党员敏感信息', en: 'Reveal member sensitive data' },
  'member.register_community': { zh: '在职党员社区报到', en: 'Community registration' },
  'member.review': { zh: '在职党员年度评议', en: 'Yearly community review' },
  'member.mobile_record': { zh: '流动党员登记', en: 'Mobile member record' },
  'member.mobile_record_end': { zh: '流动党员登记结束', en: 'End mobile member record' },
  'member.difficulty': { zh: '困难党员登记', en: 'Member in difficulty recorded' },
  'member.difficulty_update': { zh: '修改困难党员登记', en: 'Update difficulty record' },
  'member.visit': { zh: '困难党员帮扶走访', en: 'Assistance visit' },
  'member.import': { zh: '导入党员花名册', en: 'Import member roster' },
  'member.export': { zh: '导出党员花名册', en: 'Export member roster' },
  'member.export_unmasked': { zh: '导出党员花名册（含完整证件号）', en: 'Export member roster unmasked' },
  'place.create': { zh: '新增区划/网格/地点', en: 'Create place' },
  'place.update': { zh: '修改区划/网格/地点', en: 'Update place' },
  'place.delete': { zh: '删除区划/网格/地点', en: 'Delete place' },
  'place.import': { zh: '导入 GeoJSON 边界', en: 'Import GeoJSON boundaries' },
  'case.report': { zh: '上报案件', en: 'Report a case' },
  'case.follow': { zh: '关注案件', en: 'Follow a case' },
  'case.file': { zh: '立案', en: 'File a case' },
  'case.reject': { zh: '不予立案', en: 'Reject a case' },
  'case.dispatch': { zh: '派遣案件', en: 'Dispatch a case' },
  'case.accept': { zh: '接单处置', en: 'Take up a case' },
  'case.escalate': { zh: '案件上报上级', en: 'Escalate a case' },
  'case.whistle': { zh: '吹哨', en: 'Whistle departments' },
  'case.department_report': { zh: '部门报到', en: 'Department report' },
  'case.department_result': { zh: '部门反馈处置结果', en: 'Department result' },
  'case.department_rate': { zh: '评价部门处置', en: 'Rate a department' },
  'case.mark_handled': { zh: '案件处置完毕', en: 'Mark a case handled' },
  'case.start_verification': { zh: '开始核查', en: 'Start verification' },
  'case.close': { zh: '核查结案', en: 'Verify and close' },
  'case.rework': { zh: '核查返工', en: 'Send back for rework' },
  'case.rate': { zh: '评价案件', en: 'Rate a case' },
  'case.reopen': { zh: '重新办理', en: 'Reopen a case' },
  'case.card': { zh: '督办亮牌', en: 'Supervision card' },
  'case.overdue': { zh: '案件超时督办', en: 'Case overdue' },
  'case.whistle_overdue': { zh: '部门报到超时', en: 'Department report overdue' },
  'case.category_save': { zh: '保存案件类别', en: 'Save a case category' },
  'case.department_save': { zh: '保存职能部门', en: 'Save a department' },
  'case.department_staff': { zh: '设置部门人员', en: 'Set department staff' },
  'case.routing_save': { zh: '保存派单路由', en: 'Save a routing entry' },
  'notification.read': { zh: '标记通知已读', en: 'Mark a notification read' },
  'notification.read_all': { zh: '全部通知标为已读', en: 'Mark all notifications read' },
  'feed.post': { zh: '发布支部动态', en: 'Post to a branch feed' },
  'feed.withdraw': { zh: '撤回支部通知', en: 'Withdraw a branch notice' },
  'feed.read': { zh: '支部动态标为已读', en: 'Mark the branch feed read' },
  'commitment.publish': { zh: '党员公开承诺', en: 'Publish commitments' },
  'commitment.update': { zh: '修改承诺', en: 'Update commitments' },
  'commitment.lock': { zh: '确认党员承诺', en: 'Confirm commitments' },
  'commitment.reopen': { zh: '退回承诺修改', en: 'Send commitments back for changes' },
  'commitment.fulfilment': { zh: '记录践诺', en: 'Record a fulfilment' },
  'points.award': { zh: '积分入账', en: 'Award points' },
  'points.correct': { zh: '积分更正', en: 'Correct points' },
  'points.rules': { zh: '新增积分规则版本', en: 'Add a points-rules version' },
  'activity.publish': { zh: '发布活动/志愿岗位', en: 'Publish an activity' },
  'activity.update': { zh: '修改活动', en: 'Update an activity' },
  'activity.cancel': { zh: '取消活动', en: 'Cancel an activity' },
  'activity.signup': { zh: '报名活动/认领岗位', en: 'Sign up for an activity' },
  'activity.signup_cancel': { zh: '取消报名', en: 'Cancel a sign-up' },
  'activity.check_in': { zh: '扫码签到', en: 'Check in' },
  'activity.confirm': { zh: '确认出勤', en: 'Confirm attendance' },
  'volunteer.correction_request': { zh: '申请更正志愿服务时长', en: 'Ask for a volunteer-hours correction' },
  'volunteer.correction_decide': { zh: '审核志愿服务时长更正', en: 'Decide a volunteer-hours correction' },
  'volunteer.correct': { zh: '更正志愿服务时长', en: 'Correct volunteer hours' },
  'volunteer.certificate': { zh: '出具志愿服务证明', en: 'Issue a volunteer-hours certificate' },
  'meeting.plan': { zh: '计划组织生活会议', en: 'Plan a meeting' },
  'meeting.update': { zh: '修改会议记录', en: 'Update a meeting record' },
  'meeting.record': { zh: '记录会议召开', en: 'Record a meeting as held' },
  'meeting.attendance': { zh: '更正会议考勤', en: 'Correct meeting attendance' },
  'meeting.cancel': { zh: '取消会议', en: 'Cancel a meeting' },
  'meeting.lock': { zh: '确认会议记录', en: 'Confirm a meeting record' },
  'study.session_create': { zh: '登记学习', en: 'Record a study session' },
  'study.session_update': { zh: '修改学习记录', en: 'Update a study session' },
  'study.records_add': { zh: '登记党员学时', en: 'Record members\' study hours' },
  'study.record_update': { zh: '更正党员学时', en: 'Correct a member\'s study hours' },
} as const satisfies Dict;

// Points, activities and volunteering (issue 5: MEM-9, LIFE-2)
export const POINTS_SOURCES = {
  meeting: { zh: '参加组织生活', en: 'Meeting attended' },
  activity: { zh: '参加活动', en: 'Activity' },
  volunteer: { zh: '志愿服务', en: 'Volunteer service' },
  study: { zh: '学习', en: 'Study' },
  case: { zh: '随手拍被采纳', en: 'Snap report confirmed' },
  commitment: { zh: '践行承诺', en: 'Commitment fulfilled' },
  correction: { zh: '积分更正', en: 'Correction' },
} as const satisfies Dict;
export type PointsSourceKey = keyof typeof POINTS_SOURCES;

/** How a rule's amount counts: per occurrence, or per verified hour. */
export const POINTS_UNITS = {
  each: { zh: '每次', en: 'Each time' },
  hour: { zh: '每小时', en: 'Per hour' },
} as const satisfies Dict;

export const ACTIVITY_KINDS = {
  activity: { zh: '组织活动', en: 'Activity' },
  volunteer: { zh: '志愿服务岗位', en: 'Volunteer job' },
} as const satisfies Dict;
export type ActivityKind = keyof typeof ACTIVITY_KINDS;

export const ACTIVITY_PHASES = {
  open: { zh: '报名中', en: 'Open for sign-up' },
  closed: { zh: '报名截止', en: 'Sign-up closed' },
  ongoing: { zh: '进行中', en: 'Under way' },
  ended: { zh: '已结束', en: 'Ended' },
  cancelled: { zh: '已取消', en: 'Cancelled' },
} as const satisfies Dict;

export const ATTENDANCE = {
  present: { zh: '出勤', en: 'Present' },
  absent: { zh: '缺勤', en: 'Absent' },
} as const satisfies Dict;

export const SIGNUP_STATUS = {
  signed_up: { zh: '已报名', en: 'Signed up' },
  cancelled: { zh: '已取消', en: 'Cancelled' },
} as const satisfies Dict;

export const VOLUNTEER_HOUR_KINDS = {
  service: { zh: '服务记录', en: 'Service' },
  correction: { zh: '更正', en: 'Correction' },
} as const satisfies Dict;

export const CORRECTION_REQUEST_STATUS = {
  pending: { zh: '待审核', en: 'Pending' },
  approved: { zh: '已同意', en: 'Approved' },
  rejected: { zh: '未同意', en: 'Rejected' },
} as const satisfies Dict;

// Organisational life and study (issue 5: LIFE-1, LIFE-3)
export const MEETING_KINDS = {
  general_meeting: { zh: '支部党员大会', en: 'Branch general meeting' },
  committee_meeting: { zh: '支部委员会', en: 'Branch committee meeting' },
  group_meeting: { zh: '党小组会', en: 'Party group meeting' },
  lecture: { zh: '党课', en: 'Party lecture' },
  theme_day: { zh: '主题党日', en: 'Theme party day' },
  life_meeting: { zh: '组织生活会', en: 'Organisational-life meeting' },
  member_review: { zh: '民主评议党员', en: 'Democratic review of members' },
  talk: { zh: '谈心谈话', en: 'One-to-one talks' },
} as const satisfies Dict;
export type MeetingKind = keyof typeof MEETING_KINDS;

export const MEETING_STATUS = {
  planned: { zh: '计划中', en: 'Planned' },
  held: { zh: '已召开', en: 'Held' },
  cancelled: { zh: '已取消', en: 'Cancelled' },
} as const satisfies Dict;
export type MeetingStatus = keyof typeof MEETING_STATUS;

export const MEETING_ATTENDANCE = {
  present: { zh: '出席', en: 'Present' },
  excused: { zh: '请假', en: 'Excused' },
  absent: { zh: '缺席', en: 'Absent' },
} as const satisfies Dict;
export type MeetingAttendance = keyof typeof MEETING_ATTENDANCE;

/** How often a rule requires a meeting (life_rules). */
export const LIFE_FREQUENCIES = {
  month: { zh: '每月', en: 'Monthly' },
  quarter: { zh: '每季度', en: 'Quarterly' },
  year: { zh: '每年', en: 'Yearly' },
} as const satisfies Dict;

/** A required meeting in a period: held, overdue (its due date passed), due (open now), upcoming. */
export const COMPLIANCE_STATES = {
  done: { zh: '已完成', en: 'Done' },
  overdue: { zh: '缺失（已逾期）', en: 'Missing (overdue)' },
  due: { zh: '待完成（本期内）', en: 'Due (this period)' },
  upcoming: { zh: '未到期', en: 'Upcoming' },
} as const satisfies Dict;
export type ComplianceState = keyof typeof COMPLIANCE_STATES;

export const STUDY_KINDS = {
  first_agenda: { zh: '第一议题学习', en: 'First-agenda study' },
  course: { zh: '先锋学院课程', en: 'Course (Pioneer Academy)' },
  lecture: { zh: '书记讲党课', en: 'Secretary\'s lecture' },
} as const satisfies Dict;
export type StudyKind = keyof typeof STUDY_KINDS;
