import { createI18n } from 'vue-i18n';
import type { Dict } from '@tongxin/contracts';
import { memberEn, memberZh } from './i18n.member';
import { actEn, actZh } from './i18n.activities';
import { lifeEn, lifeZh } from './i18n.life';

const zh = {
  app: { title: '同心 · 随手拍' },
  nav: { report: '上报', mine: '我的上报', track: '查询', verify: '核查', me: '我的' },
  common: { loading: '加载中…', retry: '重试', empty: '暂无数据', submit: '提交', cancel: '取消', back: '返回', logout: '退出登录', required: '必填' },
  login: {
    resident: '居民 / 党员', staff: '工作人员', phone: '手机号', phonePh: '请输入手机号', code: '验证码', codePh: '6 位验证码', send: '获取验证码', resend: '{n} 秒后重发',
    sent: '验证码已发送', submit: '登录', username: '用户名', password: '密码', devInbox: '开发环境短信收件箱', anonymous: '不登录，匿名上报', track: '凭查询码查询进度',
    badPhone: '请输入正确的 11 位手机号', badCode: '请输入 6 位验证码',
  },
  report: {
    title: '随手拍', anonymousTitle: '匿名上报', category: '问题类别', categoryPh: '请先选择问题类别', description: '问题描述', descriptionPh: '请描述问题（至少 2 个字）',
    photos: '现场照片', location: '位置', address: '地址说明', addressPh: '如：某小区 3 栋楼道（选填）', gps: '使用当前定位', pick: '在地图上点选位置', noLocation: '尚未选择位置',
    exif: '照片中带有拍摄位置，是否使用？', useExif: '使用照片位置', gpsFailed: '无法获取定位：{reason}', gpsUnsupported: '此浏览器不支持定位', submit: '提交上报', submitted: '上报成功',
    duplicatesTitle: '附近已有同类问题', duplicatesHint: '以下问题可能与您要上报的相同，可直接关注，不必重复上报：', follow: '关注此问题', followed: '已关注，处理进展会同步给您',
    continue: '仍要上报新问题', distance: '{n} 米', trackingCode: '查询码', trackingHint: '请保存查询码，可凭它查询处理进度并评价：', anonymousNotAllowed: '该类别不支持匿名上报，请登录后上报',
    anonymousOnly: '仅显示可匿名上报的类别', uploadFailed: '照片上传失败：{reason}', uploading: '上传中…', number: '案件编号', grid: '所属网格', source: '上报身份', viewMine: '查看我的上报',
    needCategory: '请选择问题类别', needLocation: '请选择位置', photoLogin: '匿名上传的照片须在 2 小时内随上报提交，否则将被删除',
  },
  mine: { title: '我的上报', empty: '您还没有上报过问题', report: '去上报' },
  track: { title: '查询进度', code: '查询码', codePh: '10 位查询码', query: '查询', notFound: '未找到该查询码对应的问题' },
  detail: {
    title: '问题详情', timeline: '处理经过', rate: '评价', rateTitle: '对处理结果是否满意？', rateNote: '评价说明（选填）', rated: '感谢您的评价', rating: '评价结果',
    reopen: '重新办理', reopenNote: '请说明仍未解决的情况', reopened: '已申请重新办理', reopenLeft: '可申请重新办理 {n} 次', photos: '照片',
  },
  verify: {
    title: '待核查', empty: '网格内暂无待核查的问题', pass: '核查通过，结案', fail: '未解决，退回重办', note: '核查说明', notePh: '退回时必填', done: '已提交核查结果', start: '开始现场核查',
  },
  dev: { title: '短信收件箱（开发环境）', hint: '内置短信通道不发送真实短信，验证码显示在这里和服务器日志中。', empty: '暂无短信' },
  member: memberZh,
  act: actZh,
  life: lifeZh,
  notice: { title: '消息', tab: '消息', readAll: '全部已读', allRead: '已全部标为已读', empty: '暂无消息', unread: '未读', updated: '案件有新进展，已刷新' },
};

const en: typeof zh = {
  app: { title: 'Tongxin · Snap and report' },
  nav: { report: 'Report', mine: 'My reports', track: 'Track', verify: 'Verify', me: 'Me' },
  common: { loading: 'Loading…', retry: 'Retry', empty: 'Nothing here', submit: 'Submit', cancel: 'Cancel', back: 'Back', logout: 'Log out', required: 'Required' },
  login: {
    resident: 'Resident / member', staff: 'Staff', phone: 'Phone', phonePh: 'Your mobile number', code: 'Code', codePh: '6-digit code', send: 'Get code', resend: 'Resend in {n}s',
    sent: 'Code sent', submit: 'Log in', username: 'Username', password: 'Password', devInbox: 'Developer SMS inbox', anonymous: 'Report anonymously', track: 'Track with a code',
    badPhone: 'Enter an 11-digit mobile number', badCode: 'Enter the 6-digit code',
  },
  report: {
    title: 'Snap and report', anonymousTitle: 'Anonymous report', category: 'Category', categoryPh: 'Choose a category first', description: 'Description', descriptionPh: 'Describe the problem',
    photos: 'Photos', location: 'Location', address: 'Address', addressPh: 'e.g. stairwell of building 3 (optional)', gps: 'Use my location', pick: 'Tap the map to pick a point', noLocation: 'No location yet',
    exif: 'The photo carries its location. Use it?', useExif: 'Use the photo’s location', gpsFailed: 'No location: {reason}', gpsUnsupported: 'This browser has no location', submit: 'Submit', submitted: 'Reported',
    duplicatesTitle: 'Similar cases nearby', duplicatesHint: 'These may be the same problem; follow one instead of reporting again:', follow: 'Follow this case', followed: 'Followed; you will see its progress',
    continue: 'Report a new case anyway', distance: '{n} m', trackingCode: 'Tracking code', trackingHint: 'Keep this code to follow and rate your report:', anonymousNotAllowed: 'This category needs a login',
    anonymousOnly: 'Only categories open to anonymous reports', uploadFailed: 'Upload failed: {reason}', uploading: 'Uploading…', number: 'Case number', grid: 'Grid', source: 'Reporting as', viewMine: 'My reports',
    needCategory: 'Choose a category', needLocation: 'Choose a location', photoLogin: 'Anonymous photos are deleted unless the report is sent within 2 hours',
  },
  mine: { title: 'My reports', empty: 'You have not reported anything yet', report: 'Report' },
  track: { title: 'Track', code: 'Tracking code', codePh: '10 characters', query: 'Look up', notFound: 'No report with this code' },
  detail: {
    title: 'Case', timeline: 'Timeline', rate: 'Rate', rateTitle: 'Are you satisfied with the result?', rateNote: 'Comment (optional)', rated: 'Thank you for rating', rating: 'Rating',
    reopen: 'Reopen', reopenNote: 'What is still wrong?', reopened: 'Reopened', reopenLeft: 'May be reopened {n} more time(s)', photos: 'Photos',
  },
  verify: {
    title: 'To verify', empty: 'Nothing to verify in your grid', pass: 'Passed: close', fail: 'Not solved: rework', note: 'Note', notePh: 'Required for rework', done: 'Verification recorded', start: 'Start on-site check',
  },
  dev: { title: 'SMS inbox (development)', hint: 'The built-in SMS provider sends nothing; codes appear here and in the server log.', empty: 'No messages' },
  member: memberEn,
  act: actEn,
  life: lifeEn,
  notice: { title: 'Messages', tab: 'Messages', readAll: 'Mark all read', allRead: 'All marked read', empty: 'No messages', unread: 'Unread', updated: 'The case has moved on; refreshed' },
};

const saved = typeof localStorage !== 'undefined' ? localStorage.getItem('tx_m_locale') : null;
export const i18n = createI18n({ legacy: false, locale: saved === 'en' ? 'en' : 'zh-CN', fallbackLocale: 'zh-CN', messages: { 'zh-CN': zh, en } });

/** A dictionary entry from @tongxin/contracts in the current language. */
export function dictLabel(dict: Dict, key: string | null | undefined): string {
  if (!key) return '';
  const entry = dict[key];
  if (!entry) return key;
  return i18n.global.locale.value === 'en' ? entry.en : entry.zh;
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
