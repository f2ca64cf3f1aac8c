import 'reflect-metadata';
import { Controller, Get } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { JwtModule, JwtService } from '@nestjs/jwt';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { AllExceptionsFilter } from '../common/exception.filter';
import { AdminAuth, Public, UserAuth } from './auth.decorators';
import { AuthGuard } from './auth.guard';
import { VerifiedTokens } from './verified-tokens';

const SECRET = 'guard-spec-secret-guard-spec-secret-0123';

/** A controller somebody forgot to mark. */
@Controller('api/group/forgotten')
class ForgottenController {
  @Get()
  list() {
    return { status: 200, msg: 'ok', data: 'secret' };
  }
}

@Controller('api/group/open')
@Public()
class OpenController {
  @Get()
  list() {
    return { status: 200, msg: 'ok' };
  }

  @Get('mine')
  @UserAuth()
  mine() {
    return { status: 200, msg: 'ok', data: 'mine' };
  }
}

@Controller('api/marketing/mixed')
class MixedController {
  @Get('public')
  @Public()
  open() {
    return { status: 200, message: '' };
  }

  @Get('forgotten')
  forgotten() {
    return { status: 200, message: '', data: 'secret' };
  }

  @Get('admin')
  @AdminAuth()
  admin() {
    return { status: 200, message: '' };
  }
}

describe(AuthGuard.name, () => {
  let app: NestFastifyApplication;
  let jwt: JwtService;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [JwtModule.register({ secret: SECRET, signOptions: { algorithm: 'HS256' } })],
      controllers: [ForgottenController, OpenController, MixedController],
      providers: [VerifiedTokens, { provide: APP_GUARD, useClass: AuthGuard }, { provide: APP_FILTER, useClass: AllExceptionsFilter }],
    })
      .setLogger(false as never)
      .compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    jwt = moduleRef.get(JwtService);
  });
  afterAll(() => app.close());

  const get = (url: string, token?: string) =>
    app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('refuses a route without an access rule with 401, token or not', async () => {
    const anon = await get('/api/group/forgotten');
    expect(anon.statusCode).toBe(401);
    expect(anon.json()).toEqual({ status: 401, msg: expect.stringMatching(/access rule/) });
    const user = await get('/api/group/forgotten', jwt.sign({ sub: '1' }, { audience: 'storefront' }));
    expect(user.statusCode).toBe(401);
    const admin = await get(
      '/api/marketing/mixed/forgotten',
      jwt.sign({ sub: '1', tid: 1, role: 'super', usr: 'a' }, { audience: 'admin' }),
    );
    expect(admin.statusCode).toBe(401);
    expect(admin.json()).toEqual({ status: 401, message: expect.any(String) });
  });

  it('serves a route marked public on the handler or on the controller', async () => {
    expect((await get('/api/group/open')).statusCode).toBe(200);
    expect((await get('/api/marketing/mixed/public')).statusCode).toBe(200);
  });

  it('a handler rule overrides the controller rule', async () => {
    expect((await get('/api/group/open/mine')).statusCode).toBe(401);
    const ok = await get('/api/group/open/mine', jwt.sign({ sub: '7' }, { audience: 'storefront' }));
    expect(ok.statusCode).toBe(200);
    expect(ok.json().data).toBe('mine');
  });

  it('still checks marked routes', async () => {
    expect((await get('/api/marketing/mixed/admin')).statusCode).toBe(401);
    const ok = await get('/api/marketing/mixed/admin', jwt.sign({ sub: '1', tid: 1, role: 'admin', usr: 'a' }, { audience: 'admin' }));
    expect(ok.statusCode).toBe(200);
  });

  describe('verified tokens are remembered until they expire', () => {
    const NOW = Date.parse('2030-01-01T00:00:00Z');
    beforeEach(() =>
      jest.useFakeTimers({
        now: NOW,
        doNotFake: [
          'hrtime',
          'nextTick',
          'performance',
          'queueMicrotask',
          'setImmediate',
          'clearImmediate',
          'setInterval',
          'clearInterval',
          'setTimeout',
          'clearTimeout',
        ],
      }),
    );
    afterEach(() => {
      jest.useRealTimers();
      jest.restoreAllMocks();
    });

    it('checks the signature once per token, not once per request', async () => {
      const token = jwt.sign({ sub: '41' }, { audience: 'storefront', expiresIn: 60 });
      const verify = jest.spyOn(jwt, 'verify');
      for (let i = 0; i < 3; i++) {
        const res = await get('/api/group/open/mine', token);
        expect(res.statusCode).toBe(200);
      }
      expect(verify).toHaveBeenCalledTimes(1);
    });

    it('refuses a cached token once its exp has passed', async () => {
      const token = jwt.sign({ sub: '42' }, { audience: 'storefront', expiresIn: 60 });
      expect((await get('/api/group/open/mine', token)).statusCode).toBe(200);
      jest.setSystemTime(NOW + 59_000);
      expect((await get('/api/group/open/mine', token)).statusCode).toBe(200);
      jest.setSystemTime(NOW + 60_000);
      const late = await get('/api/group/open/mine', token);
      expect(late.statusCode).toBe(401);
      expect(late.json()).toEqual({ status: 401, msg: '登录已过期 (token expired)' });
    });

    it('refuses a wrong signature even after a valid token with the same payload was cached', async () => {
      const token = jwt.sign({ sub: '43' }, { audience: 'storefront', expiresIn: 60 });
      expect((await get('/api/group/open/mine', token)).statusCode).toBe(200);
      // same header and payload (the clock is frozen), signed with another key
      const forged = new JwtService({ secret: 'another-secret-another-secret-another' }).sign(
        { sub: '43' },
        { audience: 'storefront', expiresIn: 60 },
      );
      expect(forged.split('.').slice(0, 2)).toEqual(token.split('.').slice(0, 2));
      expect(forged).not.toBe(token);
      const wrong = await get('/api/group/open/mine', forged);
      expect(wrong.statusCode).toBe(401);
      expect(wrong.json()).toEqual({ status: 401, msg: '登录凭证无效 (invalid token)' });
      expect((await get('/api/group/open/mine', token)).statusCode).toBe(200);
    });

    it('never remembers a refused token as valid', async () => {
      const admin = jwt.sign({ sub: '1', tid: 1, role: 'admin', usr: 'a' }, { audience: 'admin', expiresIn: 60 });
      const bogus = jwt.sign({ sub: 'x' }, { audience: 'storefront', expiresIn: 60 });
      for (let i = 0; i < 2; i++) {
        expect((await get('/api/group/open/mine', admin)).statusCode).toBe(403);
        expect((await get('/api/group/open/mine', bogus)).statusCode).toBe(401);
      }
    });
  });
});
