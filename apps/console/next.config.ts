import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NextConfig } from 'next';

/** The monorepo root: dependencies are hoisted there, and file tracing must see it. */
const monorepoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const nextConfig: NextConfig = {
  // Served with `next start` (scripts/start.sh) from the workspace, locally and in docker/Dockerfile,
  // so no `output: 'standalone'` (next start refuses to support it). Tracing from the monorepo root
  // keeps a later standalone build correct.
  outputFileTracingRoot: monorepoRoot,
  // Built with webpack (`next build --webpack`): the workspace packages are TypeScript ESM whose
  // relative imports say `./x.js`, which webpack maps to `./x.ts` (extensionAlias) and Turbopack
  // cannot yet (vercel/next.js#82945).
  webpack: (config: { resolve?: { extensionAlias?: Record<string, string[]> } }) => {
    config.resolve ??= {};
    config.resolve.extensionAlias = { ...config.resolve.extensionAlias, '.js': ['.ts', '.tsx', '.js'] };
    return config;
  },
  // Pure workspace packages used in the browser too (ACL editor validation).
  transpilePackages: ['@repo/acl', '@repo/topics'],
  poweredByHeader: false,
  reactStrictMode: true,
};

export default nextConfig;
