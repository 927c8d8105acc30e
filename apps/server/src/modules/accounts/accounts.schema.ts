import { z } from 'zod';
import { emptyAsUndefined, optionalString, pageOf, pageQuery } from '../../platform/pagination.js';

export const accountIdParam = z.object({ id: z.string().uuid() });
const username = z.string().trim().toLowerCase().regex(/^[a-z][a-z0-9_.-]{2,31}$/, 'USERNAME_FORMAT');
const phone = z.preprocess(emptyAsUndefined, z.string().trim().regex(/^1[3-9]\d{9}$/, 'PHONE_FORMAT').nullable().optional());
export const scopeRef = z.object({ kind: z.enum(['org', 'place']), id: z.string().regex(/^\d{1,18}$/) });

export const accountListQuery = z.object({
  q: optionalString(64),
  status: z.preprocess(emptyAsUndefined, z.enum(['active', 'disabled']).optional()),
  roleId: z.preprocess(emptyAsUndefined, z.string().uuid().optional()),
  sort: optionalString(40),
  ...pageQuery,
});
export const accountExportQuery = accountListQuery.omit({ page: true, pageSize: true });

export const createAccountBody = z.object({
  username,
  displayName: z.string().trim().min(1).max(64),
  password: z.string().min(1).max(256),
  phone,
  scopes: z.array(scopeRef).max(50).default([]),
});

export const updateAccountBody = z.object({
  displayName: z.string().trim().min(1).max(64).optional(),
  phone,
  scopes: z.array(scopeRef).max(50).optional(),
});

export const resetPasswordBody = z.object({ newPassword: z.string().min(1).max(256) });
export const assignRolesBody = z.object({ roleIds: z.array(z.string().uuid()).max(20) });

export const accountSchema = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  phoneMasked: z.string().nullable(),
  status: z.enum(['active', 'disabled']),
  lockedUntil: z.string().nullable(),
  totpEnabled: z.boolean(),
  roles: z.array(z.object({ id: z.string(), key: z.string(), name: z.string() })),
  scopes: z.array(z.object({ kind: z.enum(['org', 'place']), id: z.string(), name: z.string() })),
  lastLoginAt: z.string().nullable(),
  createdAt: z.string(),
  can: z.object({
    edit: z.boolean(),
    disable: z.boolean(),
    enable: z.boolean(),
    resetPassword: z.boolean(),
    assignRoles: z.boolean(),
    unlock: z.boolean(),
    revealPhone: z.boolean(),
  }),
});
export type AccountView = z.infer<typeof accountSchema>;
export const accountPage = pageOf(accountSchema);
