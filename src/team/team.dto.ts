import { ApiProperty } from '@nestjs/swagger';
import { IsInt, Min } from 'class-validator';
import { ToInt } from '../common/transforms';

export class TeamIdParam {
  @ApiProperty({ description: '拼团 id' })
  @ToInt()
  @IsInt()
  @Min(1)
  id: number;
}
