// Stable error codes with their HTTP status and messages in both languages.
// Messages use {name} placeholders filled from the error's params; clients may translate by code.
export const ERRORS = {
  VALIDATION_FAILED: { status: 400, zh: '提交的数据有误，请检查后重试', en: 'The submitted data is invalid' },
  MALFORMED_JSON: { status: 400, zh: '请求体不是合法的 JSON', en: 'The request body is not valid JSON' },
  BAD_REQUEST: { status: 400, zh: '请求无效：{reason}', en: 'Bad request: {reason}' },
  USERNAME_FORMAT: { status: 400, zh: '用户名须以字母开头，3–32 位小写字母、数字或 _ . -', en: 'Usernames start with a letter: 3–32 lower-case letters, digits, _ . -' },
  PHONE_FORMAT: { status: 400, zh: '请输入 11 位手机号码', en: 'Enter an 11-digit mobile number' },
  AUTH_REQUIRED: { status: 401, zh: '请先登录', en: 'Please log in' },
  AUTH_INVALID_CREDENTIALS: { status: 401, zh: '用户名或密码错误', en: 'Wrong username or password' },
  AUTH_ACCOUNT_LOCKED: { status: 423, zh: '账号已锁定，请于 {until} 后再试', en: 'The account is locked until {until}' },
  AUTH_ACCOUNT_DISABLED: { status: 403, zh: '账号已停用', en: 'The account is disabled' },
  AUTH_TOTP_REQUIRED: { status: 401, zh: '请输入动态验证码', en: 'Enter the one-time code from your authenticator' },
  AUTH_TOTP_INVALID: { status: 401, zh: '动态验证码错误', en: 'The one-time code is wrong' },
  AUTH_TOTP_ENROLMENT_REQUIRED: { status: 403, zh: '管理员账号须先绑定动态验证码', en: 'Administrators must enrol a second factor first' },
  AUTH_SESSION_EXPIRED: { status: 401, zh: '登录已超时，请重新登录', en: 'Your session has expired; please log in again' },
  AUTH_PASSWORD_WEAK: { status: 400, zh: '密码至少 {min} 位，且包含大写字母、小写字母、数字、符号中的至少 3 类', en: 'The password needs at least {min} characters from at least 3 of: upper case, lower case, digits, symbols' },
  AUTH_PASSWORD_CHANGE_REQUIRED: { status: 403, zh: '请先修改初始密码', en: 'Change your initial password first' },
  AUTH_PASSWORD_REUSED: { status: 400, zh: '新密码不能与当前密码相同', en: 'The new password must differ from the current one' },
  AUTH_PASSWORD_WRONG: { status: 400, zh: '当前密码错误', en: 'The current password is wrong' },
  FORBIDDEN: { status: 403, zh: '没有权限执行此操作', en: 'You do not have permission to do this' },
  NOT_FOUND: { status: 404, zh: '记录不存在或无权访问', en: 'Not found' },
  ROUTE_NOT_FOUND: { status: 404, zh: '接口不存在：{method} {url}', en: 'No such endpoint: {method} {url}' },
  CONFLICT: { status: 409, zh: '数据冲突：{reason}', en: 'Conflict: {reason}' },
  USERNAME_TAKEN: { status: 409, zh: '用户名 {username} 已被使用', en: 'The username {username} is already taken' },
  ROLE_KEY_TAKEN: { status: 409, zh: '角色标识 {key} 已存在', en: 'The role key {key} already exists' },
  ROLE_IN_USE: { status: 409, zh: '角色仍分配给 {count} 个账号，不能删除', en: 'The role is still assigned to {count} accounts' },
  ROLE_BUILTIN: { status: 409, zh: '内置角色不能删除或改标识', en: 'Built-in roles cannot be deleted or renamed' },
  ADMIN_SEPARATION: { status: 409, zh: '系统管理员、安全管理员、审计管理员的权限不能合并到同一角色或账号', en: 'System, security and audit administration cannot be combined in one role or account' },
  SELF_ACTION: { status: 409, zh: '不能对自己的账号执行此操作', en: 'You cannot do this to your own account' },
  // organisation network and members (issue 3)
  ID_NUMBER_INVALID: { status: 400, zh: '身份证号无效：{reason}', en: 'Invalid ID number: {reason}' },
  ID_NUMBER_DUPLICATE: { status: 409, zh: '身份证号已存在（{name}）', en: 'This ID number is already on file ({name})' },
  ORG_MOVE_INTO_DESCENDANT: { status: 409, zh: '不能把党组织移到它自己或其下级之下', en: 'An organisation cannot be moved under itself or its own descendant' },
  ORG_HAS_MEMBERS: { status: 409, zh: '该党组织仍有 {count} 名党员（{names}），请先转出', en: 'The organisation still has {count} members ({names}); transfer them first' },
  ORG_HAS_CHILDREN: { status: 409, zh: '该党组织仍有 {count} 个下级组织（{names}）', en: 'The organisation still has {count} sub-organisations ({names})' },
  ORG_KIND_NOT_ALLOWED: { status: 409, zh: '{parentKind}下不能设立{kind}', en: 'A {kind} cannot be placed under a {parentKind}' },
  ORG_NOT_ACTIVE: { status: 409, zh: '该党组织已撤销或合并', en: 'The organisation has been abolished or merged' },
  PLACE_KIND_NOT_ALLOWED: { status: 409, zh: '{parentKind}下不能设立{kind}', en: 'A {kind} cannot be placed under a {parentKind}' },
  GEOMETRY_INVALID: { status: 400, zh: '图形无效（{feature}）：{reason}', en: 'Invalid geometry ({feature}): {reason}' },
  // places (GRID-1)
  PLACE_CODE_REQUIRED: { status: 400, zh: '{kind}须填写编码', en: 'A {kind} needs a code' },
  PLACE_CODE_FORMAT: { status: 400, zh: '{kind}编码应为 {length} 位数字（收到 {code}）', en: 'A {kind} code has {length} digits (got {code})' },
  PLACE_CODE_CHARS: { status: 400, zh: '编码只能由字母、数字、_ 和 - 组成，最长 40 位（收到 {code}）', en: 'A code has at most 40 letters, digits, _ or - (got {code})' },
  PLACE_CODE_PREFIX: { status: 400, zh: '编码 {code} 须以上级编码 {prefix} 开头', en: 'The code {code} must start with the parent code {prefix}' },
  PLACE_CODE_TAKEN: { status: 409, zh: '编码 {code} 已被 {name} 使用', en: 'The code {code} is already used by {name}' },
  PLACE_CODE_LOCKED: { status: 409, zh: '已有下级的地点不能修改编码', en: 'The code of a place with children cannot be changed' },
  PLACE_CODE_EXHAUSTED: { status: 409, zh: '{name} 的网格序号已用完（最多 999 个）', en: 'No grid numbers left in {name} (at most 999)' },
  PLACE_FIELD_NOT_APPLICABLE: { status: 400, zh: '此类地点不填写此项', en: 'This field does not apply to this kind of place' },
  PLACE_POINT_INCOMPLETE: { status: 400, zh: '经度和纬度须同时填写或同时清空', en: 'Give both longitude and latitude, or neither' },
  PLACE_LOCATION_REQUIRED: { status: 400, zh: '{kind}须有坐标点或边界', en: 'A {kind} needs a point or a boundary' },
  PLACE_KIND_MISMATCH: { status: 409, zh: '编码 {code} 已是{existingKind}，不能作为{kind}导入', en: 'The code {code} belongs to a {existingKind}, not a {kind}' },
  PLACE_HAS_CHILDREN: { status: 409, zh: '该地点仍有 {count} 个下级（{names}），不能删除', en: 'The place still has {count} children ({names})' },
  PLACE_IN_USE: { status: 409, zh: '该地点仍被{what}引用，不能删除', en: 'The place is still referenced by {what}' },
  IMPORT_FEATURE_INVALID: { status: 400, zh: '要素 {feature} 无效：{reason}', en: 'Feature {feature} is invalid: {reason}' },
  IMPORT_HAS_ERRORS: { status: 409, zh: '文件有 {count} 行错误，未导入任何数据', en: 'The file has {count} rows with errors; nothing was imported' },
  IMPORT_NOT_FOUND: { status: 404, zh: '导入批次不存在或已过期，请重新上传', en: 'The import batch does not exist or has expired; upload the file again' },
  FILE_INVALID: { status: 400, zh: '文件无法读取：{reason}', en: 'The file cannot be read: {reason}' },
  // member files (issue 3); the field-level codes double as messages of form fields and import rows
  ORG_HOLDS_NO_MEMBERS: { status: 409, zh: '{kind}不直接管理党员档案，请选择党支部或党委', en: 'A {kind} does not hold member files; choose a branch or a committee' },
  MEMBER_NOT_ACTIVE: { status: 409, zh: '该党员已不在册（{state}）', en: 'The member is no longer on the roll ({state})' },
  MEMBER_SAME_ORG: { status: 409, zh: '党员已在该党组织', en: 'The member already belongs to this organisation' },
  MEMBER_NOT_IN_SERVICE: { status: 409, zh: '只有在职党员到居住社区报到', en: 'Only in-service members register with their community' },
  MEMBER_NOT_REGISTERED: { status: 409, zh: '该党员尚未到社区报到', en: 'The member has not registered with a community' },
  COMMUNITY_REVIEW_EXISTS: { status: 409, zh: '{year} 年度已评议', en: 'The review for {year} already exists' },
  MOBILE_RECORD_OPEN: { status: 409, zh: '该党员已有未结束的{direction}登记', en: 'The member already has an open {direction} record' },
  RECORD_ENDED: { status: 409, zh: '该记录已结束', en: 'The record has already ended' },
  EXPORT_TOO_LARGE: { status: 400, zh: '导出 {count} 行超过上限 {limit} 行，请缩小筛选范围', en: '{count} rows exceed the export limit of {limit}; narrow the filter' },
  DATE_INVALID: { status: 400, zh: '请输入有效日期（年-月-日）', en: 'Enter a valid date (YYYY-MM-DD)' },
  DATE_IN_FUTURE: { status: 400, zh: '日期不能晚于今天', en: 'The date cannot be in the future' },
  DATE_BEFORE_START: { status: 400, zh: '结束日期不能早于开始日期', en: 'The end date cannot be before the start date' },
  BIRTH_DATE_MISMATCH: { status: 400, zh: '出生日期与身份证号不一致', en: 'The birth date does not match the ID number' },
  GENDER_MISMATCH: { status: 400, zh: '性别与身份证号不一致', en: 'The gender does not match the ID number' },
  FULL_ON_BEFORE_JOINED: { status: 400, zh: '转正日期不能早于入党日期', en: 'The conversion date cannot be before the joining date' },
  FULL_ON_NOT_ALLOWED: { status: 400, zh: '预备党员没有转正日期', en: 'A probationary member has no conversion date' },
  FULL_ON_REQUIRED: { status: 400, zh: '转为正式党员须填写转正日期', en: 'Converting to full membership needs the conversion date' },
  MEMBER_TOO_YOUNG: { status: 400, zh: '入党时须年满 18 周岁', en: 'A member must be at least 18 when joining' },
  JOINED_BEFORE: { status: 400, zh: '日期不能早于入党日期', en: 'The date cannot be before the joining date' },
  NOT_A_COMMUNITY: { status: 400, zh: '请选择一个社区', en: 'Choose a community' },
  NOT_A_RESIDENCE: { status: 400, zh: '请选择社区、小区或楼栋', en: 'Choose a community, compound or residential building' },
  NOT_A_WORK_PLACE: { status: 400, zh: '请选择楼宇或企业', en: 'Choose an office building or an enterprise' },
  AMOUNT_FORMAT: { status: 400, zh: '金额须为不小于 0 的数，最多两位小数', en: 'The amount must be 0 or more with at most 2 decimals' },
  REVIEW_YEAR_INVALID: { status: 400, zh: '评议年度须在报到当年及以后，且不晚于今年', en: 'The review year must be between the registration year and this year' },
  VISIT_OUTSIDE_RECORD: { status: 400, zh: '走访日期须在困难登记期间内', en: 'The visit date must fall within the difficulty record' },
  RULE_SET_NOT_FOUND: { status: 404, zh: '没有在 {date} 生效的规则集 {key}', en: 'No rule set {key} in force on {date}' },
  PAYLOAD_TOO_LARGE: { status: 413, zh: '请求体过大（上限 {limit}）', en: 'The request body is too large (limit {limit})' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, zh: '不支持的内容类型', en: 'Unsupported content type' },
  RATE_LIMITED: { status: 429, zh: '操作过于频繁，请稍后再试', en: 'Too many requests; try again later' },
  INTERNAL: { status: 500, zh: '服务器内部错误，请稍后重试', en: 'Internal server error' },
} as const;

export type ErrorCode = keyof typeof ERRORS;

export interface ErrorBody {
  error: { code: ErrorCode | string; message: string; params: Record<string, unknown>; fields?: Record<string, string> };
}

export type Locale = 'zh-CN' | 'en';

export function formatMessage(code: string, params: Record<string, unknown> = {}, locale: Locale = 'zh-CN'): string {
  const def = (ERRORS as Record<string, { zh: string; en: string }>)[code];
  const template = def ? (locale === 'en' ? def.en : def.zh) : code;
  return template.replace(/\{(\w+)\}/g, (_, k: string) => (params[k] === undefined ? `{${k}}` : String(params[k])));
}
