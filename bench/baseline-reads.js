'use strict';
/**
 * Baseline for the read scenarios of `npm run bench`: the least a server can do to answer the
 * storefront's deal detail and order list from the app's own tables — bare Fastify 5 + a
 * mysql2/promise pool, no Nest, no ORM, no DTO validation, no visit counting. Each request verifies
 * the app's storefront token (HS256 over the same secret, with the `jsonwebtoken` @nestjs/jwt uses,
 * given a KeyObject made once as the app does) and runs one SELECT:
 *
 *   GET /detail/:id   SELECT <deal columns>, s.name FROM group_buying g JOIN shop s ON s.id = g.shop_id WHERE g.id = ?
 *   POST /orders      SELECT <order columns> FROM group_buying_order WHERE user_id = ? ORDER BY create_time DESC, id DESC LIMIT 10
 *     (header `Authori-Zation: Bearer <token>` or `Authorization`)
 *     → 200 {status:200, msg:'ok', data} | 401 | 404
 *   GET /health       → 200 {status:'ok'}
 *
 * Sessions are UTC like the app's (set once per pooled connection); text protocol (`query`, like TypeORM).
 * Env: DATABASE_URL (mysql://…/db, required), JWT_SECRET (the app's, required), PORT (default 3101),
 * HOST (default 127.0.0.1), DB_POOL_SIZE (default 10). Plain CommonJS: `node bench/baseline-reads.js`.
 */
const { createSecretKey } = require('node:crypto');
const Fastify = require('fastify');
const jwt = require('jsonwebtoken');
const mysql = require('mysql2/promise');

const url = process.env.DATABASE_URL;
const secret = process.env.JWT_SECRET;
if (!url || !/^mysql:\/\//.test(url) || !secret) {
  process.stderr.write('baseline-reads: DATABASE_URL=mysql://user:pass@host:port/db and JWT_SECRET are required\n');
  process.exit(1);
}
const port = Number(process.env.PORT || 3101);
const host = process.env.HOST || '127.0.0.1';
const poolSize = Number(process.env.DB_POOL_SIZE || 10);
const key = createSecretKey(Buffer.from(secret, 'utf8'));

const pool = mysql.createPool({
  uri: url,
  connectionLimit: poolSize,
  maxIdle: poolSize,
  enableKeepAlive: true,
  timezone: 'Z',
  charset: 'utf8mb4_unicode_ci',
  supportBigNumbers: true,
});
pool.pool.on('connection', (conn) => {
  conn.query("SET time_zone = '+00:00'", () => undefined);
});

const DEAL_SQL =
  'SELECT g.id, g.name, g.description, g.product_id, g.product_name, g.product_code, g.spec, g.image_path, g.price, g.stock, ' +
  'g.payed_count, g.start_time, g.end_time, g.deliver_type, g.deliver_fee, g.shop_id, s.name AS shop_name, g.address, g.lbs, ' +
  'g.phone, g.limit_per_user, g.team_size, g.in_use FROM group_buying g JOIN shop s ON s.id = g.shop_id WHERE g.id = ? AND g.deleted_at IS NULL';
const ORDERS_SQL =
  'SELECT code, pay_no, status, group_buying_id, product_name, spec, image_path, price, qty, goods_money, coupon_money, deliver_fee, ' +
  'money, deliver_type, deliver_code, tracking_no, address, phone, remark, sequence, create_time, pay_time, expire_time, team_id, ' +
  'reviewed FROM group_buying_order WHERE user_id = ? ORDER BY create_time DESC, id DESC LIMIT 10';

/** The storefront user id of the request's token, or undefined (then the route answers 401). */
function userOf(req) {
  const h = req.headers['authori-zation'] || req.headers['authorization'];
  const m = typeof h === 'string' ? /^Bearer\s+(\S+)$/i.exec(h.trim()) : null;
  if (!m) return undefined;
  try {
    const claims = jwt.verify(m[1], key, { algorithms: ['HS256'], audience: 'storefront' });
    const id = Number(claims.sub);
    return Number.isSafeInteger(id) && id > 0 ? id : undefined;
  } catch {
    return undefined;
  }
}

const unauthorized = (reply) => reply.code(401).send({ status: 401, msg: 'unauthorized' });

const app = Fastify({ logger: false, bodyLimit: 100 * 1024 });

app.get('/health', async () => ({ status: 'ok' }));

app.get('/detail/:id', async (req, reply) => {
  if (userOf(req) === undefined) return unauthorized(reply);
  const id = Number(req.params.id);
  if (!Number.isSafeInteger(id) || id <= 0) return reply.code(404).send({ status: 404, msg: 'not found' });
  const [found] = await pool.query(DEAL_SQL, [id]);
  if (!found.length) return reply.code(404).send({ status: 404, msg: 'not found' });
  return { status: 200, msg: 'ok', data: found[0] };
});

app.post('/orders', async (req, reply) => {
  const userId = userOf(req);
  if (userId === undefined) return unauthorized(reply);
  const [list] = await pool.query(ORDERS_SQL, [userId]);
  return { status: 200, msg: 'ok', data: { list, page: 1, limit: 10 } };
});

async function shutdown() {
  try {
    await app.close();
  } finally {
    await pool.end().catch(() => undefined);
    process.exit(0);
  }
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

app.listen({ port, host }).then(
  () => process.stdout.write(`baseline-reads listening on http://${host}:${port} (pool ${poolSize})\n`),
  (e) => {
    process.stderr.write(`baseline-reads: failed to start: ${e && e.message}\n`);
    process.exit(1);
  },
);
