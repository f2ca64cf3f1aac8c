import helmet from '@fastify/helmet';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import { AppModule } from './app.module';
import { refuseForbiddenKeys } from './common/forbidden-keys';
import { createValidationPipe } from './common/validation';
import { AppConfig } from './config/app-config';
import { setAppTimezone } from './common/time';

export const BODY_LIMIT = 100 * 1024;

/** Builds the whole application (used by main.ts and by the e2e tests), not yet listening. */
export async function createApp(config: AppConfig): Promise<NestFastifyApplication> {
  setAppTimezone(config.appTz);
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT,
    trustProxy: false,
    // parsed as plain data, then refused by name (400) in refuseForbiddenKeys: the parser's own
    // refusal is a bare "invalid JSON" that does not say which key
    onProtoPoisoning: 'ignore',
    onConstructorPoisoning: 'ignore',
    requestIdHeader: false,
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && /^[\w.-]{1,128}$/.test(given) ? given : randomUUID();
      req.headers['x-request-id'] = id;
      return id;
    },
  });
  // rawBody: the WeChat Pay notify signature covers the exact bytes
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, { bufferLogs: true, rawBody: true });
  app.useLogger(app.get(Logger));
  // form-encoded bodies (seed 000) are parsed by the adapter's built-in @fastify/formbody
  // JSON API: CSP off so Swagger UI's inline assets load; the other helmet headers stay on.
  await app.register(helmet as never, { contentSecurityPolicy: false, crossOriginEmbedderPolicy: false } as never);
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  refuseForbiddenKeys(fastify);
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();

  const doc = new DocumentBuilder()
    .setTitle('团购 Group-buy API')
    .setDescription(
      'Storefront (`/api/group/…`, envelope `{status, msg, data}`) and admin (`/api/marketing/…`, writes `{status, message, data}`, reads return the object itself) APIs. Dates `YYYY-MM-DD HH:mm:ss` in APP_TZ; admin money as JSON numbers, storefront money as strings with two decimals.',
    )
    .setVersion('1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'storefront token (Authori-Zation or Authorization header)' }, 'storefront')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'admin token' }, 'admin')
    .build();
  const document = SwaggerModule.createDocument(app, doc);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', yamlDocumentUrl: 'docs-yaml' });
  return app;
}
