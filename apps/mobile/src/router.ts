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
