import { describe, expect, it } from 'vitest';
import { DEFAULT_PUBLISH_LIMITS, HelpRequested, parseConfig } from './config.ts';

describe('parseConfig', () => {
  it('answers --help with the usage, not an error', () => {
    let thrown: unknown;
    try {
      parseConfig(['--help'], {});
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(HelpRequested);
    expect((thrown as HelpRequested).text).toMatch(/Usage: wharf-sidecar[\s\S]*--brokers <list>/);
  });

  it('has the documented defaults and is frozen', () => {
    const c = parseConfig([], {});
    expect(c).toMatchObject({
      host: '127.0.0.1',
      port: 7070,
      brokers: ['127.0.0.1:7400'],
      namespace: 'default',
      metricsPort: 9464,
      drainGraceMs: 10_000,
      publish: DEFAULT_PUBLISH_LIMITS,
      tracing: { endpoint: undefined, serviceName: 'wharf-sidecar', sampler: 'parentbased_always_on', samplerRatio: 1 },
    });
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.brokers)).toBe(true);
    expect(Object.isFrozen(c.tracing)).toBe(true);
  });

  it('reads the environment, and flags win over it', () => {
    const env = {
      WHARF_SIDECAR_PORT: '7171',
      WHARF_BROKERS: 'wharf-0.wharf:7400, wharf-1.wharf:7400,,',
      WHARF_NAMESPACE: 'shop',
      WHARF_SIDECAR_METRICS_PORT: '0',
    };
    expect(parseConfig([], env)).toMatchObject({
      port: 7171,
      brokers: ['wharf-0.wharf:7400', 'wharf-1.wharf:7400'],
      namespace: 'shop',
      metricsPort: 0,
    });
    const c = parseConfig(
      ['--port', '0', '--brokers', '127.0.0.1:1', '--namespace', 'ops', '--drain-grace', '2s'],
      env,
    );
    expect(c).toMatchObject({ port: 0, brokers: ['127.0.0.1:1'], namespace: 'ops', drainGraceMs: 2000 });
  });

  it('reads the standard OTEL variables', () => {
    const c = parseConfig([], {
      OTEL_EXPORTER_OTLP_ENDPOINT: '127.0.0.1:4317',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_SERVICE_NAME: 'checkout',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
    });
    expect(c.tracing).toEqual({
      endpoint: 'http://127.0.0.1:4317',
      serviceName: 'checkout',
      sampler: 'parentbased_traceidratio',
      samplerRatio: 0.25,
    });
    expect(
      parseConfig([], { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x:4317', OTEL_SDK_DISABLED: 'true' }).tracing.endpoint,
    ).toBe(undefined);
    expect(
      parseConfig([], { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x:1', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://y:2' })
        .tracing.endpoint,
    ).toBe('http://y:2');
  });

  it.each([
    [['--port', '70000'], {}, /port/],
    [['--brokers', 'no-port'], {}, /host:port/],
    [[], { WHARF_NAMESPACE: 'Shop' }, /namespace/],
    [['--bogus'], {}, /unknown option/],
    [[], { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' }, /gRPC only/],
    [[], { OTEL_TRACES_SAMPLER: 'sometimes' }, /OTEL_TRACES_SAMPLER=sometimes/],
    [[], { OTEL_TRACES_SAMPLER_ARG: '2' }, /OTEL_TRACES_SAMPLER_ARG/],
    [['--drain-grace', 'soon'], {}, /drain grace/],
  ] as const)('rejects %j %j', (argv, env, message) => {
    expect(() => parseConfig(argv, env)).toThrow(message);
  });

  it("takes the brokers' CA as a file or inline, never both, and stays plaintext without", () => {
    expect(parseConfig([], {}).upstreamTls).toBeUndefined();
    expect(parseConfig(['--tls-ca', '/etc/wharf/ca/ca.crt'], {}).upstreamTls).toEqual({
      caFile: '/etc/wharf/ca/ca.crt',
    });
    expect(parseConfig([], { WHARF_TLS_CA: '/ca.crt' }).upstreamTls).toEqual({ caFile: '/ca.crt' });
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    expect(parseConfig([], { WHARF_TLS_CA_PEM: pem }).upstreamTls).toEqual({ caPem: pem.trim() });
    expect(() => parseConfig(['--tls-ca', '/ca.crt'], { WHARF_TLS_CA_PEM: pem })).toThrow(/not both/);
    expect(() => parseConfig([], { WHARF_TLS_CA_PEM: 'ca.crt' })).toThrow(/WHARF_TLS_CA_PEM holds no PEM certificate/);
  });
});
