// Coverage and branch-health warnings: each names the rule that produced it; messages take {params}.
export const WARNINGS = {
  unit_uncovered: { zh: '{name} 尚无党组织覆盖', en: '{name} is not covered by any organisation', remedy: { zh: '党员不足 3 名：纳入联合党支部（不超过 {maxUnits} 个单位）或由社区选派党员', en: 'Fewer than 3 full members: join a joint branch (at most {maxUnits} units) or have the community dispatch members' } },
  unit_needs_own_branch: { zh: '{name} 有正式党员 {fullMembers} 名，应单独建立党支部', en: '{name} has {fullMembers} full members and should form its own branch', remedy: { zh: '正式党员 3 人以上的单位应单独成立党支部', en: 'A unit with 3 or more full members forms its own branch' } },
  joint_branch_too_many_units: { zh: '{name} 覆盖 {units} 个单位，超过 {maxUnits} 个', en: '{name} covers {units} units, more than {maxUnits}', remedy: { zh: '拆分联合党支部', en: 'Split the joint branch' } },
  branch_too_large: { zh: '{name} 有党员 {members} 名，超过 {max} 名', en: '{name} has {members} members, more than {max}', remedy: { zh: '经批准可成立党总支；超过 100 人可成立基层党委', en: 'A general branch may be formed with approval; over 100 members, a basic-level committee' } },
  committee_required: { zh: '{name} 有正式党员 {fullMembers} 名，应设立支部委员会（现有委员 {sitting} 名）', en: '{name} has {fullMembers} full members and needs a branch committee (has {sitting} members)', remedy: { zh: '正式党员 7 人以上的支部设支委会，委员 3 至 5 人', en: 'Branches with 7 or more full members elect a committee of 3–5' } },
  term_expired: { zh: '{name} 任期已于 {termEndsOn} 届满', en: 'The term of {name} ended on {termEndsOn}', remedy: { zh: '按期换届选举（提前或延期不超过 1 年，须经批准）', en: 'Hold the election (at most one year early or late, with approval)' } },
  term_ending: { zh: '{name} 任期将于 {termEndsOn} 届满（{days} 天后）', en: 'The term of {name} ends on {termEndsOn} (in {days} days)', remedy: { zh: '提前做好换届准备', en: 'Prepare the election' } },
} as const;
export type WarningCode = keyof typeof WARNINGS;

export function formatWarning(code: WarningCode, params: Record<string, unknown>, locale: 'zh-CN' | 'en'): { message: string; remedy: string } {
  const w = WARNINGS[code];
  const fill = (t: string) => t.replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? `{${k}}`));
  return locale === 'en' ? { message: fill(w.en), remedy: fill(w.remedy.en) } : { message: fill(w.zh), remedy: fill(w.remedy.zh) };
}
