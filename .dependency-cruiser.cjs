/**
 * Module direction (an arrow means "may import"):
 *   jobs, delivery → order → team, coupon, payment → group-buying → pricing → common
 *   order (and demo) → member → pricing (types), common: the wallet, a sibling of team, coupon and payment
 * Infrastructure (config, database, auth, tenant, shop, health, rate-limit) sits beside that stack: features import it, it never
 * imports a feature. app.module.ts, main.ts and app.factory.ts are the composition root and may import anything.
 * Folder-level cycles are checked by .ci/folder-cycles.mjs with this same configuration.
 */
const FEATURES = 'order|team|coupon|payment|member|group-buying|delivery|jobs|pricing';
const ENTITY = '^src/[^/]+/[^/]+\\.entity\\.ts$';

module.exports = {
  forbidden: [
    {
      name: 'jobs-only-from-app-module',
      comment: 'The sweep is the top of the stack: only the root module wires it in, so nothing can call back into it.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/app\\.module\\.ts$', '^src/jobs/'] },
      to: { path: '^src/jobs/' },
    },
    {
      name: 'order-not-to-delivery-or-jobs',
      comment: 'Delivery and the sweep act on orders; order must not know them, or an order change drags them along.',
      severity: 'error',
      from: { path: '^src/order/' },
      to: { path: '^src/(delivery|jobs)/' },
    },
    {
      name: 'delivery-and-jobs-independent',
      comment: 'Delivery and the sweep both sit on order; each reaches the other only through order, never directly.',
      severity: 'error',
      from: { path: '^src/(delivery|jobs)/' },
      to: { path: '^src/(delivery|jobs)/', pathNot: '^src/$1/' },
    },
    {
      name: 'team-coupon-payment-not-upward',
      comment: 'Order composes team, coupon and payment; they must not depend back on order or on what sits above it.',
      severity: 'error',
      from: { path: '^src/(team|coupon|payment)/' },
      to: { path: '^src/(order|delivery|jobs)/' },
    },
    {
      name: 'team-coupon-payment-siblings-independent',
      comment: 'Siblings stay independent so each can change alone; order is where they meet.',
      severity: 'error',
      from: { path: '^src/(team|coupon|payment)/' },
      to: { path: '^src/(team|coupon|payment|member)/', pathNot: '^src/$1/' },
    },
    {
      name: 'member-only-from-order-and-demo',
      comment:
        "The wallet is changed inside the checkout's transactions: only order (and the demo data) may call it, so no one else moves a balance.",
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/(member|order|demo)/', '^src/app\\.module\\.ts$', '^src/database/'] },
      to: { path: '^src/member/' },
    },
    {
      name: 'member-not-upward-or-to-siblings',
      comment:
        'The wallet knows no order, deal, team, coupon or payment: the order module passes it what it needs (checkout ids, order codes, amounts).',
      severity: 'error',
      from: { path: '^src/member/' },
      to: { path: '^src/(order|delivery|jobs|demo|team|coupon|payment|group-buying)/' },
    },
    {
      name: 'group-buying-not-upward',
      comment: 'Deals are the base every purchase builds on; they must not know the orders, teams, coupons or payments built on them.',
      severity: 'error',
      from: { path: '^src/group-buying/' },
      to: { path: '^src/(order|team|coupon|payment|member|delivery|jobs)/' },
    },
    {
      name: 'pricing-only-common',
      comment: 'Pricing is pure arithmetic on its own types and the common money helpers, so it is testable without anything else.',
      severity: 'error',
      from: { path: '^src/pricing/' },
      to: { path: '^src/', pathNot: '^src/(pricing|common)/' },
    },
    {
      name: 'pricing-no-io',
      comment: 'Pricing does no I/O: no ORM, no database driver, no file system, no network.',
      severity: 'error',
      from: { path: '^src/pricing/' },
      to: {
        path: ['(^|/)node_modules/(typeorm|@nestjs/typeorm|mysql2|better-sqlite3)/', '^(node:)?(fs|fs/promises|net|http|https)$'],
      },
    },
    {
      name: 'common-is-leaf',
      comment: 'Everything imports common; if common imported a folder, every folder would depend on that one.',
      severity: 'error',
      from: { path: '^src/common/' },
      to: { path: '^src/', pathNot: '^src/common/' },
    },
    {
      name: 'config-only-common',
      comment: 'Configuration is read by every layer, including the database and auth, so it must stand on common alone.',
      severity: 'error',
      from: { path: '^src/config/' },
      to: { path: '^src/', pathNot: '^src/(config|common)/' },
    },
    {
      name: 'infrastructure-not-to-features',
      comment: 'Features build on infrastructure; infrastructure importing a feature would tie every feature to that one.',
      severity: 'error',
      from: { path: '^src/(config|auth|tenant|shop|health|rate-limit)/' },
      to: { path: `^src/(${FEATURES})/` },
    },
    {
      name: 'database-only-entities-from-features',
      comment:
        'The database module registers every entity and seeds demo rows, so it may import entity files, and nothing else, from features and shop.',
      severity: 'error',
      from: { path: '^src/database/' },
      to: { path: `^src/(shop|${FEATURES})/`, pathNot: ENTITY },
    },
    {
      name: 'shop-from-group-buying-and-above',
      comment:
        'Shops belong to the storefront; the infrastructure below it (auth, tenant, config, health) and pricing/common stay shop-agnostic.',
      severity: 'error',
      from: { path: '^src/(common|pricing|config|auth|tenant|health|rate-limit)/' },
      to: { path: '^src/shop/' },
    },
    {
      name: 'no-circular',
      comment: 'A module cycle makes load order matter (undefined imports at start-up) and the modules impossible to change apart.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that does not resolve would slip past every rule above, and fail at run time.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // Unit specs may pull fixtures from anywhere; the rules are about what ships.
    exclude: { path: '\\.spec\\.ts$' },
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count: a type from a folder above is still a dependency on it.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['main', 'types', 'typings'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
