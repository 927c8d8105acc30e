// Strings of a member's own pages (issue 5): my branch, the branch feed, my commitments.
export const memberZh = {
  tab: '支部',
  branch: {
    title: '我的支部', secretary: '书记', noSecretary: '暂未配备书记', committee: '支部委员会', noCommittee: '暂无委员', members: '党员人数', membersN: '{n} 名',
    above: '上级组织', feed: '支部动态', unreadN: '{n} 条未读', commitments: '我的承诺', notMember: '此账号尚未关联党员身份', term: '任期至 {date}',
  },
  feed: {
    title: '支部动态', empty: '暂无动态', inherited: '上级下发', public: '公开', newItems: '有新动态，已刷新', unread: '未读', readAll: '全部已读', allRead: '已全部标为已读', more: '展开', less: '收起', end: '没有更多了', document: '文档',
  },
  commit: {
    title: '我的承诺', intro: '亮身份、做承诺、践诺：每年公开承诺，支部记录践诺情况。', year: '{year} 年度', publish: '公开承诺', edit: '修改承诺', save: '保存修改', published: '承诺已公开', saved: '已保存',
    item: '第 {n} 条承诺', itemPh: '如：带头参与垃圾分类志愿服务', add: '添加一条', remove: '删除', limit: '最多 {max} 条，每条不超过 {chars} 字（{rule}）', locked: '支部已确认，不能再修改', editable: '支部确认前可修改',
    none: '尚未作出承诺', newYear: '为 {year} 年度作出承诺', records: '践诺记录', noRecords: '暂无践诺记录', recorder: '记录人 {name}', needOne: '请至少填写一条承诺',
  },
};

export const memberEn: typeof memberZh = {
  tab: 'Branch',
  branch: {
    title: 'My branch', secretary: 'Secretary', noSecretary: 'No secretary yet', committee: 'Branch committee', noCommittee: 'No committee members', members: 'Members', membersN: '{n}',
    above: 'Organisations above', feed: 'Branch feed', unreadN: '{n} unread', commitments: 'My commitments', notMember: 'This account is not linked to a party member', term: 'term until {date}',
  },
  feed: {
    title: 'Branch feed', empty: 'Nothing posted yet', inherited: 'From above', public: 'Public', newItems: 'New items; refreshed', unread: 'Unread', readAll: 'Mark all read', allRead: 'All marked read', more: 'More', less: 'Less', end: 'No more', document: 'Document',
  },
  commit: {
    title: 'My commitments', intro: 'Show who you are, make commitments, keep them: the branch records how each was kept.', year: '{year}', publish: 'Publish', edit: 'Change', save: 'Save changes', published: 'Commitments published', saved: 'Saved',
    item: 'Commitment {n}', itemPh: 'e.g. lead the waste-sorting volunteers', add: 'Add one', remove: 'Remove', limit: 'At most {max}, each up to {chars} characters ({rule})', locked: 'Confirmed by the branch; no more changes', editable: 'Editable until the branch confirms',
    none: 'No commitments yet', newYear: 'Commit for {year}', records: 'Fulfilment records', noRecords: 'No records yet', recorder: 'recorded by {name}', needOne: 'Write at least one commitment',
  },
};
