import { ApiProperty } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';
import { ToInt } from '../common/transforms';
import { MAX_INT } from '../common/validators';

export class TeamIdParam {
  @ApiProperty({ description: '拼团 id' })
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(MAX_INT)
  id: number;
}
