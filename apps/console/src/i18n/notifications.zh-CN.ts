// 消息通知 (the bell in the top bar). Keys must match notifications.en.ts.
export default {
  title: '消息通知',
  readAll: '全部已读',
  allRead: '已全部标为已读',
  empty: '暂无消息',
  more: '加载更多',
  live: '实时更新已连接',
  offline: '实时更新连接中…',
};
