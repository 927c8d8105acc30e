import { reactive } from 'vue';
import { api, type Me } from './api';

// The logged-in user (or none). Loaded once at start; set by the login page.
export const session = reactive<{ me: Me | null; loaded: boolean }>({ me: null, loaded: false });

export async function loadSession(): Promise<Me | null> {
  try {
    session.me = await api<Me>('GET', '/api/auth/me');
  } catch {
    session.me = null;
  }
  session.loaded = true;
  return session.me;
}

export async function logout(): Promise<void> {
  try {
    await api('POST', '/api/auth/logout');
  } finally {
    session.me = null;
  }
}

export const can = (permission: string) => !!session.me?.permissions.includes(permission);
/** Grid workers and helpers snap reports as themselves; residents as residents. */
export const reportSource = () => (session.me?.roles.some((r) => r.key === 'grid_worker') ? 'grid_worker' : 'resident');
/** Staff who verify cases in their grid. */
export const canVerify = () => can('cases:supervise') && can('cases:read');
