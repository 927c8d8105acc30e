import type zh from './notifications.zh-CN';

const en: typeof zh = {
  title: 'Notifications',
  readAll: 'Mark all read',
  allRead: 'All marked read',
  empty: 'No notifications',
  more: 'Load more',
  live: 'Live updates connected',
  offline: 'Connecting live updates…',
};
export default en;
