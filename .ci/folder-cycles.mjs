#!/usr/bin/env node
/**
 * Fails when two or more src/ folders depend on each other, directly or round a loop.
 * depcruise's no-circular only sees cycles between files, so order → team and team → order through different
 * files pass it; here every module is collapsed to its src/<folder> and the folder graph must be acyclic.
 * Uses the options of .dependency-cruiser.cjs, so both checks see the same modules. `--all` prints every import of a loop.
 */
import { fileURLToPath } from 'node:url';
import { cruise } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

const CONFIG = './.dependency-cruiser.cjs';
// The composition root wires every folder together by design.
const ROOT = new Set(['src/app.module.ts', 'src/main.ts', 'src/app.factory.ts']);
// database may import entity files from any folder; the pattern lives with that rule so the two cannot drift.
const ENTITY_RULE = 'database-only-entities-from-features';
const listAll = process.argv.includes('--all');

process.chdir(fileURLToPath(new URL('..', import.meta.url)));
const options = await extractDepcruiseOptions(CONFIG);
const entityRule = options.ruleSet.forbidden.find((rule) => rule.name === ENTITY_RULE);
if (!entityRule) throw new Error(`${CONFIG} has no rule named ${ENTITY_RULE}`);
const entityFile = new RegExp(entityRule.to.pathNot);
const isEntityImportByDatabase = (from, to) => from === 'src/database' && entityFile.test(to);

const tsConfig = options.tsConfig?.fileName ? extractTSConfig(options.tsConfig.fileName) : undefined;
const { output } = await cruise(['src'], { ...options, validate: false }, {}, { tsConfig });

const folderOf = (path) => {
  if (!path.startsWith('src/') || ROOT.has(path)) return null;
  const match = /^src\/([^/]+)\//.exec(path);
  return match ? `src/${match[1]}` : path;
};

/** folder → folder → the file-level imports that make up that edge */
const edges = new Map();
for (const module of output.modules) {
  const from = folderOf(module.source);
  if (!from) continue;
  if (!edges.has(from)) edges.set(from, new Map());
  for (const dependency of module.dependencies) {
    const to = folderOf(dependency.resolved);
    if (!to || to === from || isEntityImportByDatabase(from, dependency.resolved)) continue;
    const targets = edges.get(from);
    if (!targets.has(to)) targets.set(to, []);
    targets.get(to).push(`${module.source} → ${dependency.resolved}`);
  }
}

/** Tarjan's strongly connected components; every component with more than one folder holds a cycle. */
function stronglyConnected(graph) {
  let next = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const components = [];
  const visit = (node) => {
    index.set(node, next);
    low.set(node, next);
    next += 1;
    stack.push(node);
    onStack.add(node);
    for (const target of graph.get(node)?.keys() ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(node, Math.min(low.get(node), low.get(target)));
      } else if (onStack.has(target)) {
        low.set(node, Math.min(low.get(node), index.get(target)));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      components.push(component);
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return components.filter((component) => component.length > 1);
}

/** Shortest path from `start` back to `goal` inside one component, closing the cycle opened by goal → start. */
function shortestCycle(graph, members, goal, start) {
  const previous = new Map([[start, null]]);
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift();
    if (node === goal) break;
    for (const target of graph.get(node)?.keys() ?? []) {
      if (members.has(target) && !previous.has(target)) {
        previous.set(target, node);
        queue.push(target);
      }
    }
  }
  const path = [];
  for (let node = goal; node !== null; node = previous.get(node)) path.unshift(node);
  return [goal, ...path];
}

/** Same cycle from whichever folder sorts first, so each loop is printed once. */
function canonical(cycle) {
  const loop = cycle.slice(0, -1);
  const first = loop.indexOf([...loop].sort()[0]);
  const rotated = [...loop.slice(first), ...loop.slice(0, first)];
  return [...rotated, rotated[0]];
}

const components = stronglyConnected(edges);
const folderCount = edges.size;
const edgeCount = [...edges.values()].reduce((sum, targets) => sum + targets.size, 0);
if (components.length === 0) {
  console.log(`folder-cycles: no cycles between ${folderCount} folders (${edgeCount} folder-level imports)`);
  process.exit(0);
}

const cycles = new Map();
for (const component of components) {
  const members = new Set(component);
  for (const from of component) {
    for (const to of edges.get(from).keys()) {
      if (!members.has(to)) continue;
      const cycle = canonical(shortestCycle(edges, members, from, to));
      cycles.set(cycle.join(' → '), cycle);
    }
  }
}

console.error(`folder-cycles: ${cycles.size} cycle(s) between folders in ${components.length} group(s)\n`);
for (const [label, cycle] of [...cycles].sort(([a], [b]) => a.localeCompare(b))) {
  console.error(`  ${label}`);
  for (let i = 0; i < cycle.length - 1; i += 1) {
    const imports = edges.get(cycle[i]).get(cycle[i + 1]);
    if (listAll) for (const line of imports) console.error(`      ${line}`);
    else console.error(`      ${imports[0]}${imports.length > 1 ? ` (+${imports.length - 1} more, --all lists them)` : ''}`);
  }
}
process.exit(1);
