/**
 * Team buy (contract §7) states as data, like order.state.ts: a team is active until it forms
 * (success) or fails; a seat (team_member) is pending until paid, then part of a formed team
 * (success) or of a failed one (fail, once refunded); an unpaid or refunded seat is given up (left).
 */
export const TeamStatus = { ACTIVE: 'active', SUCCESS: 'success', FAIL: 'fail' } as const;
export type TeamStatusCode = (typeof TeamStatus)[keyof typeof TeamStatus];

export const MemberStatus = { PENDING: 'pending', PAID: 'paid', SUCCESS: 'success', FAIL: 'fail', LEFT: 'left' } as const;
export type MemberStatusCode = (typeof MemberStatus)[keyof typeof MemberStatus];

export const TEAM_TRANSITIONS: Readonly<Record<TeamStatusCode, readonly TeamStatusCode[]>> = Object.freeze({
  active: Object.freeze([TeamStatus.SUCCESS, TeamStatus.FAIL]),
  success: Object.freeze([]),
  fail: Object.freeze([]),
});

export const MEMBER_TRANSITIONS: Readonly<Record<MemberStatusCode, readonly MemberStatusCode[]>> = Object.freeze({
  // paid, or given up when its checkout is released
  pending: Object.freeze([MemberStatus.PAID, MemberStatus.LEFT]),
  // the team forms, fails (then refunded → fail) or the member is refunded while it forms (left)
  paid: Object.freeze([MemberStatus.SUCCESS, MemberStatus.FAIL, MemberStatus.LEFT]),
  success: Object.freeze([]),
  fail: Object.freeze([]),
  left: Object.freeze([]),
});

/** Seats that count as taken (the caller can't join twice while one is held). */
export const HELD_SEATS: readonly MemberStatusCode[] = [MemberStatus.PENDING, MemberStatus.PAID, MemberStatus.SUCCESS];

export const canTeamTransition = (from: string, to: string): boolean =>
  Object.prototype.hasOwnProperty.call(TEAM_TRANSITIONS, from) &&
  (TEAM_TRANSITIONS[from as TeamStatusCode] as readonly string[]).includes(to);

export const canMemberTransition = (from: string, to: string): boolean =>
  Object.prototype.hasOwnProperty.call(MEMBER_TRANSITIONS, from) &&
  (MEMBER_TRANSITIONS[from as MemberStatusCode] as readonly string[]).includes(to);

/** The statuses `to` may be reached from: for `UPDATE … WHERE status IN (…)`. */
export const memberSourcesOf = (to: MemberStatusCode): MemberStatusCode[] =>
  (Object.keys(MEMBER_TRANSITIONS) as MemberStatusCode[]).filter((from) => canMemberTransition(from, to));

/** Start-up check: every target is a known state other than its source. */
export function validateTeamStateMachines(): void {
  const problems: string[] = [];
  const check = (name: string, map: Record<string, readonly string[]>) => {
    for (const [from, targets] of Object.entries(map)) {
      for (const to of targets) {
        if (!Object.prototype.hasOwnProperty.call(map, to)) problems.push(`${name} ${from} → ${to}: unknown target`);
        if (to === from) problems.push(`${name} ${from} → ${to}: self transition`);
      }
    }
  };
  check('team', TEAM_TRANSITIONS);
  check('member', MEMBER_TRANSITIONS);
  if (problems.length) throw new Error(`team state machine is invalid: ${problems.join('; ')}`);
}

validateTeamStateMachines();
