import { Module } from '@nestjs/common';
import { GroupBuyingModule } from '../group-buying/group-buying.module';
import { TeamController } from './team.controller';
import { TeamRepository } from './team.repository';
import { TeamService } from './team.service';

/** Team buy (contract §7): the only module that writes the team and team_member tables. */
@Module({
  imports: [GroupBuyingModule],
  controllers: [TeamController],
  providers: [TeamService, TeamRepository],
  exports: [TeamService],
})
export class TeamModule {}
