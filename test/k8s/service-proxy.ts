// kube-proxy's stand-in for the API server's calls to Services (startControlPlane({ clusterEgress:
// true })): the API server resolves a Service to its ClusterIP and port and asks this HTTP CONNECT
// proxy, on a Unix socket, for a tunnel there; `route` maps that "IP:PORT" to a port on 127.0.0.1
// (the test's process standing in for the Service's pods). Anything else gets 502. Only loopback
// is ever dialled.
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface ServiceProxy {
  /** Tunnels opened so far, by CONNECT target. */
  readonly tunnels: ReadonlyMap<string, number>;
  /** Tunnels opened so far, by the loopback port they reached. */
  readonly upstreams: ReadonlyMap<number, number>;
  /**
   * Ends the open tunnels: the API server keeps its connections to a webhook alive, so without
   * this a new certificate would only be seen by its next new connection.
   */
  closeTunnels(): void;
  close(): Promise<void>;
}

const HEAD_BYTES_MAX = 8192;

export async function startServiceProxy(
  socketPath: string,
  route: (target: string) => number | undefined,
): Promise<ServiceProxy> {
  const tunnels = new Map<string, number>();
  const upstreams = new Map<number, number>();
  const sockets = new Set<Socket>();
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > HEAD_BYTES_MAX) client.destroy();
        return;
      }
      client.off('data', onData);
      const target = /^CONNECT (\S+) HTTP\/1\.[01]\r\n/.exec(head.toString('latin1'))?.[1];
      const port = target === undefined ? undefined : route(target);
      if (target === undefined || port === undefined) {
        client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
        return;
      }
      const upstream = createConnection({ host: '127.0.0.1', port }, () => {
        open.add(client);
        client.on('close', () => open.delete(client));
        tunnels.set(target, (tunnels.get(target) ?? 0) + 1);
        upstreams.set(port, (upstreams.get(port) ?? 0) + 1);
        client.write('HTTP/1.1 200 Connection established\r\n\r\n');
        const rest = head.subarray(end + 4);
        if (rest.length > 0) upstream.write(rest);
        client.pipe(upstream);
        upstream.pipe(client);
      });
      sockets.add(upstream);
      upstream.on('close', () => {
        sockets.delete(upstream);
        client.destroy();
      });
      upstream.on('error', () => {
        if (!client.writableEnded && upstream.connecting) client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
        upstream.destroy();
      });
      client.on('close', () => upstream.destroy());
    };
    client.on('data', onData);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  return {
    tunnels,
    upstreams,
    closeTunnels() {
      for (const socket of open) socket.destroy();
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
