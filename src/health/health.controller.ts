import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiServiceUnavailableResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import { Public } from '../auth/auth.decorators';

class HealthView {
  @ApiProperty({ example: 'ok', enum: ['ok', 'error'] }) status: string;
  @ApiProperty({ example: 'up', enum: ['up', 'down'] }) db: string;
}

/** A database that has not answered the ping after this long is reported down. */
export const PING_TIMEOUT_MS = 3000;

/**
 * `p`, or a rejection after `ms`; the timer is cleared as soon as `p` settles, so a request leaves no
 * timer behind (one per request under load would hold memory and the event loop for `ms`).
 */
export async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, rej) => (timer = setTimeout(() => rej(new Error('timeout')), ms)))]);
  } finally {
    clearTimeout(timer);
  }
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
        await withTimeout(this.ds.query('SELECT 1'), PING_TIMEOUT_MS);
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
