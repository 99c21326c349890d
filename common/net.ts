// A free TCP port on 127.0.0.1, for processes that must be told their port before they start
// (peers of a Raft group, test servers). The port is free when returned; another process could
// still take it before it is used.
//
// Why not listen(0): the kernel picks such ports from the ephemeral range, the same range it
// gives every outgoing connection its local port from, so on a busy machine (parallel test
// suites opening connections) a port returned free was sometimes taken by a connection before
// the process told to use it could bind it. Ports below the ephemeral range are only ever taken
// by a deliberate bind; a random pick there, checked by binding, rarely meets another.
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Picks below this port (Linux's default ephemeral range starts at 32768). */
const PICK_BELOW_DEFAULT = 32_768;
const PICK_FROM = 10_000;
const ATTEMPTS_MAX = 64;

/** The first port of the kernel's ephemeral range, where it is readable. */
function ephemeralRangeStart(): number {
  try {
    const first = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(first) && first > PICK_FROM + 1_000 ? first : PICK_BELOW_DEFAULT;
  } catch {
    return PICK_BELOW_DEFAULT;
  }
}

function tryBind(port: number): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') resolve(undefined);
      else reject(error);
    });
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : undefined));
    });
  });
}

export async function freeLoopbackPort(): Promise<number> {
  const below = ephemeralRangeStart();
  for (let attempt = 0; attempt < ATTEMPTS_MAX; attempt++) {
    const port = await tryBind(randomInt(PICK_FROM, below));
    if (port !== undefined) return port;
  }
  // Everything tried was taken: let the kernel choose (the race above is back, but rare).
  const port = await tryBind(0);
  if (port === undefined) throw new Error('no free loopback port');
  return port;
}
