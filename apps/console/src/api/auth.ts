import { http } from './http';
import type { Me } from './types';

export interface LoginInput { username: string; password: string; code?: string }
export interface TotpSetup { secret: string; otpauthUrl: string; qrDataUrl: string }

export const authApi = {
  login: (input: LoginInput) => http.post<{ user: Me }>('/auth/login', input, { quiet401: true }),
  logout: () => http.post<void>('/auth/logout', undefined, { quiet401: true }),
  me: () => http.get<Me>('/auth/me', undefined, { quiet401: true }),
  changePassword: (currentPassword: string, newPassword: string) =>
    http.post<void>('/auth/password', { currentPassword, newPassword }),
  totpSetup: () => http.post<TotpSetup>('/auth/totp/setup'),
  totpEnable: (code: string) => http.post<void>('/auth/totp/enable', { code }),
  totpDisable: (password: string) => http.post<void>('/auth/totp/disable', { password }),
};
