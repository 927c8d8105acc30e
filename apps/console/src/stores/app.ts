import { defineStore } from 'pinia';
import { ref, watch } from 'vue';

const COLLAPSE_KEY = 'tongxin.sidebarCollapsed';
const MOBILE_WIDTH = 768;

/** Layout state: sidebar collapse (persisted), mobile drawer. */
export const useAppStore = defineStore('app', () => {
  const collapsed = ref(localStorage.getItem(COLLAPSE_KEY) === '1');
  const isMobile = ref(window.innerWidth < MOBILE_WIDTH);
  const drawerOpen = ref(false);

  watch(collapsed, (v) => localStorage.setItem(COLLAPSE_KEY, v ? '1' : '0'));

  window.addEventListener('resize', () => {
    isMobile.value = window.innerWidth < MOBILE_WIDTH;
    if (!isMobile.value) drawerOpen.value = false;
  });

  function toggleSidebar(): void {
    if (isMobile.value) drawerOpen.value = !drawerOpen.value;
    else collapsed.value = !collapsed.value;
  }

  return { collapsed, isMobile, drawerOpen, toggleSidebar };
});
