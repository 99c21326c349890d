import { describe, expect, it } from 'vitest';
import { otelFromEnv } from './tracing.ts';

describe('otelFromEnv', () => {
  it('has no endpoint (no spans) and the default sampler without variables', () => {
    expect(otelFromEnv({}, 'wharf-broker')).toEqual({
      endpoint: undefined,
      serviceName: 'wharf-broker',
      sampler: 'parentbased_always_on',
      samplerRatio: 1,
    });
  });

  it('reads endpoint, sampler, ratio and service name from the standard variables', () => {
    expect(
      otelFromEnv(
        {
          OTEL_EXPORTER_OTLP_ENDPOINT: '127.0.0.1:4317',
          OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
          OTEL_TRACES_SAMPLER: 'traceidratio',
          OTEL_TRACES_SAMPLER_ARG: '0.5',
          OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=dev,service.name=shop%20api',
        },
        'x',
      ),
    ).toEqual({
      endpoint: 'http://127.0.0.1:4317',
      serviceName: 'shop api',
      sampler: 'traceidratio',
      samplerRatio: 0.5,
    });
    const named = { OTEL_SERVICE_NAME: 'checkout', OTEL_RESOURCE_ATTRIBUTES: 'service.name=other' };
    expect(otelFromEnv(named, 'x').serviceName).toBe('checkout');
    expect(otelFromEnv(named, 'x', 'broker-1').serviceName).toBe('broker-1');
    expect(
      otelFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:1', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:2' }, 'x'),
    ).toMatchObject({ endpoint: 'http://b:2' });
  });

  it('turns tracing off with OTEL_SDK_DISABLED or OTEL_TRACES_EXPORTER=none', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:1' };
    expect(otelFromEnv({ ...endpoint, OTEL_SDK_DISABLED: 'TRUE' }, 'x').endpoint).toBeUndefined();
    expect(otelFromEnv({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' }, 'x').endpoint).toBeUndefined();
    expect(otelFromEnv({ ...endpoint, OTEL_TRACES_EXPORTER: 'otlp' }, 'x').endpoint).toBe('http://a:1');
  });

  it.each([
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' }, /gRPC only/],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4317', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' }, /gRPC only/],
    [{ OTEL_TRACES_EXPORTER: 'zipkin' }, /OTEL_TRACES_EXPORTER/],
    [{ OTEL_TRACES_SAMPLER: 'sometimes' }, /OTEL_TRACES_SAMPLER=sometimes/],
    [{ OTEL_TRACES_SAMPLER_ARG: 'half' }, /OTEL_TRACES_SAMPLER_ARG/],
    [{ OTEL_TRACES_SAMPLER_ARG: '1.5' }, /OTEL_TRACES_SAMPLER_ARG/],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://bad host:1' }, /not a URL/],
  ])('rejects %j', (env, message) => {
    expect(() => otelFromEnv(env, 'x')).toThrow(message);
  });
});
