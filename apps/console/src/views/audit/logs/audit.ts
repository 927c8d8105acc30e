export const RESULT_TYPES = { ok: 'success', denied: 'warning', failed: 'danger' } as const;
