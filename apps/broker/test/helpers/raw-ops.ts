import type mqttPacket from 'mqtt-packet';
import { RawClient } from './raw-client.js';

type Version = 4 | 5;
const open = new Set<RawClient>();

/** A RawClient that has sent CONNECT and received a successful CONNACK. */
export async function rawConnected(port: number, version: Version, options: Partial<mqttPacket.IConnectPacket> = {}): Promise<RawClient> {
  const raw = new RawClient(port, version);
  open.add(raw);
  const connack = (await raw.connect({ protocolVersion: version, ...options })) as mqttPacket.IConnackPacket;
  const code = version === 5 ? connack.reasonCode : connack.returnCode;
  if (code !== 0) throw new Error(`CONNACK ${code}`);
  return raw;
}

/** Sends SUBSCRIBE and returns the SUBACK (which must carry the same packet identifier). */
export async function rawSubscribe(
  raw: RawClient,
  version: Version,
  messageId: number,
  subscriptions: mqttPacket.ISubscription[],
  properties?: mqttPacket.ISubscribePacket['properties'],
): Promise<mqttPacket.ISubackPacket> {
  await raw.send({ cmd: 'subscribe', messageId, subscriptions, ...(properties ? { properties } : {}) } as mqttPacket.ISubscribePacket, version);
  return (await raw.next('suback')) as mqttPacket.ISubackPacket;
}

/** Sends UNSUBSCRIBE and returns the UNSUBACK. */
export async function rawUnsubscribe(raw: RawClient, version: Version, messageId: number, unsubscriptions: string[]): Promise<mqttPacket.IUnsubackPacket> {
  await raw.send({ cmd: 'unsubscribe', messageId, unsubscriptions } as mqttPacket.IUnsubscribePacket, version);
  return (await raw.next('unsuback')) as mqttPacket.IUnsubackPacket;
}

/** Destroys every RawClient made by rawConnected (for afterEach). */
export function destroyRawClients(): void {
  for (const raw of open) raw.destroy();
  open.clear();
}
