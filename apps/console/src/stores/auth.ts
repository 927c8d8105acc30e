import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { PermissionKey } from '@tongxin/contracts';
import { authApi, type LoginInput } from '@/api/auth';
import { ApiError } from '@/api/http';
import type { Me } from '@/api/types';

/** The logged-in user as the server sees them. The session itself is an HttpOnly cookie. */
export const useAuthStore = defineStore('auth', () => {
  const me = ref<Me | null>(null);
  const loaded = ref(false);
  /** Set when the server could not be reached while checking the session. */
  const bootError = ref<string | null>(null);

  const permissions = computed(() => new Set(me.value?.permissions ?? []));
  const loggedIn = computed(() => me.value !== null);

  function hasPerm(key: PermissionKey | string): boolean {
    return permissions.value.has(key);
  }

  /** Asks the server who we are; never throws. */
  async function load(): Promise<void> {
    try {
      me.value = await authApi.me();
      bootError.value = null;
    } catch (e) {
      me.value = null;
      bootError.value = e instanceof ApiError && e.status === 401 ? null : e instanceof Error ? e.message : String(e);
    } finally {
      loaded.value = true;
    }
  }

  async function refresh(): Promise<void> {
    me.value = await authApi.me();
  }

  async function login(input: LoginInput): Promise<Me> {
    const res = await authApi.login(input);
    me.value = res.user;
    loaded.value = true;
    bootError.value = null;
    return res.user;
  }

  async function logout(): Promise<void> {
    try { await authApi.logout(); } finally { clear(); }
  }

  function clear(): void {
    me.value = null;
  }

  return { me, loaded, bootError, loggedIn, hasPerm, load, refresh, login, logout, clear };
});
