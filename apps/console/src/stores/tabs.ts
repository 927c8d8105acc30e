import { defineStore } from 'pinia';
import { nextTick, ref } from 'vue';
import type { RouteLocationNormalized } from 'vue-router';

export interface VisitedTab {
  path: string;      // route path, the tab's identity
  fullPath: string;  // with its query, to come back to the same filters
  title: string;     // i18n key
  affix: boolean;
  cacheName?: string;
}

/** The bar of visited pages (RuoYi's TagsView) and the names of the views kept alive. */
export const useTabsStore = defineStore('tabs', () => {
  const tabs = ref<VisitedTab[]>([]);
  const cached = ref<string[]>([]);
  /** Per path, bumped to re-create that view ("refresh this page"). */
  const refreshKeys = ref<Record<string, number>>({});

  function add(route: Pick<RouteLocationNormalized, 'path' | 'fullPath' | 'meta'>): void {
    const title = route.meta.title;
    if (!title || route.meta.noTab) return;
    const existing = tabs.value.find((t) => t.path === route.path);
    if (existing) {
      existing.fullPath = route.fullPath;
    } else {
      const tab: VisitedTab = { path: route.path, fullPath: route.fullPath, title, affix: !!route.meta.affix, cacheName: route.meta.cacheName };
      if (tab.affix) tabs.value.unshift(tab); else tabs.value.push(tab);
    }
    const name = route.meta.cacheName;
    if (name && !cached.value.includes(name)) cached.value.push(name);
  }

  function uncache(tab: VisitedTab | undefined): void {
    if (tab?.cacheName) cached.value = cached.value.filter((n) => n !== tab.cacheName);
  }

  /** Closes a tab; returns its neighbour, to show when the closed tab was the active one. */
  function close(path: string): VisitedTab | undefined {
    const i = tabs.value.findIndex((t) => t.path === path);
    if (i < 0) return undefined;
    const [removed] = tabs.value.splice(i, 1);
    uncache(removed);
    return tabs.value[i] ?? tabs.value[i - 1] ?? tabs.value[0];
  }

  function closeOthers(path: string): void {
    tabs.value.filter((t) => !t.affix && t.path !== path).forEach(uncache);
    tabs.value = tabs.value.filter((t) => t.affix || t.path === path);
  }

  function closeAll(): void {
    tabs.value.filter((t) => !t.affix).forEach(uncache);
    tabs.value = tabs.value.filter((t) => t.affix);
  }

  function keyOf(path: string): string {
    return `${path}#${refreshKeys.value[path] ?? 0}`;
  }

  /** Drops the view's cached state and re-creates it. */
  async function refresh(path: string): Promise<void> {
    const tab = tabs.value.find((t) => t.path === path);
    uncache(tab);
    refreshKeys.value[path] = (refreshKeys.value[path] ?? 0) + 1;
    await nextTick();
    if (tab?.cacheName && !cached.value.includes(tab.cacheName)) cached.value.push(tab.cacheName);
  }

  function reset(): void {
    tabs.value = [];
    cached.value = [];
  }

  return { tabs, cached, add, keyOf, refresh, uncache, close, closeOthers, closeAll, reset };
});
