import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainError } from '../common/errors';
import { loadTeamViews, TeamView } from './team.view';

/** Reading teams (the shared team page). Seats are taken and freed inside the order transactions (team.seats.ts). */
@Injectable()
export class TeamService {
  constructor(private readonly ds: DataSource) {}

  async view(id: number): Promise<TeamView> {
    const team = (await loadTeamViews(this.ds, [id])).get(id);
    if (!team) throw DomainError.notFound('拼团');
    return team;
  }
}
