import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import type { Component } from 'vue';
import type { PermissionKey } from '@tongxin/contracts';
import { House, User, Lock, Document, Avatar, Share, UserFilled, MapLocation, DataAnalysis, Tickets, Bell, TrendCharts, Tools } from '@element-plus/icons-vue';
import { ChatLineSquare } from '@element-plus/icons-vue';
import { Calendar, Medal, Histogram, Stamp } from '@element-plus/icons-vue';
import { Notebook, DataLine, Reading } from '@element-plus/icons-vue';
import { useAuthStore } from '@/stores/auth';
import { useTabsStore } from '@/stores/tabs';
import { i18n } from '@/i18n';

export type MenuGroup = 'orgs' | 'cases' | 'system' | 'audit' | 'activities' | 'life';

declare module 'vue-router' {
  interface RouteMeta {
    /** i18n key of the page title (menu, tab, breadcrumb, document title). */
    title?: string;
    /** The permission needed to open the page (and to see it in the menu). */
    permission?: PermissionKey;
    /** Alternatively: any one of these permissions opens the page. */
    anyPermission?: PermissionKey[];
    /** Shown in the sidebar. */
    menu?: boolean;
    group?: MenuGroup;
    icon?: Component;
    testid?: string;
    /** keep-alive name (the view's defineOptions name). */
    cacheName?: string;
    affix?: boolean;
    /** The menu item to highlight for a page outside the menu (a detail page). */
    activeMenu?: string;
    noTab?: boolean;
    public?: boolean;
  }
}

export const layoutChildren: RouteRecordRaw[] = [
  {
    path: '', name: 'home', component: () => import('@/views/home/HomeView.vue'),
    meta: { title: 'menu.home', menu: true, icon: House, testid: 'menu-home', affix: true },
  },
  {
    path: 'orgs', name: 'orgs', component: () => import('@/views/orgs/OrgsView.vue'),
    meta: { title: 'menu.orgs', menu: true, group: 'orgs', icon: Share, permission: 'orgs:read', testid: 'menu-orgs', cacheName: 'OrgsView' },
  },
  {
    path: 'orgs/:id(\\d+)', name: 'orgDetail', component: () => import('@/views/orgs/detail/OrgDetailView.vue'), props: true,
    meta: { title: 'menu.orgDetail', group: 'orgs', permission: 'orgs:read', activeMenu: '/orgs' },
  },
  {
    path: 'members', name: 'members', component: () => import('@/views/members/MembersView.vue'),
    meta: { title: 'menu.members', menu: true, group: 'orgs', icon: UserFilled, permission: 'members:read', testid: 'menu-members', cacheName: 'MembersView' },
  },
  {
    path: 'members/:id(\\d+)', name: 'memberFile', component: () => import('@/views/members/file/MemberFileView.vue'), props: true,
    meta: { title: 'menu.memberFile', group: 'orgs', permission: 'members:read', activeMenu: '/members' },
  },
  {
    path: 'places', name: 'places', component: () => import('@/views/places/PlacesView.vue'),
    meta: { title: 'menu.places', menu: true, group: 'orgs', icon: MapLocation, permission: 'places:read', testid: 'menu-places', cacheName: 'PlacesView' },
  },
  {
    path: 'coverage', name: 'coverage', component: () => import('@/views/org-coverage/CoverageView.vue'),
    meta: { title: 'menu.coverage', menu: true, group: 'orgs', icon: DataAnalysis, permission: 'places:read', testid: 'menu-coverage', cacheName: 'CoverageView' },
  },
  {
    path: 'feed', name: 'feed', component: () => import('@/views/feed/FeedView.vue'),
    meta: { title: 'feed.title', menu: true, group: 'orgs', icon: ChatLineSquare, permission: 'feed:read', testid: 'menu-feed', cacheName: 'FeedView' },
  },
  // activities, points and volunteer hours (issue 5: LIFE-2, MEM-9)
  {
    path: 'activities', name: 'activities', component: () => import('@/views/activities/ActivitiesView.vue'),
    meta: { title: 'activities.menu.activities', menu: true, group: 'activities', icon: Calendar, permission: 'activities:read', testid: 'menu-activities', cacheName: 'ActivitiesView' },
  },
  {
    path: 'activities/:id(\\d+)/check-in', name: 'activityCheckIn', component: () => import('@/views/activities/CheckInView.vue'), props: true,
    meta: { title: 'activities.menu.checkIn', group: 'activities', permission: 'activities:manage', activeMenu: '/activities' },
  },
  {
    path: 'points/ranking', name: 'pointsRanking', component: () => import('@/views/points/PointsRankingView.vue'),
    meta: { title: 'activities.menu.points', menu: true, group: 'activities', icon: Histogram, permission: 'points:read', testid: 'menu-points', cacheName: 'PointsRankingView' },
  },
  {
    path: 'points/rules', name: 'pointsRules', component: () => import('@/views/points/PointsRulesView.vue'),
    meta: { title: 'activities.menu.rules', menu: true, group: 'activities', icon: Stamp, permission: 'points:read', testid: 'menu-points-rules', cacheName: 'PointsRulesView' },
  },
  {
    path: 'volunteer', name: 'volunteer', component: () => import('@/views/volunteer/VolunteerView.vue'),
    meta: { title: 'activities.menu.volunteer', menu: true, group: 'activities', icon: Medal, permission: 'activities:read', testid: 'menu-volunteer', cacheName: 'VolunteerView' },
  },
  // organisational life and study (issue 5: LIFE-1, LIFE-3)
  {
    path: 'life/meetings', name: 'lifeMeetings', component: () => import('@/views/life/MeetingsView.vue'),
    meta: { title: 'life.menu.meetings', menu: true, group: 'life', icon: Notebook, permission: 'life:read', testid: 'menu-life-meetings', cacheName: 'MeetingsView' },
  },
  {
    path: 'life/meetings/:id(\\d+)', name: 'lifeMeeting', component: () => import('@/views/life/MeetingDetailView.vue'), props: true,
    meta: { title: 'life.menu.meeting', group: 'life', permission: 'life:read', activeMenu: '/life/meetings' },
  },
  {
    path: 'life/compliance', name: 'lifeCompliance', component: () => import('@/views/life/ComplianceView.vue'),
    meta: { title: 'life.menu.compliance', menu: true, group: 'life', icon: DataLine, permission: 'life:read', testid: 'menu-life-compliance', cacheName: 'ComplianceView' },
  },
  {
    path: 'life/study', name: 'lifeStudy', component: () => import('@/views/life/StudyView.vue'),
    meta: { title: 'life.menu.study', menu: true, group: 'life', icon: Reading, permission: 'life:read', testid: 'menu-life-study', cacheName: 'StudyView' },
  },
  {
    path: 'cases', name: 'cases', component: () => import('@/views/cases/CasesView.vue'),
    meta: { title: 'menu.cases', menu: true, group: 'cases', icon: Tickets, anyPermission: ['cases:read', 'cases:report', 'cases:department'], testid: 'menu-cases', cacheName: 'CasesView' },
  },
  {
    path: 'cases/:id(\\d+)', name: 'caseDetail', component: () => import('@/views/cases/detail/CaseDetailView.vue'), props: true,
    meta: { title: 'menu.caseDetail', group: 'cases', anyPermission: ['cases:read', 'cases:report', 'cases:department'], activeMenu: '/cases' },
  },
  {
    path: 'cases/inbox', name: 'caseInbox', component: () => import('@/views/cases/inbox/CaseInboxView.vue'),
    meta: { title: 'menu.caseInbox', menu: true, group: 'cases', icon: Bell, permission: 'cases:department', testid: 'menu-case-inbox', cacheName: 'CaseInboxView' },
  },
  {
    path: 'cases/rates', name: 'caseRates', component: () => import('@/views/cases/rates/CaseRatesView.vue'),
    meta: { title: 'menu.caseRates', menu: true, group: 'cases', icon: TrendCharts, permission: 'cases:read', testid: 'menu-case-rates', cacheName: 'CaseRatesView' },
  },
  {
    path: 'cases/settings', name: 'caseSettings', component: () => import('@/views/cases/settings/CaseSettingsView.vue'),
    meta: { title: 'menu.caseSettings', menu: true, group: 'cases', icon: Tools, permission: 'cases:configure', testid: 'menu-case-settings', cacheName: 'CaseSettingsView' },
  },
  {
    path: 'system/accounts', name: 'accounts', component: () => import('@/views/system/accounts/AccountsView.vue'),
    meta: { title: 'menu.accounts', menu: true, group: 'system', icon: User, permission: 'accounts:read', testid: 'menu-accounts', cacheName: 'AccountsView' },
  },
  {
    path: 'system/roles', name: 'roles', component: () => import('@/views/system/roles/RolesView.vue'),
    meta: { title: 'menu.roles', menu: true, group: 'system', icon: Lock, permission: 'roles:read', testid: 'menu-roles', cacheName: 'RolesView' },
  },
  {
    path: 'audit/logs', name: 'audit', component: () => import('@/views/audit/logs/AuditLogsView.vue'),
    meta: { title: 'menu.audit', menu: true, group: 'audit', icon: Document, permission: 'audit:read', testid: 'menu-audit', cacheName: 'AuditLogsView' },
  },
  {
    path: 'profile', name: 'profile', component: () => import('@/views/profile/ProfileView.vue'),
    meta: { title: 'menu.profile', menu: true, icon: Avatar, testid: 'menu-profile' },
  },
  {
    path: '403', name: 'forbidden', component: () => import('@/views/error/ErrorView.vue'), props: { code: 403 },
    meta: { title: 'menu.forbidden', noTab: true },
  },
  {
    path: ':pathMatch(.*)*', name: 'notFound', component: () => import('@/views/error/ErrorView.vue'), props: { code: 404 },
    meta: { title: 'menu.notFound', noTab: true },
  },
];

const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('@/views/login/LoginView.vue'), meta: { public: true, title: 'login.title' } },
  { path: '/', component: () => import('@/layout/AppLayout.vue'), children: layoutChildren },
];

/** May a user holding these permissions open a page with this meta? */
export function routeAllowed(meta: { permission?: PermissionKey; anyPermission?: PermissionKey[] } | undefined, hasPerm: (key: string) => boolean): boolean {
  if (!meta) return true;
  if (meta.permission && !hasPerm(meta.permission)) return false;
  if (meta.anyPermission && !meta.anyPermission.some((p) => hasPerm(p))) return false;
  return true;
}

export const router = createRouter({
  history: createWebHistory('/'),
  routes,
  scrollBehavior: () => ({ top: 0 }),
});

/** Only same-site paths are accepted as a post-login destination. */
export function safeRedirect(value: unknown): string {
  const s = typeof value === 'string' ? value : '';
  return s.startsWith('/') && !s.startsWith('//') && !s.startsWith('/login') ? s : '/';
}

router.beforeEach(async (to) => {
  const auth = useAuthStore();
  if (!auth.loaded) await auth.load();
  if (to.meta.public) {
    if (to.name === 'login' && auth.me) return safeRedirect(to.query.redirect);
    return true;
  }
  if (!auth.me) return { name: 'login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } };
  if (auth.me.mustChangePassword && to.name !== 'profile') {
    return { name: 'profile', query: { password: '1', ...(to.name === 'home' ? {} : { redirect: to.fullPath }) } };
  }
  if (auth.me.totpEnrolmentRequired && to.name !== 'profile') {
    return { name: 'profile', query: { enrol: '1', ...(to.name === 'home' ? {} : { redirect: to.fullPath }) } };
  }
  if (!routeAllowed(to.meta, auth.hasPerm)) return { name: 'forbidden', query: { from: to.fullPath } };
  return true;
});

router.afterEach((to) => {
  if (to.meta.title) document.title = `${i18n.global.t(to.meta.title)} · ${i18n.global.t('app.name')}`;
  if (to.meta.public) return;
  const tabs = useTabsStore();
  // The home tab is always there, first (affix), as in RuoYi's TagsView.
  if (!tabs.tabs.some((t) => t.affix) && to.name !== 'home') tabs.add(router.resolve({ name: 'home' }));
  tabs.add(to);
});
