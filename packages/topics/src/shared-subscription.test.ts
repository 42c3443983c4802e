import { describe, expect, it } from 'vitest';
import { isValidSharedSubscription, parseSharedSubscription } from './shared-subscription.js';

describe('parseSharedSubscription', () => {
  it('splits $share/{ShareName}/{filter} at the first / after the prefix', () => {
    expect(parseSharedSubscription('$share/consumer1/sport/tennis/+')).toEqual({ shareName: 'consumer1', filter: 'sport/tennis/+' });
    expect(parseSharedSubscription('$share/consumer2/sport/tennis/+')).toEqual({ shareName: 'consumer2', filter: 'sport/tennis/+' });
    expect(parseSharedSubscription('$share/consumer1//finance')).toEqual({ shareName: 'consumer1', filter: '/finance' });
    expect(parseSharedSubscription('$share/g/#')).toEqual({ shareName: 'g', filter: '#' });
    expect(parseSharedSubscription('$share/g/$SYS/#')).toEqual({ shareName: 'g', filter: '$SYS/#' });
    expect(parseSharedSubscription('$share/g/$share/h/a')).toEqual({ shareName: 'g', filter: '$share/h/a' });
  });

  it('returns null for filters that do not start with $share/', () => {
    for (const filter of ['a/b', '#', '+', '$SYS/#', '$share', '$shared/g/a', '$SHARE/g/a', 'share/g/a', '/$share/g/a', '$queue/a', '']) {
      expect(parseSharedSubscription(filter), filter).toBeNull();
    }
  });

  it('parses malformed shared subscriptions too, so that they can be refused rather than taken as plain filters', () => {
    expect(parseSharedSubscription('$share/')).toEqual({ shareName: '', filter: '' });
    expect(parseSharedSubscription('$share/g')).toEqual({ shareName: 'g', filter: '' });
    expect(parseSharedSubscription('$share/g/')).toEqual({ shareName: 'g', filter: '' });
    expect(parseSharedSubscription('$share//a')).toEqual({ shareName: '', filter: 'a' });
    expect(parseSharedSubscription('$share/g+/a')).toEqual({ shareName: 'g+', filter: 'a' });
  });
});

describe('isValidSharedSubscription', () => {
  it('accepts well-formed shared subscriptions', () => {
    for (const filter of ['$share/consumer1/sport/tennis/+', '$share/g/#', '$share/g/+', '$share/g//finance', '$share/g/a/', '$share/g/$SYS/#', '$share/group-1.x_é/a/+/b', '$share/$g/a']) {
      expect(isValidSharedSubscription(filter), filter).toBe(true);
    }
  });

  it('refuses filters that are not shared subscriptions', () => {
    for (const filter of ['a/b', '#', '$share', '$SHARE/g/a', '']) {
      expect(isValidSharedSubscription(filter), filter).toBe(false);
    }
  });

  it('[MQTT-4.8.2-1] refuses an empty ShareName', () => {
    expect(isValidSharedSubscription('$share//a')).toBe(false);
    expect(isValidSharedSubscription('$share//#')).toBe(false);
    expect(isValidSharedSubscription('$share/')).toBe(false);
  });

  it('[MQTT-4.8.2-2] refuses a ShareName containing + or #', () => {
    for (const filter of ['$share/+/a', '$share/#/a', '$share/g+/a', '$share/g#/a', '$share/a+b/c', '$share/#', '$share/+']) {
      expect(isValidSharedSubscription(filter), filter).toBe(false);
    }
  });

  it('[MQTT-4.8.2-2] refuses a ShareName not followed by / and a Topic Filter', () => {
    expect(isValidSharedSubscription('$share/g')).toBe(false);
    expect(isValidSharedSubscription('$share/g/')).toBe(false);
  });

  it('[MQTT-4.8.2-2] refuses an invalid inner Topic Filter', () => {
    for (const filter of ['$share/g/a#', '$share/g/a/#/b', '$share/g/a+', '$share/g/++', '$share/g/#/', '$share/g/a\u0000']) {
      expect(isValidSharedSubscription(filter), filter).toBe(false);
    }
  });

  it('[MQTT-4.7.3-2] refuses a null character in the ShareName', () => {
    expect(isValidSharedSubscription('$share/g\u0000/a')).toBe(false);
  });

  it('[MQTT-4.7.3-3] refuses a whole filter over 65535 UTF-8 bytes', () => {
    const prefix = '$share/g/'; // 9 bytes
    expect(isValidSharedSubscription(prefix + 'a'.repeat(65535 - 9))).toBe(true);
    expect(isValidSharedSubscription(prefix + 'a'.repeat(65536 - 9))).toBe(false);
    // Counted in UTF-8 bytes: '$share/' (7) + 3 per '€' + '/a' (2).
    expect(isValidSharedSubscription('$share/' + '€'.repeat(21842) + '/a')).toBe(true); // 65535 bytes
    expect(isValidSharedSubscription('$share/' + '€'.repeat(21843) + '/a')).toBe(false); // 65538 bytes
  });
});
