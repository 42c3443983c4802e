import type {
  IConnackPacket,
  IConnectPacket,
  IDisconnectPacket,
  IPubackPacket,
  IPubcompPacket,
  IPublishPacket,
  IPubrecPacket,
  IPubrelPacket,
  ISubackPacket,
  ISubscribePacket,
  IUnsubackPacket,
  IUnsubscribePacket,
  IAuthPacket,
  Packet,
} from 'mqtt-packet';

/** The one Packet union used by the engine for 3.1, 3.1.1 and 5.0 (mqtt-packet's shapes). */
export type {
  Packet,
  IConnackPacket as ConnackPacket,
  IConnectPacket as ConnectPacket,
  IDisconnectPacket as DisconnectPacket,
  IPubackPacket as PubackPacket,
  IPubcompPacket as PubcompPacket,
  IPublishPacket as PublishPacket,
  IPubrecPacket as PubrecPacket,
  IPubrelPacket as PubrelPacket,
  ISubackPacket as SubackPacket,
  ISubscribePacket as SubscribePacket,
  IUnsubackPacket as UnsubackPacket,
  IUnsubscribePacket as UnsubscribePacket,
  IAuthPacket as AuthPacket,
};

export type ProtocolVersion = 3 | 4 | 5;

export type ConnackProperties = NonNullable<IConnackPacket['properties']>;
export type PublishProperties = NonNullable<IPublishPacket['properties']>;

// Outbound builders: nouns named after the packet.

export function connack(sessionPresent: boolean, code: number, version: ProtocolVersion, properties?: ConnackProperties): IConnackPacket {
  return version === 5
    ? { cmd: 'connack', sessionPresent, reasonCode: code, ...(properties ? { properties } : {}) }
    : { cmd: 'connack', sessionPresent, returnCode: code };
}

export function puback(messageId: number, reasonCode = 0): IPubackPacket {
  return { cmd: 'puback', messageId, reasonCode };
}

export function pubrec(messageId: number, reasonCode = 0): IPubrecPacket {
  return { cmd: 'pubrec', messageId, reasonCode };
}

export function pubrel(messageId: number, reasonCode = 0): IPubrelPacket {
  return { cmd: 'pubrel', messageId, reasonCode };
}

export function pubcomp(messageId: number, reasonCode = 0): IPubcompPacket {
  return { cmd: 'pubcomp', messageId, reasonCode };
}

export function suback(messageId: number, granted: number[]): ISubackPacket {
  return { cmd: 'suback', messageId, granted };
}

export function unsuback(messageId: number, granted: number[], version: ProtocolVersion): IUnsubackPacket {
  // 3.1.1 UNSUBACK has no payload: mqtt-packet ignores `granted` below 5.0.
  return version === 5 ? { cmd: 'unsuback', messageId, granted } : ({ cmd: 'unsuback', messageId } as IUnsubackPacket);
}

export function disconnect(reasonCode: number, reasonString?: string): IDisconnectPacket {
  return { cmd: 'disconnect', reasonCode, ...(reasonString ? { properties: { reasonString } } : {}) };
}

export const pingresp: Packet = { cmd: 'pingresp' };
