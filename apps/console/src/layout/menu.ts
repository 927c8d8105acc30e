import type { Component } from 'vue';
import { Setting, Monitor, Flag, Promotion } from '@element-plus/icons-vue';
import { Trophy } from '@element-plus/icons-vue';
import { Notebook } from '@element-plus/icons-vue';
import { layoutChildren, routeAllowed, type MenuGroup } from '@/router';

export interface MenuLeaf { path: string; title: string; icon?: Component; testid?: string }
export interface MenuNode { key: string; title: string; icon?: Component; testid?: string; path?: string; children?: MenuLeaf[] }

const GROUPS: Record<MenuGroup, { title: string; icon: Component }> = {
  orgs: { title: 'menu.orgsGroup', icon: Flag },
  cases: { title: 'menu.casesGroup', icon: Promotion },
  activities: { title: 'activities.menu.group', icon: Trophy },
  life: { title: 'life.menu.group', icon: Notebook },
  system: { title: 'menu.system', icon: Setting },
  audit: { title: 'menu.auditGroup', icon: Monitor },
};

/**
 * The sidebar, built from the routes: an item shows only if the user holds its permission;
 * a group shows only if one of its items does. With `only`, just those route names show.
 */
export function buildMenu(hasPerm: (key: string) => boolean, only?: string[]): MenuNode[] {
  const out: MenuNode[] = [];
  const groups = new Map<MenuGroup, MenuNode>();
  for (const r of layoutChildren) {
    const m = r.meta;
    if (!m?.menu || !m.title) continue;
    if (!routeAllowed(m, hasPerm)) continue;
    if (only && !only.includes(String(r.name))) continue;
    const leaf: MenuLeaf = { path: `/${r.path}`, title: m.title, icon: m.icon, testid: m.testid };
    if (!m.group) { out.push({ key: leaf.path, ...leaf }); continue; }
    let g = groups.get(m.group);
    if (!g) {
      g = { key: m.group, title: GROUPS[m.group].title, icon: GROUPS[m.group].icon, testid: `menu-group-${m.group}`, children: [] };
      groups.set(m.group, g);
      out.push(g);
    }
    g.children?.push(leaf);
  }
  return out;
}

/** The menu group a route path belongs to, for the breadcrumb. */
export function groupTitleOf(group: MenuGroup | undefined): string | undefined {
  return group ? GROUPS[group].title : undefined;
}
