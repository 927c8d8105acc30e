// Strings of a member's organisational life and study pages (issue 5: LIFE-1, LIFE-3).
export const lifeZh = {
  meetings: {
    title: '组织生活', all: '全部', planned: '待召开', held: '已召开', empty: '暂无组织生活会议', end: '没有更多了', mine: '我的考勤：{status}', notListed: '未列入考勤',
    attendance: '应到 {expected} 人，实到 {present} 人', quorum: { yes: '超过半数，会议有效', no: '未超过半数，会议无效' },
  },
  meeting: {
    title: '会议详情', time: '时间', place: '地点', host: '主持人', org: '党组织', agenda: '议程', minutes: '会议记录', attendance: '考勤', mine: '我的考勤',
    tally: '应到 {expected} 人，实到 {present} 人，请假 {excused} 人，缺席 {absent} 人', voting: '有表决权党员 {total} 人，到会 {present} 人',
  },
  study: {
    title: '我的学习', hours: '本年学时', allTime: '累计学时', meetings: '本年参加组织生活', meetingsOf: '{present} / {listed} 次', records: '学习记录', empty: '本年暂无学习记录',
    year: '{year} 年', hoursN: '{n} 学时',
  },
  entry: { meetings: '组织生活', study: '我的学习' },
};

export const lifeEn: typeof lifeZh = {
  meetings: {
    title: 'Organisational life', all: 'All', planned: 'Planned', held: 'Held', empty: 'No meetings yet', end: 'No more', mine: 'My attendance: {status}', notListed: 'Not on the list',
    attendance: '{present} of {expected} present', quorum: { yes: 'More than half: valid', no: 'Half or fewer: not valid' },
  },
  meeting: {
    title: 'Meeting', time: 'Time', place: 'Place', host: 'Host', org: 'Organisation', agenda: 'Agenda', minutes: 'Minutes', attendance: 'Attendance', mine: 'My attendance',
    tally: '{expected} expected, {present} present, {excused} excused, {absent} absent', voting: '{present} of {total} voting members present',
  },
  study: {
    title: 'My study', hours: 'Hours this year', allTime: 'Hours in all', meetings: 'Meetings this year', meetingsOf: '{present} / {listed}', records: 'Records', empty: 'No study recorded this year',
    year: '{year}', hoursN: '{n} h',
  },
  entry: { meetings: 'Organisational life', study: 'My study' },
};
