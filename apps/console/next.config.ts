import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NextConfig } from 'next';

/** The monorepo root: dependencies are hoisted there, and Turbopack and file tracing must see it. */
const monorepoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const nextConfig: NextConfig = {
  // Served with `next start` (scripts/start.sh) from the workspace, locally and in docker/Dockerfile,
  // so no `output: 'standalone'` (next start refuses to support it). Tracing from the monorepo root
  // keeps a later standalone build correct.
  outputFileTracingRoot: monorepoRoot,
  turbopack: { root: monorepoRoot },
  poweredByHeader: false,
  reactStrictMode: true,
};

export default nextConfig;
