import { createRouter, createWebHistory } from 'vue-router';
import { handleUnauthorised } from './api';
import { loadSession, session } from './session';

export const router = createRouter({
  history: createWebHistory('/m/'),
  routes: [
    { path: '/', redirect: '/report' },
    { path: '/login', component: () => import('./views/LoginView.vue'), meta: { public: true } },
    { path: '/report', component: () => import('./views/ReportView.vue') },
    { path: '/anonymous', component: () => import('./views/ReportView.vue'), props: { anonymous: true }, meta: { public: true } },
    { path: '/track/:code?', component: () => import('./views/TrackView.vue'), meta: { public: true } },
    { path: '/mine', component: () => import('./views/MineView.vue') },
    { path: '/cases/:id', component: () => import('./views/CaseView.vue'), props: true },
    { path: '/verify', component: () => import('./views/VerifyView.vue') },
    { path: '/me', component: () => import('./views/MeView.vue') },
    { path: '/notifications', component: () => import('./views/NotificationsView.vue') },
    // a member's own login (issue 5): my branch, its feed, my commitments
    { path: '/branch', component: () => import('./views/BranchView.vue') },
    { path: '/feed', component: () => import('./views/FeedView.vue') },
    { path: '/commitments', component: () => import('./views/CommitmentsView.vue') },
    // activities, points and volunteer hours (issue 5: LIFE-2, MEM-9)
    { path: '/activities', component: () => import('./views/ActivitiesView.vue') },
    { path: '/activities/:id(\\d+)', component: () => import('./views/ActivityView.vue'), props: true },
    { path: '/activities/:id(\\d+)/check-in', component: () => import('./views/CheckInView.vue'), props: true },
    { path: '/points', component: () => import('./views/PointsView.vue') },
    { path: '/volunteer', component: () => import('./views/VolunteerView.vue') },
    // organisational life and study (issue 5: LIFE-1, LIFE-3)
    { path: '/life', component: () => import('./views/LifeView.vue') },
    { path: '/life/:id(\\d+)', component: () => import('./views/LifeMeetingView.vue'), props: true },
    { path: '/study', component: () => import('./views/StudyView.vue') },
    { path: '/dev/sms', component: () => import('./views/DevSmsView.vue'), meta: { public: true } },
    { path: '/:rest(.*)*', redirect: '/report' },
  ],
});

router.beforeEach(async (to) => {
  if (!session.loaded) await loadSession();
  if (!to.meta.public && !session.me) return { path: '/login', query: { next: to.fullPath } };
  return true;
});

handleUnauthorised(() => {
  session.me = null;
  const current = router.currentRoute.value;
  if (!current.meta.public) void router.replace({ path: '/login', query: { next: current.fullPath } });
});
