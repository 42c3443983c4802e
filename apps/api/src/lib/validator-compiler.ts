import type { FastifySchemaCompiler } from 'fastify';
import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';

/**
 * Request validation with two Ajv instances: query strings, path parameters and headers arrive
 * as text and are coerced to the schema's scalar types ("limit=10" -> 10); JSON bodies already
 * carry types and are validated as sent. Coercing bodies made a union with null turn `false`
 * or `0` into null (an ACL rule's `retain: false` was stored as "any").
 */
const shared: Options = {
  allErrors: false,
  useDefaults: true,
  removeAdditional: false,
  addUsedSchema: false,
  strict: false,
};

function createAjv(coerceTypes: Options['coerceTypes']): Ajv {
  const ajv = new Ajv({ ...shared, coerceTypes });
  addFormats.default(ajv);
  return ajv;
}

export function createValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const text = createAjv('array');
  const json = createAjv(false);
  return ({ schema, httpPart }) => (httpPart === 'body' ? json : text).compile(schema as object);
}
