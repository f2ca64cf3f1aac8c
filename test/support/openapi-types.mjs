// Generates TypeScript types from an OpenAPI document with openapi-typescript's programmatic API, as a client
// team would: `node test/support/openapi-types.mjs <document.json> <out.ts>` (openapi-typescript is ESM-only,
// so the jest suite runs this in its own process).
import { readFileSync, writeFileSync } from 'node:fs';
import openapiTS, { astToString } from 'openapi-typescript';

const [input, output] = process.argv.slice(2);
const ast = await openapiTS(JSON.parse(readFileSync(input, 'utf8')));
writeFileSync(output, astToString(ast));
