import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bearer, setupApi, type ApiTestContext } from './api-helper.js';
import { closeAllClients, connectClient, eventually, startBroker, type BrokerProcess } from './broker-process.js';

/**
 * The provisioning path end to end: what the API writes is what a real broker process enforces,
 * anonymous access off and ACL defaults deny, as in production.
 */
describe('provisioning through the API, enforced by the broker', () => {
  let ctx: ApiTestContext;
  let broker: BrokerProcess;
  beforeAll(async () => {
    ctx = await setupApi('provisioning');
    broker = await startBroker(ctx.databaseUrl, { MQTT_ALLOW_ANONYMOUS: 'false', MQTT_ACL_DEFAULT_PUBLISH: 'deny', MQTT_ACL_DEFAULT_SUBSCRIBE: 'deny' });
  }, 90_000);
  afterEach(closeAllClients);
  afterAll(async () => {
    await closeAllClients();
    await broker?.stop();
    await ctx?.close();
  });

  const post = async <T>(url: string, payload: object): Promise<T> => {
    const response = await ctx.app.inject({ method: 'POST', url, payload, headers: bearer(ctx.tokens.operator) });
    expect(response.statusCode, response.body).toBeLessThan(300);
    return response.json() as T;
  };

  it('a credential created through the API lets a device connect; revoking it disconnects the device (0x98) and refuses it (0x87, a known user whose credential was revoked)', async () => {
    const user = await post<{ id: string }>('/api/v1/mqtt-users', { username: 'prov-device' });
    const credential = await post<{ id: string; password: string }>(`/api/v1/mqtt-users/${user.id}/credentials`, {});
    expect(credential.password).toEqual(expect.any(String));

    await expect(connectClient(broker.url, { clientId: 'prov-1', username: 'prov-device', password: 'wrong-password' })).rejects.toMatchObject({ code: 0x86 });
    const device = await connectClient(broker.url, { clientId: 'prov-1', username: 'prov-device', password: credential.password });
    const disconnected = new Promise<number | undefined>((resolve) => device.once('disconnect', (packet) => resolve(packet.reasonCode)));

    await post(`/api/v1/mqtt-users/${user.id}/credentials/${credential.id}/revoke`, {});
    expect(await disconnected).toBe(0x98);
    await expect(connectClient(broker.url, { clientId: 'prov-1', username: 'prov-device', password: credential.password })).rejects.toMatchObject({ code: 0x87 });
  });

  it('an ACL rule created through the API is enforced on the next publish; explain names it', async () => {
    const user = await post<{ id: string }>('/api/v1/mqtt-users', { username: 'prov-sensor' });
    const credential = await post<{ password: string }>(`/api/v1/mqtt-users/${user.id}/credentials`, {});
    const device = await connectClient(broker.url, { clientId: 'prov-2', username: 'prov-sensor', password: credential.password });

    // Default deny: PUBACK 0x87 Not authorized (mqtt.js rejects the publish with it).
    await expect(device.publishAsync('sensors/prov-sensor/t', 'x', { qos: 1 })).rejects.toMatchObject({ code: 0x87 });

    const rule = await post<{ id: string }>('/api/v1/acl-rules', { subjectKind: 'user', subject: 'prov-sensor', action: 'publish', topic: 'sensors/${username}/#', permission: 'allow' });
    // The broker reloads on NOTIFY; the next publish is allowed (mqtt.js resolves only on success).
    await eventually(
      () => device.publishAsync('sensors/prov-sensor/t', 'y', { qos: 1 }).then(() => true, () => undefined),
      'publish allowed after the rule was created',
    );
    await expect(device.publishAsync('sensors/someone-else/t', 'z', { qos: 1 })).rejects.toMatchObject({ code: 0x87 });

    const explain = await post<{ allowed: boolean; ruleId: string | null }>('/api/v1/acl-rules/explain', { username: 'prov-sensor', clientId: 'prov-2', action: 'publish', topic: 'sensors/prov-sensor/t' });
    expect(explain).toMatchObject({ allowed: true, ruleId: rule.id });
  });
});
