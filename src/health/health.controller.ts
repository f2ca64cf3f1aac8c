import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiServiceUnavailableResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import { Public } from '../auth/auth.decorators';

class HealthView {
  @ApiProperty({ example: 'ok', enum: ['ok', 'error'] }) status: string;
  @ApiProperty({ example: 'up', enum: ['up', 'down'] }) db: string;
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly ds: DataSource) {}

  @Get()
  @Public()
  @ApiOperation({ summary: '健康检查', description: '200 `{status:"ok", db:"up"}` when the database answers a ping, 503 otherwise.' })
  @ApiOkResponse({ type: HealthView })
  @ApiServiceUnavailableResponse({
    description: 'the database does not answer (`{status:"error", db:"down"}`), or the instance is shutting down (the §2 envelope)',
    schema: {
      oneOf: [
        { $ref: getSchemaPath(HealthView) },
        {
          type: 'object',
          additionalProperties: false,
          required: ['status', 'msg', 'message'],
          properties: { status: { type: 'integer', enum: [503] }, msg: { type: 'string' }, message: { type: 'string' } },
        },
      ],
    },
  })
  async health(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthView> {
    let up = false;
    try {
      if (this.ds.isInitialized) {
        await Promise.race([this.ds.query('SELECT 1'), new Promise((_, rej) => setTimeout(() => rej(new Error('timeout')), 3000))]);
        up = true;
      }
    } catch {
      up = false;
    }
    // the status code is the answer load balancers read; the body says which part is down
    void reply.status(up ? 200 : 503);
    return up ? { status: 'ok', db: 'up' } : { status: 'error', db: 'down' };
  }
}
