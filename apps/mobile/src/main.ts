import { createApp } from 'vue';
import 'vant/lib/index.css';
import App from './App.vue';
import { setApiLocale } from './api';
import { i18n } from './i18n';
import { router } from './router';

setApiLocale(i18n.global.locale.value);
createApp(App).use(i18n).use(router).mount('#app');
