import { describe, expect, it } from 'vitest';
import { AdmissionRequestError, admissionTarget, admit, refuse } from './admission.ts';
import type { InjectorConfig } from './sidecar-patch.ts';

const config: InjectorConfig = {
  sidecarImage: 'wharf/sidecar:0.1.0',
  defaultCluster: 'messaging/wharf',
  clusterDomain: 'cluster.local',
  serverVersion: { major: 1, minor: 31 },
  otlpEndpoint: '',
  defaultLogLevel: 'info',
};
const encode = (json: string) => `b64(${json})`;
const review = (object: unknown, operation = 'CREATE', kind = 'Pod') => ({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  request: { uid: 'u-1', kind: { group: '', version: 'v1', kind }, namespace: 'shop', operation, object },
});

describe('admit', () => {
  it('answers a pod creation with a JSONPatch under the request uid', () => {
    const answer = admit(review({ spec: { containers: [{ name: 'app' }] } }), config, encode);
    expect(answer.response).toMatchObject({ uid: 'u-1', allowed: true, patchType: 'JSONPatch' });
    const patch = JSON.parse(answer.response?.patch?.slice(4, -1) ?? '') as { path: string }[];
    expect(patch.map((op) => op.path)).toEqual(['/spec/initContainers', '/spec/containers/0/env']);
  });

  it('allows other operations and kinds untouched', () => {
    expect(admit(review({}, 'UPDATE'), config, encode).response).toEqual({ uid: 'u-1', allowed: true });
    expect(admit(review({}, 'CREATE', 'Service'), config, encode).response).toEqual({ uid: 'u-1', allowed: true });
  });

  it('refuses a pod with a bad annotation, naming it', () => {
    const pod = { metadata: { annotations: { 'wharf.dev/port': 'x' } }, spec: { containers: [{ name: 'app' }] } };
    expect(admit(review(pod), config, encode).response).toEqual({
      uid: 'u-1',
      allowed: false,
      status: { code: 400, message: 'wharf sidecar injection: annotation wharf.dev/port: "x" is not a port 1..65535' },
    });
  });

  it('rejects something that is not an AdmissionReview', () => {
    expect(() => admit({ hello: 1 }, config, encode)).toThrow(AdmissionRequestError);
  });

  it('names the cluster whose CA to look up first, only for a pod it would inject into', () => {
    const pod = { spec: { containers: [{ name: 'app' }] } };
    expect(admissionTarget(review(pod), config)).toEqual({ namespace: 'messaging', name: 'wharf' });
    expect(admissionTarget(review(pod, 'UPDATE'), config)).toBeUndefined();
    const bad = { metadata: { annotations: { 'wharf.dev/port': 'x' } }, spec: { containers: [{ name: 'app' }] } };
    expect(admissionTarget(review(bad), config)).toBeUndefined(); // admit refuses it, naming the annotation
    expect(() => admissionTarget({}, config)).toThrow(AdmissionRequestError);
  });

  it('puts the CA it is given into the sidecar, and refuses with a reason when there is none to give', () => {
    const caPem = '-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n';
    const answer = admit(review({ spec: { containers: [{ name: 'app' }] } }), config, encode, { caPem });
    const patch = JSON.parse(answer.response?.patch?.slice(4, -1) ?? '') as {
      value: { env?: { name: string; value?: string }[] }[];
    }[];
    expect(patch[0]?.value[0]?.env).toContainEqual({ name: 'WHARF_TLS_CA_PEM', value: caPem });
    expect(refuse(review({}), 500, 'no ca.crt').response).toEqual({
      uid: 'u-1',
      allowed: false,
      status: { code: 500, message: 'wharf sidecar injection: no ca.crt' },
    });
  });
});
