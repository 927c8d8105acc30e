type TagType = 'primary' | 'success' | 'info' | 'warning' | 'danger';

export const MEMBER_STATUS_TYPES: Record<string, TagType> = { full: 'danger', probationary: 'warning' };
export const MEMBER_STATE_TYPES: Record<string, TagType> = { active: 'success', transferred_out: 'info', deceased: 'info', left: 'warning' };
export const DIFFICULTY_LEVEL_TYPES: Record<string, TagType> = { severe: 'danger', moderate: 'warning', general: 'info' };
export const REVIEW_RESULT_TYPES: Record<string, TagType> = { excellent: 'success', good: 'primary', fair: 'warning', poor: 'danger' };

/** States a member leaves the roll with (出党 / 转出 / 去世). */
export const LEAVE_STATES = ['transferred_out', 'deceased', 'left'] as const;
export type LeaveState = (typeof LEAVE_STATES)[number];
