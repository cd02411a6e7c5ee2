import { createRouter, createWebHistory, type Router, type RouterHistory, type RouteRecordRaw } from 'vue-router';

/**
 * Client routes. The bridge serves index.html for all of them, so each is deep-linkable.
 * `/audit`, `/security` and `/models` are operator pages; the device page holds device operations.
 */
export const routes: RouteRecordRaw[] = [
  { path: '/', name: 'fleet', component: () => import('./views/FleetView.vue'), meta: { title: 'Fleet' } },
  {
    path: '/devices/:endpoint',
    name: 'device',
    component: () => import('./views/DeviceView.vue'),
    props: true,
    meta: { title: 'Device' },
  },
  { path: '/activity', name: 'activity', component: () => import('./views/ActivityView.vue'), meta: { title: 'Activity' } },
  { path: '/audit', name: 'audit', component: () => import('./views/AuditView.vue'), meta: { title: 'Audit log' } },
  { path: '/security', name: 'security', component: () => import('./views/SecurityView.vue'), meta: { title: 'Security' } },
  { path: '/models', name: 'models', component: () => import('./views/ModelsView.vue'), meta: { title: 'Object models' } },
  { path: '/sign-in', name: 'sign-in', component: () => import('./views/SignInView.vue'), meta: { title: 'Sign in' } },
  { path: '/:pathMatch(.*)*', redirect: '/' },
];

export function createConsoleRouter(history: RouterHistory = createWebHistory()): Router {
  const router = createRouter({ history, routes });
  router.afterEach((to) => {
    const title = typeof to.meta.title === 'string' ? to.meta.title : '';
    const ep = typeof to.params.endpoint === 'string' ? ` ${to.params.endpoint}` : '';
    if (typeof document !== 'undefined') document.title = `${title}${ep} · LwM2M Console`;
  });
  return router;
}
