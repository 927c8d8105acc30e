import { createApp } from 'vue';
import { createPinia } from 'pinia';
import ElementPlus, { ElMessage } from 'element-plus';
import 'element-plus/dist/index.css';
import './styles/index.css';
import App from './App.vue';
import { i18n } from './i18n';
import { router } from './router';
import { onEnrolmentRequired, onSessionLost } from './api/http';
import { useAuthStore } from './stores/auth';
import { useTabsStore } from './stores/tabs';

const app = createApp(App);
const pinia = createPinia();
app.use(pinia);
app.use(i18n);
app.use(ElementPlus);
app.use(router);

// Any 401 meaning "no session" sends the user to the login page, once, with the server's message.
let redirecting = false;
onSessionLost((err) => {
  useAuthStore(pinia).clear();
  useTabsStore(pinia).reset();
  const current = router.currentRoute.value;
  if (redirecting || current.name === 'login') return;
  redirecting = true;
  ElMessage.warning({ message: err.message, grouping: true });
  void router
    .replace({ name: 'login', query: current.fullPath === '/' ? {} : { redirect: current.fullPath } })
    .finally(() => { redirecting = false; });
});

// Administrators without a second factor may only enrol it; a password set by someone else must
// be changed before anything else.
onEnrolmentRequired((err) => {
  const auth = useAuthStore(pinia);
  const password = err.code === 'AUTH_PASSWORD_CHANGE_REQUIRED';
  if (auth.me) {
    if (password) auth.me.mustChangePassword = true;
    else auth.me.totpEnrolmentRequired = true;
  }
  if (router.currentRoute.value.name !== 'profile') {
    ElMessage.warning({ message: err.message, grouping: true });
    void router.replace({ name: 'profile', query: password ? { password: '1' } : { enrol: '1' } });
  }
});

app.mount('#app');
