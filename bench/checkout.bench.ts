/**
 * Flash-sale checkout benchmark (秒杀): the hot-deal scenario of bench/run.ts alone, one round.
 *
 *   npm run bench:checkout                                  # 3 s warm-up + 15 s measured, 50 connections, 200 users
 *   npm run bench:checkout -- --duration 30 --connections 100 --warmup 5 --users 200 --rounds 3
 *
 * The app's POST /api/group/order/createOrder on one hot deal against bench/baseline-server.js (the same
 * order transaction on bare Fastify + mysql2), the app's peak RSS, and the database check (stock taken =
 * units ordered, order_count = orders = 2xx answers). Takes every option of `npm run bench`; see bench/run.ts.
 */
import { cleanup, childTails } from './support/processes';
import { runBench } from './run';

runBench(
  ['--only', 'hot-deal', '--rounds', '1', '--warmup', '3', '--duration', '15', '--users', '200', ...process.argv.slice(2)],
  'npm run bench:checkout',
)
  .catch((e) => {
    process.stderr.write(`\nbenchmark failed: ${e instanceof Error ? e.message : String(e)}\n${childTails()}`);
    process.exitCode = 1;
  })
  .finally(async () => {
    await cleanup();
    process.exit();
  });
