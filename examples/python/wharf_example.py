"""Wharf from Python: publish, consume with ack, and request/reply over plain gRPC.

The stubs in gen/ are generated from proto/wharf/v1 (see README.md). Exits 0 only when every
message made the round trip.
"""

import argparse
import os
import queue
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import grpc

# The generated modules live in gen/wharf/v1 and import each other as "wharf.v1.*".
sys.path.insert(0, str(Path(__file__).resolve().parent / "gen"))
from wharf.v1 import admin_pb2, admin_pb2_grpc, broker_pb2, broker_pb2_grpc  # noqa: E402

QUEUE = "default/examples-python"  # "<namespace>/<name>"; a bare name means namespace "default"
REQUESTS = "default/examples-python-requests"  # the responder's queue for request/reply
ORDERS = [b"order-1", b"order-2", b"order-3"]


def expect(actual, wanted, what: str) -> None:
    """Fails the example (exit status 1) when a round trip did not give back what was sent."""
    if actual != wanted:
        sys.exit(f"failed: {what}: got {actual!r}, expected {wanted!r}")


def frames(outbox: queue.Queue):
    """Turns a queue into the request side of a Consume stream; None ends the stream."""
    return iter(outbox.get, None)


def publish_orders(broker: broker_pb2_grpc.BrokerServiceStub) -> set[str]:
    """Publishes the orders and returns their message ids. Publish answers once the message is on disk."""
    ids = set()
    for payload in ORDERS:
        message = broker_pb2.Message(payload=payload, key="customer-42", headers={"type": "order.created"})
        answer = broker.Publish(broker_pb2.PublishRequest(destination=QUEUE, message=message), timeout=10)
        ids.add(answer.message_id)
        print(f"published: {payload.decode()}")
    return ids


def consume_orders(broker: broker_pb2_grpc.BrokerServiceStub, wanted: set[str]) -> list[bytes]:
    """Consumes until every wanted message arrived, acking each one; returns their payloads."""
    outbox: queue.Queue = queue.Queue()
    # The first frame subscribes; the broker then pushes up to max_in_flight unacked deliveries.
    outbox.put(broker_pb2.ConsumeRequest(subscribe=broker_pb2.Subscribe(destination=QUEUE, max_in_flight=10)))
    stream = broker.Consume(frames(outbox), timeout=30)
    received, unsettled = [], set()
    for response in stream:
        if response.HasField("delivery"):
            delivery = response.delivery
            message = delivery.message
            if message.id in wanted:
                wanted.discard(message.id)
                received.append(message.payload)
                print(f"received: {message.payload.decode()} (key {message.key}, type {message.headers['type']})")
            # Ack on the same stream (a message left over from an earlier run is acked too).
            unsettled.add(delivery.receipt)
            outbox.put(broker_pb2.ConsumeRequest(ack=broker_pb2.Settle(receipts=[delivery.receipt])))
        elif response.HasField("settled"):
            # The broker confirms each ack; OUTCOME_OK means the message is gone from the queue.
            if response.settled.outcome != broker_pb2.OUTCOME_OK:
                sys.exit(f"failed: ack: {broker_pb2.Outcome.Name(response.settled.outcome)}")
            unsettled.discard(response.settled.receipt)
        if not wanted and not unsettled:
            break
    # Done: end our side and cancel the call (anything still unacked goes back to the queue).
    outbox.put(None)
    stream.cancel()
    print(f"acked: {len(received)}")
    return received


def respond_once(broker: broker_pb2_grpc.BrokerServiceStub) -> None:
    """The responder: answers requests on REQUESTS with their payload in upper case until one reply
    was delivered (a request left over from an earlier run may find its caller gone)."""
    outbox: queue.Queue = queue.Queue()
    outbox.put(broker_pb2.ConsumeRequest(subscribe=broker_pb2.Subscribe(destination=REQUESTS, max_in_flight=1)))
    stream = broker.Consume(frames(outbox), timeout=30)
    replied = False
    for response in stream:
        if response.HasField("settled"):
            if replied:
                break  # the broker confirmed the ack of the request we answered: done
            continue
        request = response.delivery.message
        # The reply goes to the request's reply_to with the same correlation_id.
        reply = broker_pb2.Message(payload=request.payload.upper(), correlation_id=request.correlation_id)
        try:
            broker.Publish(broker_pb2.PublishRequest(destination=request.reply_to, message=reply), timeout=10)
            replied = True
        except grpc.RpcError as error:  # e.g. the caller gave up and its inbox is gone
            print(f"responder: reply not delivered: {error.details()}", file=sys.stderr)
        outbox.put(broker_pb2.ConsumeRequest(ack=broker_pb2.Settle(receipts=[response.delivery.receipt])))
    outbox.put(None)
    stream.cancel()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--addr", default=os.environ.get("WHARF_ADDR", "127.0.0.1:7070"), help="broker address")
    addr = parser.parse_args().addr

    with grpc.insecure_channel(addr) as channel:  # plaintext, as on loopback to the sidecar or `npm start`
        try:
            grpc.channel_ready_future(channel).result(timeout=10)
        except grpc.FutureTimeoutError:
            sys.exit(f"failed: cannot reach {addr} within 10s: is `npm start` running?")
        print(f"connected: {addr}")
        admin = admin_pb2_grpc.AdminServiceStub(channel)
        broker = broker_pb2_grpc.BrokerServiceStub(channel)

        # 0. Declare the queues (ApplyQueue is idempotent: an existing queue is updated).
        for name in (QUEUE, REQUESTS):
            spec = admin_pb2.QueueSpec(ack_deadline=timedelta(seconds=30))
            admin.ApplyQueue(admin_pb2.ApplyQueueRequest(queue=admin_pb2.Queue(name=name, spec=spec)), timeout=10)
        print(f"queues: {QUEUE} {REQUESTS}")

        # 1. Publish, 2. consume and ack.
        ids = publish_orders(broker)
        received = consume_orders(broker, ids)
        expect(sorted(received), sorted(ORDERS), "consumed payloads")

        # 3. Request/reply: a responder thread serves REQUESTS while we Call it.
        with ThreadPoolExecutor(max_workers=1) as pool:
            responder = pool.submit(respond_once, broker)
            answer = broker.Call(
                broker_pb2.CallRequest(
                    destination=REQUESTS,
                    message=broker_pb2.Message(payload=b"hello wharf"),
                    timeout=timedelta(seconds=10),  # how long the broker waits for the reply
                ),
                timeout=15,  # the gRPC deadline of the call itself
            )
            print(f"reply: {answer.reply.payload.decode()}")
            expect(answer.reply.payload, b"HELLO WHARF", "reply payload")
            responder.result(timeout=15)  # re-raises the responder's error, if any

    print("ok: publish, consume+ack, request/reply")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except grpc.RpcError as error:  # a failed call: its status code and message
        sys.exit(f"failed: {error.code().name}: {error.details()}")
