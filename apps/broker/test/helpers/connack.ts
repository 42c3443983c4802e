import net from 'node:net';
import mqtt from 'mqtt';

export interface Endpoint {
  port: number;
  /** Address to connect to (default 127.0.0.1). */
  host?: string;
  /** Source address of the client socket (any 127.x.y.z works on Linux loopback). */
  localAddress?: string;
}

/** An MQTT.js client over a TCP socket from a chosen source address; no automatic reconnect. */
export function mqttClientFrom(endpoint: Endpoint, options: mqtt.IClientOptions = {}): mqtt.MqttClient {
  const build = (): net.Socket => net.connect({ port: endpoint.port, host: endpoint.host ?? '127.0.0.1', ...(endpoint.localAddress ? { localAddress: endpoint.localAddress } : {}) });
  return new mqtt.MqttClient(build, { reconnectPeriod: 0, connectTimeout: 10000, protocolVersion: 5, ...options });
}

/** The CONNACK code a connection attempt gets: reasonCode (5.0) or returnCode (3.1.1). */
export function connackCode(endpoint: Endpoint, options: mqtt.IClientOptions = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const client = mqttClientFrom(endpoint, options);
    const timer = setTimeout(() => {
      client.end(true);
      reject(new Error('no CONNACK'));
    }, 15000);
    timer.unref();
    client.once('packetreceive', (packet) => {
      if (packet.cmd !== 'connack') return;
      clearTimeout(timer);
      const p = packet as mqtt.IConnackPacket;
      client.end(true);
      resolve((options.protocolVersion ?? 5) === 5 ? (p.reasonCode ?? 0) : (p.returnCode ?? 0));
    });
    client.on('error', () => {});
  });
}

/** Connects and resolves once CONNACK accepted it (rejects otherwise). */
export function connectFrom(endpoint: Endpoint, options: mqtt.IClientOptions = {}): Promise<mqtt.MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqttClientFrom(endpoint, options);
    client.once('connect', () => resolve(client));
    client.once('error', reject);
    client.once('close', () => reject(new Error('closed before CONNACK')));
  });
}

/** Resolves with the DISCONNECT reason code (5.0; undefined when the socket just closes) once the broker ends the connection. */
export function disconnection(client: mqtt.MqttClient): Promise<number | undefined> {
  return new Promise((resolve) => {
    let reasonCode: number | undefined;
    client.on('packetreceive', (packet) => {
      if (packet.cmd === 'disconnect') reasonCode = (packet as mqtt.IDisconnectPacket).reasonCode ?? 0;
    });
    client.once('close', () => resolve(reasonCode));
  });
}
