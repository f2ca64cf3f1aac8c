'use strict';
/**
 * Baseline for `npm run bench` (sold-out storm): the least a Nest-on-Fastify app costs per request.
 * Same @nestjs/core, @nestjs/platform-fastify and fastify as the app, one controller with one route,
 * no guard, pipe, filter, interceptor, logger, helmet or database. An app answer that never touches
 * the database (409 on a sold-out deal) cannot be cheaper than this.
 *
 *   GET /ping  → 200 {status:200, msg:'ok'}
 *
 * Env: PORT (default 3200), HOST (default 127.0.0.1). Plain CommonJS with the decorators applied by
 * hand, so it runs with `node bench/nest-ping.js`, no build.
 */
require('reflect-metadata');
const { Controller, Get, Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { FastifyAdapter } = require('@nestjs/platform-fastify');

const port = Number(process.env.PORT || 3200);
const host = process.env.HOST || '127.0.0.1';

class PingController {
  ping() {
    return { status: 200, msg: 'ok' };
  }
}
Get('ping')(PingController.prototype, 'ping', Object.getOwnPropertyDescriptor(PingController.prototype, 'ping'));
Controller()(PingController);

class PingModule {}
Module({ controllers: [PingController] })(PingModule);

async function main() {
  const app = await NestFactory.create(PingModule, new FastifyAdapter(), { logger: false });
  app.enableShutdownHooks();
  await app.listen(port, host);
  process.stdout.write(`nest-ping listening on http://${host}:${port}\n`);
}

main().catch((e) => {
  process.stderr.write(`nest-ping: failed to start: ${e && e.message}\n`);
  process.exit(1);
});
