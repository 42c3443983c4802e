/**
 * How long POST /api/v1/mqtt-users/bulk takes for N users with generated passwords, against a
 * running API (a measurement, not a test):
 *
 *   API_URL=http://localhost:8080 API_TOKEN=mqp_... BULK_COUNT=1000 npx tsx apps/api/scripts/bench-bulk.ts
 *
 * Usernames are `bench-<run>-<n>`; delete them afterwards if the database matters.
 */
const url = process.env.API_URL ?? 'http://localhost:8080';
const token = process.env.API_TOKEN;
const count = Number(process.env.BULK_COUNT ?? '1000');
if (!token) throw new Error('set API_TOKEN (an operator or admin token)');
const run = Date.now().toString(36);
const items = Array.from({ length: count }, (_, i) => ({ username: `bench-${run}-${i}` }));
const started = performance.now();
const response = await fetch(`${url}/api/v1/mqtt-users/bulk`, {
  method: 'POST',
  headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  body: JSON.stringify({ mode: 'all-or-nothing', items }),
});
const seconds = (performance.now() - started) / 1000;
const body = (await response.json()) as { created?: number; failed?: number };
console.log(`${count} users: HTTP ${response.status}, created ${body.created}, failed ${body.failed}, ${seconds.toFixed(1)} s (${((seconds * 1000) / count).toFixed(1)} ms per user)`);
