import { describe, expect, it } from 'vitest';
import { ConfigError, operatorConfig } from './config.ts';
import { parseBrokerOverrides } from './reconcile/broker-directory.ts';

describe('operatorConfig', () => {
  it('has defaults: every namespace, no webhook, no election', () => {
    const config = operatorConfig({}, {});
    expect(config).toMatchObject({
      namespaces: [],
      webhook: undefined,
      lease: undefined,
      refreshMs: 10_000,
      workers: 4,
      defaultCluster: 'wharf-system/wharf',
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('takes flags over the environment', () => {
    const config = operatorConfig(
      { namespace: ['a', 'b'], leaseName: 'wharf-operator', identity: 'me', refresh: '500ms' },
      { WHARF_OPERATOR_NAMESPACES: 'c', POD_NAMESPACE: 'wharf-system', WHARF_OPERATOR_REFRESH: '1m' },
    );
    expect(config.namespaces).toEqual(['a', 'b']);
    expect(config.lease).toEqual({ name: 'wharf-operator', namespace: 'wharf-system', identity: 'me' });
    expect(config.refreshMs).toBe(500);
    expect(operatorConfig({}, { WHARF_OPERATOR_NAMESPACES: 'c, d' }).namespaces).toEqual(['c', 'd']);
  });

  it.each([
    [{ webhookPort: '8443' }, /--webhook-cert and --webhook-key/],
    [{ webhookPort: 'x', webhookCert: 'c', webhookKey: 'k' }, /--webhook-port: "x"/],
    [{ refresh: '10' }, /--refresh: "10" is not a duration/],
    [{ defaultCluster: 'wharf' }, /NAMESPACE\/NAME/],
    [{ brokerOverride: ['messaging/wharf=nope'] }, /is not ID=HOST:CLIENT:PEER/],
  ])('refuses %j', (flags, message) => {
    expect(() => operatorConfig(flags, {})).toThrow(ConfigError);
    expect(() => operatorConfig(flags, {})).toThrow(message);
  });
});

describe('parseBrokerOverrides', () => {
  it('maps clusters to members in ordinal order, from flags and the ;-separated environment form', () => {
    const overrides = parseBrokerOverrides([
      'messaging/wharf=wharf-0=127.0.0.1:7400:7500,wharf-1=127.0.0.1:7401:7501;shop/w2=w2-0=localhost:1:2',
    ]);
    expect(overrides.get('messaging/wharf')).toEqual([
      { id: 'wharf-0', clientAddress: '127.0.0.1:7400', memberAddress: '127.0.0.1:7400:7500' },
      { id: 'wharf-1', clientAddress: '127.0.0.1:7401', memberAddress: '127.0.0.1:7401:7501' },
    ]);
    expect(overrides.get('shop/w2')?.[0]?.memberAddress).toBe('localhost:1:2');
  });
});
