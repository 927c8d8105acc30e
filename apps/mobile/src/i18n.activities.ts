// Strings of a member's activities, points and volunteer pages (issue 5: LIFE-2, MEM-9).
export const actZh = {
  tab: '活动',
  menu: {
    title: '活动与志愿服务', upcoming: '可报名', mine: '我的报名', past: '往期', matchSkills: '只看符合我技能的', empty: '暂无活动', end: '没有更多了',
    mySkills: '我的技能：{skills}', noSkills: '未登记技能', left: '余 {n} 个名额', full: '已满', points: '{n} 分', hours: '{n} 小时',
    audience: { org: '本支部及上级', residence: '居住社区', registered: '报到社区岗位' },
  },
  detail: {
    title: '活动详情', time: '时间', location: '地点', organiser: '组织方', deadline: '报名截止', capacity: '名额', signedUp: '已报名 {n} / {capacity} 人', skills: '所需技能',
    contact: '联系方式', rewards: '完成后', rewardsText: '{points} 积分', rewardsHours: '，计志愿服务 {hours} 小时', signUp: '我要报名', claim: '认领岗位', cancel: '取消报名',
    cancelConfirm: '确定取消报名“{title}”？', signedUpOk: '报名成功', cancelledOk: '已取消报名', checkIn: '扫码签到', checkedIn: '已于 {at} 签到', checkInWindow: '签到时间 {from} 至 {to}',
    attendance: { present: '出勤已确认', absent: '记为缺勤' }, cancelledActivity: '活动已取消：{reason}', notOpen: '报名已截止', skillsMissing: '需要以下技能之一：{skills}',
  },
  checkIn: {
    title: '扫码签到', scan: '对准现场屏幕上的二维码', starting: '正在打开摄像头…', noCamera: '无法使用摄像头（{reason}），请输入现场屏幕上的签到码', manual: '输入签到码', codePh: '8 位签到码，如 AB12-CD34',
    submit: '签到', ok: '签到成功', wrongActivity: '这是另一个活动的二维码', notSignedUp: '请先报名该活动', back: '返回活动',
  },
  points: {
    title: '我的积分', balance: '累计积分', year: '{year} 年', yearTotal: '本年积分', branchRank: '支部排名', rankOf: '第 {rank} 名 / {of} 人', noRank: '暂无排名', ledger: '积分明细', ranking: '支部排名',
    empty: '暂无积分记录', capped: '本月已达上限', cappedN: '规则 {n} 分，本月封顶', rules: '积分规则', me: '我', rankingOf: '{org} · {period}', allTime: '全部',
    ruleLine: '{amount} 分/{unit}', perHour: '小时', each: '次', cap: '每月最多 {n} 分', noCap: '不设上限', end: '没有更多了',
  },
  volunteer: {
    title: '志愿服务', number: '志愿者编号', none: '尚未登记', verified: '核实时长', scheduled: '计划时长', hoursN: '{n} 小时', star: '星级', nextStar: '再服务 {n} 小时升至 {level} 星', noStar: '未评星',
    records: '服务记录', noRecords: '暂无核实的服务记录', correction: '更正', askCorrection: '申请更正', askTitle: '申请更正时长', askHours: '更正时长（小时，减少填负数）', askReason: '理由', askSent: '已提交，等待组织方审核',
    requests: '我的更正申请', status: { pending: '待审核', approved: '已同意', rejected: '未同意' }, certificates: '志愿服务证明', issue: '开具证明', issueFrom: '由 {org} 出具（{hours} 小时）', issued: '证明已出具',
    print: '查看/打印', noCertificates: '暂无证明', upcoming: '已报名待服务',
  },
};

export const actEn: typeof actZh = {
  tab: 'Activities',
  menu: {
    title: 'Activities & volunteering', upcoming: 'Open', mine: 'Mine', past: 'Past', matchSkills: 'Only those matching my skills', empty: 'No activities', end: 'No more',
    mySkills: 'My skills: {skills}', noSkills: 'No skills on record', left: '{n} places left', full: 'Full', points: '{n} pts', hours: '{n} h',
    audience: { org: 'My branch and above', residence: 'Where I live', registered: 'My registered community' },
  },
  detail: {
    title: 'Activity', time: 'Time', location: 'Place', organiser: 'Organiser', deadline: 'Sign-up closes', capacity: 'Places', signedUp: '{n} / {capacity} signed up', skills: 'Skills needed',
    contact: 'Contact', rewards: 'Earns', rewardsText: '{points} points', rewardsHours: ' and {hours} volunteer hours', signUp: 'Sign up', claim: 'Claim this job', cancel: 'Cancel my sign-up',
    cancelConfirm: 'Cancel your sign-up for “{title}”?', signedUpOk: 'Signed up', cancelledOk: 'Sign-up cancelled', checkIn: 'Scan to check in', checkedIn: 'Checked in at {at}', checkInWindow: 'Check-in {from} – {to}',
    attendance: { present: 'Attendance confirmed', absent: 'Marked absent' }, cancelledActivity: 'Cancelled: {reason}', notOpen: 'Sign-up closed', skillsMissing: 'Needs one of: {skills}',
  },
  checkIn: {
    title: 'Check in', scan: 'Point the camera at the QR code on the screen', starting: 'Opening the camera…', noCamera: 'No camera ({reason}); type the code shown on the screen', manual: 'Type the code', codePh: '8 characters, e.g. AB12-CD34',
    submit: 'Check in', ok: 'Checked in', wrongActivity: 'This QR code belongs to another activity', notSignedUp: 'Sign up first', back: 'Back to the activity',
  },
  points: {
    title: 'My points', balance: 'Balance', year: '{year}', yearTotal: 'This year', branchRank: 'Branch rank', rankOf: '{rank} of {of}', noRank: 'Not ranked yet', ledger: 'Ledger', ranking: 'Branch ranking',
    empty: 'No points yet', capped: 'Monthly cap reached', cappedN: 'Rule gives {n}; capped this month', rules: 'Points rules', me: 'me', rankingOf: '{org} · {period}', allTime: 'all time',
    ruleLine: '{amount} pts per {unit}', perHour: 'hour', each: 'time', cap: 'at most {n} a month', noCap: 'no cap', end: 'No more',
  },
  volunteer: {
    title: 'Volunteering', number: 'Volunteer no.', none: 'Not yet', verified: 'Verified hours', scheduled: 'Scheduled hours', hoursN: '{n} h', star: 'Stars', nextStar: '{n} more hours to {level} stars', noStar: 'No stars yet',
    records: 'Records', noRecords: 'No verified records yet', correction: 'Correction', askCorrection: 'Ask for a correction', askTitle: 'Correct my hours', askHours: 'Hours (negative to reduce)', askReason: 'Reason', askSent: 'Sent; the organiser will decide',
    requests: 'My correction requests', status: { pending: 'Pending', approved: 'Approved', rejected: 'Rejected' }, certificates: 'Certificates', issue: 'Get a certificate', issueFrom: 'From {org} ({hours} h)', issued: 'Certificate issued',
    print: 'View / print', noCertificates: 'No certificates yet', upcoming: 'Signed up, still to come',
  },
};
