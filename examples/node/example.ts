// Wharf from Node.js: publish, consume with ack, and request/reply with the TypeScript client.
// Run from the repository root: node examples/node/example.ts [--addr 127.0.0.1:7070]
// Exits 0 only when every message made the round trip.
import { deepStrictEqual, strictEqual } from 'node:assert/strict';
import { parseArgs } from 'node:util';
import { connect, type WharfClient } from '../../client/index.ts';

const QUEUE = 'default/examples-node'; // "<namespace>/<name>"; a bare name means namespace "default"
const REQUESTS = 'default/examples-node-requests'; // the responder's queue for request/reply
const ORDERS = ['order-1', 'order-2', 'order-3'];

/** Publishes the orders and returns their message ids. Publish answers once the message is on disk. */
async function publishOrders(client: WharfClient): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const order of ORDERS) {
    const answer = await client.publish(QUEUE, {
      payload: Buffer.from(order),
      key: 'customer-42',
      headers: { type: 'order.created' },
    });
    ids.add(answer.messageId);
    console.log(`published: ${order}`);
  }
  return ids;
}

/** Consumes until every wanted message arrived, acking each one; returns their payloads. */
async function consumeOrders(client: WharfClient, wanted: Set<string>): Promise<string[]> {
  // Subscribes; the broker then pushes up to maxInFlight unacked deliveries.
  const consumer = client.consume({ destination: QUEUE, maxInFlight: 10 });
  const received: string[] = [];
  try {
    for await (const delivery of consumer) {
      const message = delivery.message;
      if (message !== null && wanted.delete(message.id)) {
        received.push(message.payload.toString());
        console.log(`received: ${message.payload} (key ${message.key}, type ${message.headers.type})`);
      }
      // Ack on the same stream (a message left over from an earlier run is acked too); resolves
      // when the broker confirms: OUTCOME_OK means the message is gone from the queue.
      const [result] = await consumer.ack([delivery.receipt]);
      if (result?.outcome !== 'OUTCOME_OK') throw new Error(`ack failed: ${result?.outcome}`);
      if (wanted.size === 0) break;
    }
  } finally {
    await consumer.close(); // anything still unacked goes back to the queue
  }
  console.log(`acked: ${received.length}`);
  return received;
}

/**
 * The responder: answers requests on REQUESTS with their payload in upper case until one reply was
 * delivered (a request left over from an earlier run may find its caller gone).
 */
async function respondOnce(client: WharfClient): Promise<void> {
  const requests = client.consume({ destination: REQUESTS, maxInFlight: 1 });
  try {
    for await (const delivery of requests) {
      const request = delivery.message;
      let replied = false;
      if (request !== null) {
        // The reply goes to the request's replyTo with the same correlationId.
        const payload = Buffer.from(request.payload.toString().toUpperCase());
        const reply = { payload, correlationId: request.correlationId };
        try {
          await client.publish(request.replyTo, reply);
          replied = true;
        } catch (error) {
          console.error(`responder: reply not delivered: ${error}`); // e.g. the caller gave up and its inbox is gone
        }
      }
      await requests.ack([delivery.receipt]);
      if (replied) return;
    }
  } finally {
    await requests.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { addr: { type: 'string', default: process.env.WHARF_ADDR ?? '' } } });
  const addr = values.addr || '127.0.0.1:7070';
  const client = connect(addr);
  try {
    // 0. Declare the queues (applyQueue is idempotent: an existing queue is updated).
    for (const name of [QUEUE, REQUESTS]) await client.applyQueue({ name, spec: { ackDeadline: { seconds: 30 } } });
    console.log(`connected: ${addr}`);
    console.log(`queues: ${QUEUE} ${REQUESTS}`);

    // 1. Publish, 2. consume and ack.
    const ids = await publishOrders(client);
    const received = await consumeOrders(client, ids);
    deepStrictEqual(received.toSorted(), ORDERS);

    // 3. Request/reply: a responder serves REQUESTS while we call it (the broker waits up to 10s
    // for the reply).
    const [answer] = await Promise.all([
      client.call(REQUESTS, { payload: Buffer.from('hello wharf') }, 10_000),
      respondOnce(client),
    ]);
    const reply = answer.reply?.payload.toString();
    console.log(`reply: ${reply}`);
    strictEqual(reply, 'HELLO WHARF');
  } finally {
    client.close();
  }
  console.log('ok: publish, consume+ack, request/reply');
}

// A broker that never answers must not hang the example forever.
setTimeout(() => {
  console.error('failed: timed out after 60s');
  process.exit(1);
}, 60_000).unref();
await main().catch((error: unknown) => {
  console.error(`failed: ${error instanceof Error ? error.message : error}`);
  process.exitCode = 1;
});
