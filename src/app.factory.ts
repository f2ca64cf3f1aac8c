import { NestFactory } from '@nestjs/core';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module';
import { createAppLoggers, PinoNestLogger } from './common/app.logger';
import { errorBody } from './common/envelope';
import { refuseForbiddenKeys } from './common/forbidden-keys';
import { addResponseHooks, refuseUndocumentedForms, requestIdGenerator } from './common/http.hooks';
import { buildOpenApiDocument, formEncodedRoutes } from './common/openapi';
import { setAppTimezone } from './common/time';
import { createValidationPipe } from './common/validation';
import { AppConfig } from './config/app-config';
import { describeDatabaseError, isDatabaseError } from './database/connect-error';
import { LifecycleService } from './health/lifecycle.service';
import { SoldOutShortcut } from './order/sold-out-shortcut';

export const BODY_LIMIT = 100 * 1024;

/** The app could not start; the message is the one line an operator reads. */
export class StartupError extends Error {}

function oneLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ').trim();
}

/** Builds the whole application (used by main.ts and by the e2e tests), not yet listening. */
export async function createApp(config: AppConfig): Promise<NestFastifyApplication> {
  setAppTimezone(config.appTz);
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT,
    trustProxy: false,
    // while closing, requests get the §2 envelope from the draining hook below, not Fastify's own body
    return503OnClosing: false,
    // parsed as plain data, then refused by name (400) in refuseForbiddenKeys: the parser's own
    // refusal is a bare "invalid JSON" that does not say which key
    onProtoPoisoning: 'ignore',
    onConstructorPoisoning: 'ignore',
    requestIdHeader: false,
    genReqId: requestIdGenerator(),
    // no Nest middleware anywhere, so no @fastify/middie hook on every request (registering one would fail at start)
    skipMiddie: true,
    // the router's own refusals, before any route or hook, in the §2 envelope: a URL that cannot be decoded is a
    // 400; a path parameter longer than Fastify's maxParamLength (100) names nothing that exists, a 404 as before
    frameworkErrors: (error: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
      const path = req.url.split('?')[0];
      if (error.code === 'FST_ERR_MAX_PARAM_LENGTH')
        return void reply.code(404).send(errorBody(path, 404, `路由不存在: ${req.method} ${path} (route not found)`));
      return void reply.code(400).send(errorBody(path, 400, `请求参数错误: ${error.message} (bad request)`));
    },
  });
  const loggers = createAppLoggers(config.logLevel);
  let app: NestFastifyApplication;
  try {
    // rawBody: the WeChat Pay notify signature covers the exact bytes. A failure here (the database,
    // nearly always) is rethrown as one line: Nest's buffered start-up logs are not flushed, and no abort.
    app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
      bufferLogs: true,
      autoFlushLogs: false,
      abortOnError: false,
      rawBody: true,
    });
  } catch (e) {
    throw new StartupError(isDatabaseError(e) ? describeDatabaseError(e, config.databaseUrl, config.dataDir) : oneLine(e));
  }
  app.useLogger(new PinoNestLogger(loggers.app));
  app.flushLogs();
  // form-encoded bodies (seed 000) are parsed by the adapter's built-in @fastify/formbody
  const fastify = app.getHttpAdapter().getInstance();
  // before the draining hook, so its 503s carry the headers and the request id too
  addResponseHooks(fastify, loggers.requests);
  const lifecycle = app.get(LifecycleService);
  fastify.addHook('onRequest', (req, reply, done) => {
    if (!lifecycle.draining) return done();
    void reply
      .code(503)
      .header('connection', 'close')
      .send(errorBody(req.url.split('?')[0], 503, '服务正在停止，请稍后重试 (shutting down, try again)'));
  });
  refuseForbiddenKeys(fastify);
  // a sold-out storm's 1002 from memory, before validation and the guard (contract §5, §12)
  app.get(SoldOutShortcut).register(fastify);
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();

  const document = buildOpenApiDocument(app);
  refuseUndocumentedForms(fastify, formEncodedRoutes(document));
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    yamlDocumentUrl: 'docs-yaml',
    // the console: both tokens entered once in "Authorize" survive a reload
    swaggerOptions: { persistAuthorization: true, displayRequestDuration: true },
  });
  return app;
}
