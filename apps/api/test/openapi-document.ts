/**
 * Structural checks of an OpenAPI 3.x document: the rules a generator can get wrong (version,
 * info, path templates and their parameters, responses, unique operationIds, resolvable local
 * $refs). The meta-schema validation is in openapi-quality.test.ts (@seriousme/openapi-schema-validator).
 */
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

interface Operation {
  operationId?: unknown;
  responses?: Record<string, unknown>;
  parameters?: Array<{ $ref?: string; name?: string; in?: string; required?: boolean }>;
}

export function findOpenApiProblems(document: unknown): string[] {
  const problems: string[] = [];
  const doc = document as Record<string, unknown>;
  if (typeof doc !== 'object' || doc === null) return ['document is not an object'];
  if (typeof doc.openapi !== 'string' || !/^3\.\d+\.\d+$/.test(doc.openapi)) problems.push(`openapi must be "3.x.y", got ${String(doc.openapi)}`);
  const info = doc.info as Record<string, unknown> | undefined;
  if (typeof info?.title !== 'string' || typeof info.version !== 'string') problems.push('info.title and info.version must be strings');
  const paths = doc.paths as Record<string, Record<string, Operation>> | undefined;
  if (typeof paths !== 'object' || paths === null) problems.push('paths must be an object');

  const operationIds = new Set<string>();
  for (const [path, item] of Object.entries(paths ?? {})) {
    if (!path.startsWith('/')) problems.push(`path "${path}" must start with /`);
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const where = `${method.toUpperCase()} ${path}`;
      if (typeof operation.operationId !== 'string' || operation.operationId === '') problems.push(`${where}: no operationId`);
      else if (operationIds.has(operation.operationId)) problems.push(`${where}: duplicate operationId ${operation.operationId}`);
      else operationIds.add(operation.operationId);
      const responses = Object.keys(operation.responses ?? {});
      if (responses.length === 0) problems.push(`${where}: no responses`);
      for (const status of responses) {
        if (!/^(default|[1-5](\d\d|XX))$/.test(status)) problems.push(`${where}: bad response key ${status}`);
      }
      for (const name of templated) {
        const declared = (operation.parameters ?? []).some((p) => p.in === 'path' && p.name === name && p.required === true);
        if (!declared) problems.push(`${where}: path parameter {${name}} not declared as required`);
      }
    }
  }

  for (const ref of collectRefs(doc)) {
    if (!ref.startsWith('#/')) continue;
    const target = ref
      .slice(2)
      .split('/')
      .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'))
      .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], doc);
    if (target === undefined) problems.push(`unresolved $ref ${ref}`);
  }
  return problems;
}

function collectRefs(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) for (const child of node) collectRefs(child, found);
  else if (typeof node === 'object' && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') found.push(value);
      else collectRefs(value, found);
    }
  }
  return found;
}
