/** The authenticated staff member behind a request, with everything access decisions need. */
export interface Actor {
  id: string;
  username: string;
  displayName: string;
  roles: { id: string; key: string; name: string }[];
  permissions: Set<string>;
  /** Organisation nodes the account is attached to; it sees their subtrees. */
  orgScope: string[];
  /** Place nodes the account is attached to; it sees their subtrees. */
  placeScope: string[];
  totpEnabled: boolean;
  /** Set when an administrator must enrol TOTP before doing anything else (production only). */
  totpEnrolmentRequired: boolean;
  /** Set for a password printed at first start or set by an administrator: change it before anything else. */
  mustChangePassword: boolean;
  /** The party member this account belongs to, when it is a member's own login. */
  memberId: string | null;
  sessionId: string;
}

/** Who did something, for the audit log: an actor, or an anonymous caller identified by IP. */
export interface RequestContext {
  actor: Actor | null;
  ip: string;
  locale: 'zh-CN' | 'en';
}
