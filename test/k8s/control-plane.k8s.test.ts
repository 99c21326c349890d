// The test control plane itself (scripts/k8s.sh through test/k8s/control-plane.ts), with the
// namespace and garbage-collector controllers: it reports the pinned release, authorizes with
// RBAC (least-privilege identities are denied until bound), issues real ServiceAccount tokens,
// finishes namespace deletion and cascades ownerReferences.
import {
  CoreV1Api,
  CustomObjectsApi,
  type KubernetesListObject,
  type KubernetesObject,
  makeInformer,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUP, QUEUE, VERSION } from '../../crds/types.ts';
import {
  type ControlPlane,
  installCrds,
  K8S_SETUP_TIMEOUT_MS,
  startControlPlane,
  userKubeConfig,
  waitFor,
} from './control-plane.ts';

let cp: ControlPlane;
const NS = `cp-test-${process.pid}`;

beforeAll(async () => {
  cp = await startControlPlane({ controllers: ['namespace', 'garbagecollector'] });
  await installCrds(cp);
  await cp
    .kubeConfig()
    .makeApiClient(CoreV1Api)
    .createNamespace({ body: { metadata: { name: NS } } });
}, K8S_SETUP_TIMEOUT_MS);

afterAll(async () => {
  await cp?.stop();
});

const queuesPath = `/apis/${GROUP}/${VERSION}/namespaces/${NS}/${QUEUE.plural}`;

describe('the test control plane', () => {
  it('serves the pinned Kubernetes release on loopback', async () => {
    expect(cp.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const version = await cp.request('GET', '/version');
    expect((version.json as { gitVersion: string }).gitVersion).toBe(cp.version);
    const client = await cp.kubectl(['version', '-o', 'json']);
    expect(JSON.parse(client.stdout)).toMatchObject({ clientVersion: { gitVersion: cp.version } });
  });

  it('authorizes with RBAC: an identity without bindings is denied, then allowed once bound', async () => {
    const user = `system:serviceaccount:${NS}:reader`;
    const reader = userKubeConfig(cp, user).makeApiClient(CoreV1Api);
    await expect(reader.listNamespacedConfigMap({ namespace: NS })).rejects.toMatchObject({ code: 403 });
    const can = await cp.kubectl(['auth', 'can-i', 'list', 'queues.wharf.dev', '-n', NS, '--as', user]);
    expect(can.stdout.trim()).toBe('no');

    const role = await cp.kubectl(
      ['create', 'role', 'reader', '-n', NS, '--verb', 'get,list', '--resource', 'configmaps,queues.wharf.dev'],
      {},
    );
    expect(role.code, role.stderr).toBe(0);
    const binding = await cp.kubectl([
      'create',
      'rolebinding',
      'reader',
      '-n',
      NS,
      '--role',
      'reader',
      '--serviceaccount',
      `${NS}:reader`,
    ]);
    expect(binding.code, binding.stderr).toBe(0);
    // RBAC caches are refreshed from informers: bounded wait for the binding to take effect.
    await waitFor('the RoleBinding to take effect', 10_000, async () => {
      await reader.listNamespacedConfigMap({ namespace: NS });
      return true;
    });
    const afterBinding = await cp.kubectl(['auth', 'can-i', 'list', 'queues.wharf.dev', '-n', NS, '--as', user]);
    expect(afterBinding.stdout.trim()).toBe('yes');
    const write = await cp.kubectl(['auth', 'can-i', 'create', 'queues.wharf.dev', '-n', NS, '--as', user]);
    expect(write.stdout.trim()).toBe('no');
  });

  it('issues ServiceAccount tokens that authenticate as the ServiceAccount', async () => {
    expect((await cp.kubectl(['create', 'serviceaccount', 'operator', '-n', NS])).code).toBe(0);
    const token = await cp.kubectl(['create', 'token', 'operator', '-n', NS, '--duration', '10m']);
    expect(token.code, token.stderr).toBe(0);
    const review = await cp.request('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
      token: token.stdout.trim(),
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
    });
    expect(review.status).toBe(201);
    expect(review.json).toMatchObject({ status: { userInfo: { username: `system:serviceaccount:${NS}:operator` } } });
  });

  it('serves watches to client-node informers (etcd new enough for consistent watches)', async () => {
    const kc = cp.kubeConfig();
    const api = kc.makeApiClient(CustomObjectsApi);
    const list = async (): Promise<KubernetesListObject<KubernetesObject>> =>
      (await api.listNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace: NS,
        plural: QUEUE.plural,
      })) as KubernetesListObject<KubernetesObject>;
    const informer = makeInformer(kc, queuesPath, list);
    const added: string[] = [];
    const errors: unknown[] = [];
    informer.on('add', (object) => added.push(object.metadata?.name ?? ''));
    // An informer stops on any error but 410 Gone; as an operator must, restart it (bounded).
    informer.on('error', (error) => {
      errors.push(error);
      if (errors.length < 20) setTimeout(() => void informer.start(), 250);
    });
    await informer.start();
    try {
      const created = await cp.request('POST', queuesPath, {
        body: { apiVersion: `${GROUP}/${VERSION}`, kind: QUEUE.kind, metadata: { name: 'watched' } },
      });
      expect(created.status).toBe(201);
      await waitFor('the informer to see the new queue', 20_000, async () => added.includes('watched')).catch(
        (error: unknown) => {
          throw new Error(`${String(error)}; informer saw ${JSON.stringify(added)}, errors: ${String(errors)}`);
        },
      );
    } finally {
      await informer.stop();
    }
  });

  it('cascades ownerReferences (garbage collector) and finishes namespace deletion (namespace controller)', async () => {
    const created = await cp.request('POST', queuesPath, {
      body: { apiVersion: `${GROUP}/${VERSION}`, kind: QUEUE.kind, metadata: { name: 'owner' } },
    });
    expect(created.status).toBe(201);
    const uid = (created.json as { metadata: { uid: string } }).metadata.uid;
    const core = cp.kubeConfig().makeApiClient(CoreV1Api);
    await core.createNamespacedConfigMap({
      namespace: NS,
      body: {
        metadata: {
          name: 'owned',
          ownerReferences: [
            { apiVersion: `${GROUP}/${VERSION}`, kind: QUEUE.kind, name: 'owner', uid, controller: true },
          ],
        },
        data: { a: 'b' },
      },
    });
    expect((await cp.request('DELETE', `${queuesPath}/owner`)).status).toBe(200);
    await waitFor('the owned ConfigMap to be collected', 25_000, async () => {
      const response = await cp.request('GET', `/api/v1/namespaces/${NS}/configmaps/owned`);
      return response.status === 404;
    });

    expect((await cp.request('DELETE', `/api/v1/namespaces/${NS}`)).status).toBe(200);
    await waitFor(`namespace ${NS} to be deleted`, 25_000, async () => {
      const response = await cp.request('GET', `/api/v1/namespaces/${NS}`);
      return response.status === 404;
    });
  });
});
