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

  it('an operator-managed webhook certificate: names, durations and the operator namespace', () => {
    const config = operatorConfig(
      { webhookPort: '9443', webhookCertRenewBefore: '48h' },
      {
        POD_NAMESPACE: 'wharf-system',
        WHARF_WEBHOOK_CERT_SECRET: 'wharf-webhook-tls',
        WHARF_WEBHOOK_SERVICE: 'wharf-webhook',
        WHARF_WEBHOOK_CONFIGURATION: 'wharf-webhook',
        WHARF_WEBHOOK_CERT_VALIDITY: '2160h',
        WHARF_WEBHOOK_CERT_RENEW_BEFORE: '720h',
      },
    );
    expect(config.webhook?.tls).toEqual({
      kind: 'managed',
      secretName: 'wharf-webhook-tls',
      namespace: 'wharf-system',
      serviceName: 'wharf-webhook',
      configurationName: 'wharf-webhook',
      validityMs: 2160 * 3_600_000,
      renewBeforeMs: 48 * 3_600_000,
      caValidityMs: 87_600 * 3_600_000,
      caOverlapMs: 600_000,
      recheckMs: 3_600_000,
    });
    const files = operatorConfig({ webhookPort: '9443', webhookCert: 'c.pem', webhookKey: 'k.pem' }, {});
    expect(files.webhook?.tls).toEqual({ kind: 'files', certFile: 'c.pem', keyFile: 'k.pem' });
  });

  const managed = { webhookPort: '9443', webhookCertSecret: 's', webhookService: 'svc', webhookConfiguration: 'mwc' };

  it.each([
    [{ ...managed, webhookCert: 'c.pem' }, /excludes --webhook-cert/],
    [{ webhookPort: '9443', webhookCertSecret: 's', webhookConfiguration: 'mwc' }, /--webhook-service: ""/],
    [{ ...managed, webhookConfiguration: 'Not_A_Name' }, /--webhook-configuration: "Not_A_Name"/],
    [{ ...managed, webhookCertValidity: '1y' }, /--webhook-cert-validity: "1y" is not a duration/],
    [{ ...managed, webhookCertValidity: '24h', webhookCertRenewBefore: '24h' }, /renew-before must be shorter/],
    [{ ...managed, webhookCaOverlap: '10ms' }, /--webhook-ca-overlap: at least 1s/],
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
