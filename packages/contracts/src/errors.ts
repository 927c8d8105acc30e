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
  IMPORT_HAS_ERRORS: { status: 409, zh: '文件有 {count} 行错误，未导入任何数据', en: 'The file has {count} rows with errors; nothing was imported' },
  IMPORT_NOT_FOUND: { status: 404, zh: '导入批次不存在或已过期，请重新上传', en: 'The import batch does not exist or has expired; upload the file again' },
  FILE_INVALID: { status: 400, zh: '文件无法读取：{reason}', en: 'The file cannot be read: {reason}' },
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
