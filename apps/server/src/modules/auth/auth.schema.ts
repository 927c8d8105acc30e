import { z } from 'zod';

export const loginBody = z.object({
  username: z.string().trim().min(1).max(64),
  password: z.string().min(1).max(256),
  code: z.preprocess((v) => (v === '' ? undefined : v), z.string().regex(/^\d{6}$/).optional()),
});

export const meSchema = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  roles: z.array(z.object({ id: z.string(), key: z.string(), name: z.string() })),
  permissions: z.array(z.string()),
  scopes: z.array(z.object({ kind: z.enum(['org', 'place']), id: z.string(), name: z.string() })),
  totpEnabled: z.boolean(),
  totpEnrolmentRequired: z.boolean(),
  mustChangePassword: z.boolean(),
  lastLoginAt: z.string().nullable(),
  /** Set when this is a party member's own login (issue 5). */
  memberId: z.string().nullable(),
});
export type Me = z.infer<typeof meSchema>;

export const passwordBody = z.object({ currentPassword: z.string().min(1).max(256), newPassword: z.string().min(1).max(256) });
export const totpCodeBody = z.object({ code: z.string().regex(/^\d{6}$/) });
export const totpDisableBody = z.object({ password: z.string().min(1).max(256) });
export const totpSetupResponse = z.object({ secret: z.string(), otpauthUrl: z.string(), qrDataUrl: z.string() });
export const tokenResponse = z.object({ token: z.string(), expiresAt: z.string() });
