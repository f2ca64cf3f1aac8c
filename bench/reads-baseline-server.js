'use strict';
/**
 * Bare reference for `bench/reads.bench.ts`: the least a server can do to answer the storefront's two
 * hottest reads on the app's own tables — bare Fastify 5 + a mysql2/promise pool, no Nest, no ORM, no
 * validation, no logging, with the same HS256 token check the app makes (node:crypto HMAC):
 *
 *   GET  /detail/:id   optional `Authori-Zation: Bearer …`   one SELECT deal JOIN shop → {status, msg, data}
 *   POST /order_list   required `Authori-Zation: Bearer …`   one SELECT … FROM group_buying_order WHERE user_id = ?
 *                                                           ORDER BY create_time DESC, id DESC LIMIT 10 → {status, msg, data:{list}}
 *   GET  /health
 *
 * Env: DATABASE_URL (mysql://…/db, required), JWT_SECRET (required), PORT (default 3101), HOST
 * (default 127.0.0.1), DB_POOL_SIZE (default 10). Plain CommonJS: `node bench/reads-baseline-server.js`.
 */
const { createHmac, timingSafeEqual } = require('node:crypto');
const Fastify = require('fastify');
const mysql = require('mysql2/promise');

const url = process.env.DATABASE_URL;
const secret = process.env.JWT_SECRET;
if (!url || !/^mysql:\/\//.test(url) || !secret) {
  process.stderr.write('reads-baseline: DATABASE_URL=mysql://… and JWT_SECRET are required\n');
  process.exit(1);
}
const port = Number(process.env.PORT || 3101);
const host = process.env.HOST || '127.0.0.1';
const poolSize = Number(process.env.DB_POOL_SIZE || 10);

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
  conn.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED', () => undefined);
});

/** The storefront user id of a valid HS256 token with aud "storefront", else undefined. */
function userOf(req) {
  const raw = req.headers['authori-zation'] || req.headers['authorization'];
  const m = typeof raw === 'string' ? /^Bearer\s+(\S+)$/i.exec(raw.trim()) : null;
  if (!m) return undefined;
  const parts = m[1].split('.');
  if (parts.length !== 3) return undefined;
  const sig = Buffer.from(parts[2], 'base64url');
  const want = createHmac('sha256', secret).update(`${parts[0]}.${parts[1]}`).digest();
  if (sig.length !== want.length || !timingSafeEqual(sig, want)) return undefined;
  let claims;
  try {
    claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (claims.aud !== 'storefront' || (typeof claims.exp === 'number' && claims.exp * 1000 < Date.now())) return undefined;
  const id = Number(claims.sub);
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

const app = Fastify({ logger: false });

app.get('/health', async () => ({ status: 'ok' }));

app.get('/detail/:id', async (req, reply) => {
  userOf(req);
  const id = Number(req.params.id);
  if (!Number.isSafeInteger(id) || id <= 0) return reply.code(400).send({ status: 400, msg: 'id' });
  const [found] = await pool.query(
    `SELECT g.id, g.name, g.description, g.product_id, g.product_name, g.product_code, g.spec, g.image_path, g.price, g.stock,
            g.payed_count, g.start_time, g.end_time, g.deliver_type, g.deliver_fee, g.shop_id, s.name AS shop_name, g.address,
            g.lbs, g.phone, g.limit_per_user, g.team_size, g.in_use
       FROM group_buying g JOIN shop s ON s.id = g.shop_id WHERE g.id = ? AND g.deleted_at IS NULL`,
    [id],
  );
  if (!found.length) return reply.code(404).send({ status: 404, msg: 'not found' });
  return { status: 200, msg: 'ok', data: found[0] };
});

app.post('/order_list', async (req, reply) => {
  const userId = userOf(req);
  if (!userId) return reply.code(401).send({ status: 401, msg: 'unauthorized' });
  const [list] = await pool.query(
    `SELECT code, pay_no, status, group_buying_id, product_name, spec, image_path, price, qty, goods_money, coupon_money,
            deliver_fee, money, deliver_type, deliver_code, tracking_no, address, phone, remark, sequence, create_time,
            pay_time, expire_time, team_id, reviewed
       FROM group_buying_order WHERE user_id = ? ORDER BY create_time DESC, id DESC LIMIT 10`,
    [userId],
  );
  return { status: 200, msg: 'ok', data: { list } };
});

app.listen({ port, host }).then(
  () => process.stdout.write(`reads-baseline listening on http://${host}:${port}\n`),
  (e) => {
    process.stderr.write(`reads-baseline: ${e.message}\n`);
    process.exit(1);
  },
);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    app
      .close()
      .then(() => pool.end())
      .finally(() => process.exit(0));
  });
}
