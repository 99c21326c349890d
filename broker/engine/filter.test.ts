import { describe, expect, it } from 'vitest';
import { keptHeaders, matches, parseFilter } from './filter.ts';

const headers = { type: 'invoice', region: 'eu', 'x-y': 'z', empty: '' };

describe('filters', () => {
  it.each([
    ['', true],
    ['   ', true],
    ["headers.type == 'invoice'", true],
    ['headers.type == "invoice"', true],
    ["headers.type != 'invoice'", false],
    ["headers.missing != 'x'", true],
    ["headers.missing == ''", false],
    ["headers.empty == ''", true],
    ["headers.region in ['us', 'eu']", true],
    ["headers.region in ['us']", false],
    ["headers.missing in ['']", false],
    ['has(headers.type)', true],
    ['has(headers.missing)', false],
    ['has(headers.empty)', true],
    ["headers['x-y'] == 'z'", true],
    ["has(headers['x-y'])", true],
    ["headers.type == 'invoice' && headers.region == 'us'", false],
    ["headers.type == 'invoice' || headers.region == 'us'", true],
    ["!(headers.region == 'us')", true],
    ["!has(headers.type) || headers.region == 'eu'", true],
    // && binds tighter than ||
    ["headers.region == 'eu' || headers.type == 'x' && headers.region == 'us'", true],
    ["(headers.region == 'eu' || headers.type == 'x') && headers.region == 'us'", false],
    ['!!has(headers.type)', true],
    ["headers.type == 'in\\'voice'", false],
    ["headers.type == 'invoice'&&has(headers.region)", true],
  ])('%s → %s', (text, expected) => {
    expect(matches(parseFilter(text), headers)).toBe(expected);
  });

  it('treats a message without headers as having none', () => {
    expect(matches(parseFilter("headers.a != 'b'"), undefined)).toBe(true);
    expect(matches(parseFilter('has(headers.a)'), undefined)).toBe(false);
  });

  it('does not see inherited properties as headers', () => {
    expect(matches(parseFilter('has(headers.toString)'), {})).toBe(false);
    expect(matches(parseFilter("headers['__proto__'] == 'x'"), {})).toBe(false);
  });

  it.each([
    ['headers.type', 'position 13', /expected '==', '!=' or 'in'/],
    ["headers.type = 'a'", 'position 14', /unexpected character '='/],
    ["type == 'a'", 'position 1', /expected headers/],
    ["headers.type == 'a", 'position 17', /unterminated string/],
    ["headers.type == 'a' &&", 'position 23', /found the end/],
    ["headers.type == 'a')", 'position 20', /unexpected '\)'/],
    ["(headers.type == 'a'", 'position 21', /expected '\)'/],
    ['headers.type == a', 'position 17', /quoted string/],
    ['headers.type in []', 'position 18', /quoted string/],
    ["headers.type in ['a' 'b']", 'position 22', /',' or ']'/],
    ["headers[type] == 'a'", 'position 9', /quoted header name/],
    ["headers.traceparent == 'a'", 'position 9', /trace context/],
    ['has headers.a', 'position 5', /'\(' after has/],
    ["headers.a == 'b' # c", 'position 18', /unexpected character '#'/],
  ])('refuses %s at %s', (text, position, message) => {
    expect(() => parseFilter(text)).toThrow(position);
    expect(() => parseFilter(text)).toThrow(message);
    try {
      parseFilter(text);
    } catch (error) {
      expect(error).toMatchObject({ kind: 'invalidArgument' });
    }
  });

  it('limits nesting and length', () => {
    expect(() => parseFilter(`${'('.repeat(100)}has(headers.a)${')'.repeat(100)}`)).toThrow(/nested deeper/);
    expect(() => parseFilter(`${'!'.repeat(100)}has(headers.a)`)).toThrow(/nested deeper/);
    expect(() => parseFilter(`has(headers.${'a'.repeat(5000)})`)).toThrow(/longer than/);
  });

  it('keeps all headers but trace context for topics', () => {
    expect(keptHeaders({ traceparent: '00-abc', a: '1' })).toEqual({ a: '1' });
    expect(keptHeaders({ traceparent: '00-abc' })).toBeUndefined();
    expect(keptHeaders({})).toBeUndefined();
  });
});
