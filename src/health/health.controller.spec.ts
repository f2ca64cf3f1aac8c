import type { FastifyReply } from 'fastify';
import type { DataSource } from 'typeorm';
import { HealthController, PING_TIMEOUT_MS } from './health.controller';

function reply(): FastifyReply & { code?: number } {
  const r = {
    code: undefined as number | undefined,
    status(c: number) {
      r.code = c;
      return r;
    },
  };
  return r as unknown as FastifyReply & { code?: number };
}

const controller = (query: () => Promise<unknown>) => new HealthController({ isInitialized: true, query } as unknown as DataSource);

describe('HealthController', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('answers 200 and leaves no timer behind', async () => {
    const r = reply();
    expect(jest.getTimerCount()).toBe(0);
    await expect(controller(async () => [{ 1: 1 }]).health(r)).resolves.toEqual({ status: 'ok', db: 'up' });
    expect(r.code).toBe(200);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('answers 503 when the ping fails, and leaves no timer behind', async () => {
    const r = reply();
    await expect(controller(() => Promise.reject(new Error('refused'))).health(r)).resolves.toEqual({ status: 'error', db: 'down' });
    expect(r.code).toBe(503);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('answers 503 after the timeout when the database never answers', async () => {
    const r = reply();
    const answer = controller(() => new Promise(() => undefined)).health(r);
    expect(jest.getTimerCount()).toBe(1);
    await jest.advanceTimersByTimeAsync(PING_TIMEOUT_MS - 1);
    expect(r.code).toBeUndefined();
    await jest.advanceTimersByTimeAsync(1);
    await expect(answer).resolves.toEqual({ status: 'error', db: 'down' });
    expect(r.code).toBe(503);
    expect(jest.getTimerCount()).toBe(0);
  });
});
