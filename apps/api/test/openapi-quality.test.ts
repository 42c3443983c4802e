import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupApi, type ApiTestContext } from './api-helper.js';

/**
 * The whole document, with every /api/v1 route registered: validated against the OpenAPI 3.1
 * JSON Schema by a real validator, and checked for what the issue asks of every operation
 * (operationId, summary, schemas, an example) and of every input (closed objects, bounded sizes).
 * Routes added later are checked without touching this file.
 */
type Json = Record<string, unknown>;
interface Operation {
  operationId?: string;
  summary?: string;
  parameters?: Array<{ name: string; in: string; schema: Json }>;
  requestBody?: { content: Record<string, { schema: Json }> };
  responses: Record<string, { content?: Record<string, { schema: Json }> } | { $ref: string }>;
}
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

function operations(document: Json): Array<{ where: string; operation: Operation }> {
  const paths = document.paths as Record<string, Record<string, Operation>>;
  return Object.entries(paths).flatMap(([path, item]) =>
    METHODS.flatMap((method) => (item[method] ? [{ where: `${method.toUpperCase()} ${path}`, operation: item[method] }] : [])),
  );
}

function hasExample(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(hasExample);
  if (typeof node !== 'object' || node === null) return false;
  if ('example' in node || 'examples' in node) return true;
  return Object.values(node).some(hasExample);
}

/** Problems of an input schema: open objects, unbounded strings and arrays, unbounded integers. */
function inputProblems(schema: unknown, at: string, out: string[]): string[] {
  if (typeof schema !== 'object' || schema === null) return out;
  const s = schema as Json;
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    if (Array.isArray(s[key])) (s[key] as unknown[]).forEach((branch, i) => inputProblems(branch, `${at}/${key}/${i}`, out));
  }
  const type = s.type;
  if (type === 'object' || s.properties !== undefined) {
    if (s.additionalProperties !== false) out.push(`${at}: object without additionalProperties: false`);
    for (const [name, child] of Object.entries((s.properties as Json | undefined) ?? {})) inputProblems(child, `${at}/${name}`, out);
  }
  if (type === 'array') {
    // A tuple (fixed items, nothing more) is bounded by its length.
    const tuple = (Array.isArray(s.items) && s.additionalItems === false) || (Array.isArray(s.prefixItems) && s.items === false);
    if (typeof s.maxItems !== 'number' && !tuple) out.push(`${at}: array without maxItems`);
    if (Array.isArray(s.items)) s.items.forEach((item, i) => inputProblems(item, `${at}/items/${i}`, out));
    else inputProblems(s.items, `${at}/items`, out);
    if (Array.isArray(s.prefixItems)) s.prefixItems.forEach((item, i) => inputProblems(item, `${at}/prefixItems/${i}`, out));
  }
  if (type === 'string' && s.enum === undefined && s.const === undefined && typeof s.maxLength !== 'number') out.push(`${at}: string without maxLength`);
  if (type === 'integer' && (typeof s.maximum !== 'number' || typeof s.minimum !== 'number')) out.push(`${at}: integer without minimum and maximum`);
  return out;
}

describe('the OpenAPI document of the whole API', () => {
  let ctx: ApiTestContext;
  let document: Json;
  beforeAll(async () => {
    ctx = await setupApi('openapi_quality');
    document = (await ctx.app.inject({ method: 'GET', url: '/openapi.json' })).json() as Json;
  });
  afterAll(async () => {
    await ctx?.close();
  });

  it('validates against the OpenAPI 3.1 schema (@seriousme/openapi-schema-validator)', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document));
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('the validator is not vacuous: it rejects a broken copy', async () => {
    const broken = structuredClone(document) as { paths: Record<string, Record<string, Json>> };
    const [first] = Object.values(broken.paths);
    delete (Object.values(first!)[0] as Json).responses;
    (Object.values(first!)[0] as Json).parameters = [{ name: 'x', in: 'nowhere' }];
    expect((await new Validator().validate(broken)).valid).toBe(false);
  });

  it('every operation has an operationId, a summary, response schemas and at least one example', () => {
    const problems: string[] = [];
    const all = operations(document);
    expect(all.length).toBeGreaterThan(30);
    for (const { where, operation } of all) {
      if (!operation.operationId) problems.push(`${where}: no operationId`);
      if (!operation.summary) problems.push(`${where}: no summary`);
      const success = Object.entries(operation.responses).filter(([status]) => /^2\d\d$/.test(status));
      if (success.length === 0) problems.push(`${where}: no 2xx response`);
      for (const [status, response] of success) {
        if (status !== '204' && !('content' in response && response.content && Object.values(response.content).every((media) => media.schema))) problems.push(`${where}: ${status} without a schema`);
      }
      const documented = [operation.parameters, operation.requestBody, Object.fromEntries(success)];
      if (!hasExample(documented)) problems.push(`${where}: no example`);
    }
    expect(problems).toEqual([]);
  });

  it('every request body and parameter is closed and bounded (unknown fields rejected, sizes capped)', () => {
    // The check itself finds what it should.
    expect(inputProblems({ type: 'object', properties: { a: { type: 'string' }, b: { type: 'array', items: { type: 'integer' } } } }, '', [])).toHaveLength(4);
    const problems: string[] = [];
    for (const { where, operation } of operations(document)) {
      for (const [type, media] of Object.entries(operation.requestBody?.content ?? {})) inputProblems(media.schema, `${where} body(${type})`, problems);
      for (const parameter of operation.parameters ?? []) inputProblems(parameter.schema, `${where} ${parameter.in}.${parameter.name}`, problems);
    }
    expect(problems).toEqual([]);
  });

  it('list pages are capped at 100 items', () => {
    for (const { where, operation } of operations(document)) {
      const limit = operation.parameters?.find((p) => p.in === 'query' && p.name === 'limit');
      if (!limit || where.includes('/acl-rules/affected')) continue;
      expect(limit.schema.maximum, where).toBeLessThanOrEqual(100);
    }
  });
});
