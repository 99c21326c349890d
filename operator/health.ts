// Liveness and readiness over plain HTTP for the operator's Deployment probes (controller-runtime's
// convention: /healthz and /readyz on their own port), and Prometheus /metrics beside them. Ready once the API server answered and the
// webhook (when configured) listens with a certificate; leading or standing by are both ready:
// every replica serves the webhook. /healthz also reports the role, for a person with curl.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export type OperatorRole = 'starting' | 'standby' | 'leader';

export interface HealthState {
  role: OperatorRole;
  ready: boolean;
}

export interface RunningHealth {
  readonly port: number;
  close(): Promise<void>;
}

export async function startHealth(
  host: string,
  port: number,
  state: Readonly<HealthState>,
  registry: Registry,
): Promise<RunningHealth> {
  const server: Server = createServer((req, res) => {
    const reply = (code: number, body: unknown): void => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.url === '/metrics') {
      registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': registry.contentType });
          res.end(text);
        },
        () => reply(500, { error: 'metrics unavailable' }),
      );
      return;
    }
    if (req.url === '/healthz') reply(200, { ok: true, role: state.role });
    else if (req.url === '/readyz') reply(state.ready ? 200 : 503, { ready: state.ready, role: state.role });
    else reply(404, { error: 'not found' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
