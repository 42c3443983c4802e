import type { FastifyPluginAsync, FastifyPluginOptions } from 'fastify';

/**
 * Marks a plugin as cross-cutting: Fastify then registers it in its parent's scope instead of
 * encapsulating it (the documented `skip-override` property), with a name and the names of the
 * plugins it needs (checked by Fastify at registration). This is what `fastify-plugin` does;
 * swap this helper for that package once it is a declared dependency.
 */
export function globalPlugin<Options extends FastifyPluginOptions>(
  plugin: FastifyPluginAsync<Options>,
  meta: { name: string; dependencies?: string[] },
): FastifyPluginAsync<Options> {
  return Object.assign(plugin, {
    [Symbol.for('skip-override')]: true,
    [Symbol.for('fastify.display-name')]: meta.name,
    [Symbol.for('plugin-meta')]: { name: meta.name, dependencies: meta.dependencies ?? [] },
  });
}
