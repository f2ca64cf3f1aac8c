import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { Response } from 'supertest';

/**
 * The drift check: every answer an e2e test gets through `bootApp`'s client is compared with the app's own
 * OpenAPI document (`/docs-json`): its route, method and HTTP status must be documented and its JSON body
 * must conform to the schema given for that status. Routes the document does not know (`/docs`, unknown
 * routes a test probes on purpose) are not checked. The document is fetched and turned into JSON Schema once
 * per test file (jest gives each file its own modules); each answer's schema is compiled on first use.
 *
 * Opt-out, for a test that sends something the document deliberately does not describe: `OPENAPI_DRIFT=off`
 * in the environment turns the whole check off (nothing in the suite needs it today).
 */
type Json = Record<string, unknown>;
interface Operation {
  method: string;
  template: string;
  pattern: RegExp;
  responses: Json;
}

const ENABLED = process.env.OPENAPI_DRIFT !== 'off';
const DOC_ID = 'openapi';

let loading: Promise<void> | undefined;
let operations: Operation[] = [];
let ajv: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();

/** Fetches and prepares the document of the app at `baseUrl` (once per test file). */
export function loadOpenApi(baseUrl: string): Promise<void> {
  if (!ENABLED) return Promise.resolve();
  loading ??= (async () => {
    const res = await fetch(`${baseUrl}/docs-json`);
    if (!res.ok) throw new Error(`drift check: GET /docs-json answered ${res.status}`);
    prepare((await res.json()) as Json);
  })();
  return loading;
}

function prepare(doc: Json): void {
  operations = [];
  for (const [template, item] of Object.entries(doc.paths as Json)) {
    const pattern = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '[^/]+')}$`);
    for (const [method, op] of Object.entries(item as Json)) {
      operations.push({ method: method.toUpperCase(), template, pattern, responses: ((op as Json).responses ?? {}) as Json });
    }
  }
  // literal paths before templated ones (`/team/{id}` must not shadow a literal sibling)
  operations.sort((a, b) => Number(a.template.includes('{')) - Number(b.template.includes('{')));
  ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const components = ((doc.components as Json | undefined)?.schemas ?? {}) as Json;
  ajv.addSchema({ $id: DOC_ID, components: { schemas: toJsonSchema(components) } });
  compiled.clear();
}

/** OpenAPI 3.0 schema → JSON Schema: `nullable` becomes a `null` alternative, `$ref`s point into the added document. */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!node || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node as Json)) {
    if (k === '$ref' && typeof v === 'string' && v.startsWith('#/')) out[k] = `${DOC_ID}${v}`;
    else if (k === 'example' || k === 'examples') continue;
    else
      out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as Json).map(([p, s]) => [p, toJsonSchema(s)])) : toJsonSchema(v);
  }
  if (out.nullable === true) {
    delete out.nullable;
    return { anyOf: [out, { type: 'null' }] };
  }
  return out;
}

/** Why this answer does not match the document, or undefined when it does (or is not checked). */
export function driftOf(method: string, url: string, res: Response | undefined): string | undefined {
  if (!ENABLED || !ajv || !res) return undefined;
  const path = new URL(url, 'http://127.0.0.1').pathname;
  const m = method === 'DEL' ? 'DELETE' : method;
  const op = operations.find((o) => o.method === m && o.pattern.test(path));
  if (!op) return undefined;
  const where = `${m} ${op.template} → ${res.status}`;
  const status = String(res.status);
  const answer = (op.responses[status] ?? op.responses[`${status[0]}XX`] ?? op.responses.default) as Json | undefined;
  if (!answer)
    return `OpenAPI drift: ${where} is not documented (documented: ${Object.keys(op.responses).join(', ')}); body ${clip(res.text)}`;
  const schema = ((answer.content as Json | undefined)?.['application/json'] as Json | undefined)?.schema;
  if (!schema) {
    return res.text ? `OpenAPI drift: ${where} documents no body but answered ${clip(res.text)}` : undefined;
  }
  if (!/json/.test(String(res.headers['content-type'] ?? '')))
    return `OpenAPI drift: ${where} answered ${res.headers['content-type']}, not JSON`;
  const key = `${m} ${op.template} ${status}`;
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.compile(toJsonSchema(schema) as Json);
    compiled.set(key, validate);
  }
  if (validate(res.body)) return undefined;
  const errors = (validate.errors ?? [])
    .slice(0, 5)
    .map(
      (e) =>
        `${e.instancePath || '(body)'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` '${e.params.additionalProperty}'` : ''}`,
    )
    .join('; ');
  return `OpenAPI drift: ${where} body does not match the document: ${errors}; body ${clip(res.text)}`;
}

function clip(text: string | undefined): string {
  if (!text) return '(empty)';
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
