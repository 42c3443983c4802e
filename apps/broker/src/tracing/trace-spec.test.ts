import { describe, expect, it } from 'vitest';
import { createMessageId } from './message-id.js';
import { payloadPreview } from './payload-preview.js';
import { reasonName } from './reason-names.js';
import { ActiveTrace, globToRegExp, type TraceFilter } from './trace-spec.js';
import { Tracer, type Traceable } from './tracer.js';

const spec = (filter: TraceFilter, endsAt = Date.now() + 60_000) => ({ id: 't', filter, endsAt, payloadCaptureBytes: 4, payloadEncoding: 'text' as const, maxEvents: 10, eventCount: 0 });

describe('trace filters', () => {
  it('client id patterns: * matches any characters, the rest literally', () => {
    expect(globToRegExp('dev-*').test('dev-42')).toBe(true);
    expect(globToRegExp('dev-*').test('xdev-42')).toBe(false);
    expect(globToRegExp('a.b').test('axb')).toBe(false);
    expect(globToRegExp('*').test('')).toBe(true);
  });

  it('every set criterion must match; ip takes addresses, CIDR blocks and IPv4-mapped IPv6', () => {
    const trace = new ActiveTrace(spec({ clientId: 'c-*', username: 'u', ip: '10.0.0.0/8' }));
    expect(trace.matchesSubject({ clientId: 'c-1', username: 'u', ip: '::ffff:10.1.2.3' })).toBe(true);
    expect(trace.matchesSubject({ clientId: 'c-1', username: 'u', ip: '192.0.2.1' })).toBe(false);
    expect(trace.matchesSubject({ clientId: 'c-1', username: 'v', ip: '10.1.2.3' })).toBe(false);
    expect(trace.matchesSubject({ clientId: 'c-1', username: 'u', ip: undefined })).toBe(false);
    expect(trace.selectsConnections).toBe(true);
    const topicOnly = new ActiveTrace(spec({ topicFilter: 'a/+/c' }));
    expect(topicOnly.selectsConnections).toBe(false);
    expect(topicOnly.matchesTopic('a/b/c')).toBe(true);
    expect(topicOnly.matchesTopic('a/b/d')).toBe(false);
  });

  it('payload previews honour the limit and the encoding', () => {
    const payload = Buffer.from('hello world');
    expect(payloadPreview(payload, 0, 'text')).toBeNull();
    expect(payloadPreview(payload, 5, 'text')).toBe('hello');
    expect(payloadPreview(payload, 2, 'hex')).toBe('6865');
    expect(payloadPreview(payload, 3, 'base64')).toBe('aGVs');
    expect(payloadPreview(Buffer.from([0x61, 0x00]), 8, 'text')).toBe('a\uFFFD');
  });

  it('message ids are UUID version 7, ordered by time', () => {
    const a = createMessageId(1_700_000_000_000);
    const b = createMessageId(1_700_000_000_001);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a < b).toBe(true);
  });

  it('reason codes read as the specification names them', () => {
    expect(reasonName(0x87)).toBe('not_authorized');
    expect(reasonName(0)).toBe('success');
    expect(reasonName(0x01)).toBe('granted_qos1');
    expect(reasonName(0xfe)).toBe('0xfe');
  });
});

describe('Tracer', () => {
  it('is inactive without traces; a subject is matched once and cached until the traces change', () => {
    const recorded: string[] = [];
    const tracer = new Tracer({ sink: (r) => recorded.push(r.traceId) });
    expect(tracer.active).toBe(false);
    tracer.setTraces([spec({ clientId: 'a' })]);
    expect(tracer.active).toBe(true);
    const key: Traceable = { traceMatch: null };
    let computed = 0;
    const lookup = () => tracer.cachedTraces(key) ?? (computed++, tracer.matchSubject(key, { clientId: 'a', username: undefined, ip: undefined }));
    expect(lookup()).toHaveLength(1);
    expect(lookup()).toHaveLength(1);
    expect(computed).toBe(1);
    tracer.setTraces([spec({ clientId: 'b' })]);
    expect(lookup()).toHaveLength(0);
    expect(computed).toBe(2);
    tracer.setTraces([]);
    expect(tracer.active).toBe(false);
    tracer.stop();
  });

  it('stops recording a trace at maxEvents and ignores traces already ended', () => {
    const recorded: number[] = [];
    const tracer = new Tracer({ sink: (r) => recorded.push(r.at) });
    tracer.setTraces([{ ...spec({ clientId: 'a' }), maxEvents: 2 }, { ...spec({ clientId: 'b' }, Date.now() - 1), id: 'old' }]);
    expect(tracer.running.map((t) => t.id)).toEqual(['t']);
    for (let i = 0; i < 5; i++) tracer.record(tracer.running, { type: 'connect', clientId: 'a', username: null, messageId: null, topic: null, qos: null, packetId: null, reason: null, detail: {} });
    expect(recorded).toHaveLength(2);
    tracer.stop();
  });
});
