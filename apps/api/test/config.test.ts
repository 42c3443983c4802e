import { describe, expect, it } from 'vitest';
import { loadConfig, trustProxyOption } from '../src/config.js';

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    expect(loadConfig({})).toEqual({ port: 8080, host: '0.0.0.0', logLevel: 'info', loginTokenTtlSeconds: 43200, aclDefaultPublish: 'deny', aclDefaultSubscribe: 'deny', trustProxy: 'false', sessionIdleSeconds: 43200, sessionMaxSeconds: 604800 });
  });

  it('reads API_TRUST_PROXY as a boolean or a list of proxy addresses', () => {
    expect(trustProxyOption(loadConfig({}).trustProxy)).toBe(false);
    expect(trustProxyOption(loadConfig({ API_TRUST_PROXY: 'true' }).trustProxy)).toBe(true);
    expect(trustProxyOption(loadConfig({ API_TRUST_PROXY: '10.0.0.1,10.0.0.0/8' }).trustProxy)).toBe('10.0.0.1,10.0.0.0/8');
    expect(() => loadConfig({ API_SESSION_IDLE_SECONDS: '5' })).toThrow(/\/sessionIdleSeconds/);
  });

  it('reads API_PORT, HOST and LOG_LEVEL; empty counts as unset', () => {
    expect(loadConfig({ API_PORT: '18080', HOST: '127.0.0.1', LOG_LEVEL: 'debug' })).toMatchObject({ port: 18080, host: '127.0.0.1', logLevel: 'debug' });
    expect(loadConfig({ API_PORT: '' }).port).toBe(8080);
  });

  it('rejects what it cannot use, naming the problem', () => {
    expect(() => loadConfig({ API_PORT: 'eighty' })).toThrow(/invalid API configuration: \/port/);
    expect(() => loadConfig({ API_PORT: '70000' })).toThrow(/\/port/);
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(/\/logLevel/);
  });
});
