import {
  canMemberTransition,
  canTeamTransition,
  MEMBER_TRANSITIONS,
  memberSourcesOf,
  TEAM_TRANSITIONS,
  validateTeamStateMachines,
} from './team.state';

describe('team state machine', () => {
  const teams = Object.keys(TEAM_TRANSITIONS);
  const members = Object.keys(MEMBER_TRANSITIONS);

  it('lets an active team only form or fail, and nothing leave success or fail', () => {
    const allowed = teams.flatMap((from) => teams.filter((to) => canTeamTransition(from, to)).map((to) => `${from}>${to}`));
    expect(allowed.sort()).toEqual(['active>fail', 'active>success']);
  });

  it('moves seats pending → paid → success|fail, and gives up pending or paid seats', () => {
    const allowed = members.flatMap((from) => members.filter((to) => canMemberTransition(from, to)).map((to) => `${from}>${to}`));
    expect(allowed.sort()).toEqual(['paid>fail', 'paid>left', 'paid>success', 'pending>left', 'pending>paid']);
  });

  it('refuses unknown states', () => {
    expect(canTeamTransition('nope', 'success')).toBe(false);
    expect(canMemberTransition('pending', 'nope')).toBe(false);
  });

  it('lists the sources of a seat state for conditional updates', () => {
    expect(memberSourcesOf('left').sort()).toEqual(['paid', 'pending']);
    expect(memberSourcesOf('success')).toEqual(['paid']);
  });

  it('validates at start-up', () => {
    expect(() => validateTeamStateMachines()).not.toThrow();
  });
});
