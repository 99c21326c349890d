// A free TCP port on 127.0.0.1, for processes that must be told their port before they start
// (peers of a Raft group, test servers). The port is free when returned; another process could
// still take it before it is used, which callers on a shared machine accept.
import { createServer } from 'node:net';

export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (typeof address === 'object' && address !== null) resolve(address.port);
        else reject(new Error('the loopback listener reported no port'));
      });
    });
  });
}
