// Wharf from Go: publish, consume with ack, and request/reply over plain gRPC.
//
// The stubs in gen/ are generated from proto/wharf/v1 (see README.md). Exits 0 only when every
// message made the round trip.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"slices"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/durationpb"

	wharfv1 "wharf.dev/examples/go/gen/wharf/v1"
)

const (
	queue    = "default/examples-go"          // "<namespace>/<name>"; a bare name means namespace "default"
	requests = "default/examples-go-requests" // the responder's queue for request/reply
)

var orders = []string{"order-1", "order-2", "order-3"}

func main() {
	log.SetFlags(0)
	addr := os.Getenv("WHARF_ADDR")
	if addr == "" {
		addr = "127.0.0.1:7070"
	}
	flag.StringVar(&addr, "addr", addr, "broker address (default $WHARF_ADDR or 127.0.0.1:7070)")
	flag.Parse()
	if err := run(addr); err != nil {
		log.Fatalf("failed: %v", err)
	}
	fmt.Println("ok: publish, consume+ack, request/reply")
}

func run(addr string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	// Plaintext, as on loopback to the sidecar or `npm start`.
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	admin := wharfv1.NewAdminServiceClient(conn)
	broker := wharfv1.NewBrokerServiceClient(conn)

	// 0. Declare the queues (ApplyQueue is idempotent: an existing queue is updated).
	for _, name := range []string{queue, requests} {
		spec := &wharfv1.QueueSpec{AckDeadline: durationpb.New(30 * time.Second)}
		// WaitForReady: give the connection up to 10s to come up instead of failing at once.
		applyCtx, cancelApply := context.WithTimeout(ctx, 10*time.Second)
		_, err := admin.ApplyQueue(applyCtx, &wharfv1.ApplyQueueRequest{Queue: &wharfv1.Queue{Name: name, Spec: spec}},
			grpc.WaitForReady(true))
		cancelApply()
		if err != nil {
			return fmt.Errorf("apply %s: %w", name, err)
		}
	}
	fmt.Printf("connected: %s\n", addr)
	fmt.Printf("queues: %s %s\n", queue, requests)

	// 1. Publish, 2. consume and ack.
	ids, err := publishOrders(ctx, broker)
	if err != nil {
		return err
	}
	received, err := consumeOrders(ctx, broker, ids)
	if err != nil {
		return err
	}
	slices.Sort(received)
	if !slices.Equal(received, orders) {
		return fmt.Errorf("consumed %v, expected %v", received, orders)
	}

	// 3. Request/reply: a responder goroutine serves `requests` while we Call it.
	responded := make(chan error, 1)
	go func() { responded <- respondOnce(ctx, broker) }()
	answer, err := broker.Call(ctx, &wharfv1.CallRequest{
		Destination: requests,
		Message:     &wharfv1.Message{Payload: []byte("hello wharf")},
		Timeout:     durationpb.New(10 * time.Second), // how long the broker waits for the reply
	})
	if err != nil {
		return fmt.Errorf("call: %w", err)
	}
	fmt.Printf("reply: %s\n", answer.GetReply().GetPayload())
	if !bytes.Equal(answer.GetReply().GetPayload(), []byte("HELLO WHARF")) {
		return fmt.Errorf("unexpected reply %q", answer.GetReply().GetPayload())
	}
	if err := <-responded; err != nil {
		return fmt.Errorf("responder: %w", err)
	}
	return nil
}

// publishOrders publishes the orders and returns their message ids. Publish answers once the
// message is on disk.
func publishOrders(ctx context.Context, broker wharfv1.BrokerServiceClient) (map[string]bool, error) {
	ids := map[string]bool{}
	for _, order := range orders {
		answer, err := broker.Publish(ctx, &wharfv1.PublishRequest{
			Destination: queue,
			Message: &wharfv1.Message{
				Payload: []byte(order),
				Key:     "customer-42",
				Headers: map[string]string{"type": "order.created"},
			},
		})
		if err != nil {
			return nil, fmt.Errorf("publish %s: %w", order, err)
		}
		ids[answer.GetMessageId()] = true
		fmt.Printf("published: %s\n", order)
	}
	return ids, nil
}

// consumeOrders consumes until every wanted message arrived, acking each one, and returns their
// payloads.
func consumeOrders(ctx context.Context, broker wharfv1.BrokerServiceClient, wanted map[string]bool) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel() // ends the stream; anything still unacked goes back to the queue
	stream, err := broker.Consume(ctx)
	if err != nil {
		return nil, err
	}
	// The first frame subscribes; the broker then pushes up to MaxInFlight unacked deliveries.
	subscribe := &wharfv1.Subscribe{Destination: queue, MaxInFlight: 10}
	if err := stream.Send(&wharfv1.ConsumeRequest{Frame: &wharfv1.ConsumeRequest_Subscribe{Subscribe: subscribe}}); err != nil {
		return nil, err
	}
	var received []string
	unsettled := map[string]bool{}
	for len(wanted) > 0 || len(unsettled) > 0 {
		response, err := stream.Recv()
		if err != nil {
			return nil, fmt.Errorf("consume: %w", err)
		}
		switch frame := response.GetFrame().(type) {
		case *wharfv1.ConsumeResponse_Delivery:
			message := frame.Delivery.GetMessage()
			if wanted[message.GetId()] {
				delete(wanted, message.GetId())
				received = append(received, string(message.GetPayload()))
				fmt.Printf("received: %s (key %s, type %s)\n", message.GetPayload(), message.GetKey(), message.GetHeaders()["type"])
			}
			// Ack on the same stream (a message left over from an earlier run is acked too).
			receipt := frame.Delivery.GetReceipt()
			unsettled[receipt] = true
			ack := &wharfv1.ConsumeRequest_Ack{Ack: &wharfv1.Settle{Receipts: []string{receipt}}}
			if err := stream.Send(&wharfv1.ConsumeRequest{Frame: ack}); err != nil {
				return nil, err
			}
		case *wharfv1.ConsumeResponse_Settled:
			// The broker confirms each ack; OUTCOME_OK means the message is gone from the queue.
			if frame.Settled.GetOutcome() != wharfv1.Outcome_OUTCOME_OK {
				return nil, fmt.Errorf("ack failed: %s", frame.Settled.GetOutcome())
			}
			delete(unsettled, frame.Settled.GetReceipt())
		}
	}
	fmt.Printf("acked: %d\n", len(received))
	return received, nil
}

// respondOnce answers requests on `requests` with their payload in upper case until one reply was
// delivered (a request left over from an earlier run may find its caller gone).
func respondOnce(ctx context.Context, broker wharfv1.BrokerServiceClient) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel() // ends the stream
	stream, err := broker.Consume(ctx)
	if err != nil {
		return err
	}
	subscribe := &wharfv1.Subscribe{Destination: requests, MaxInFlight: 1}
	if err := stream.Send(&wharfv1.ConsumeRequest{Frame: &wharfv1.ConsumeRequest_Subscribe{Subscribe: subscribe}}); err != nil {
		return err
	}
	replied := false
	for {
		response, err := stream.Recv()
		if err != nil {
			return err
		}
		delivery := response.GetDelivery()
		if delivery == nil { // a `settled` frame confirming an ack
			if replied {
				return nil // the request we answered is acked: done
			}
			continue
		}
		request := delivery.GetMessage()
		// The reply goes to the request's reply_to with the same correlation_id.
		reply := &wharfv1.Message{
			Payload:       []byte(strings.ToUpper(string(request.GetPayload()))),
			CorrelationId: request.GetCorrelationId(),
		}
		if _, err := broker.Publish(ctx, &wharfv1.PublishRequest{Destination: request.GetReplyTo(), Message: reply}); err != nil {
			log.Printf("responder: reply not delivered: %v", err) // e.g. the caller gave up and its inbox is gone
		} else {
			replied = true
		}
		ack := &wharfv1.ConsumeRequest_Ack{Ack: &wharfv1.Settle{Receipts: []string{delivery.GetReceipt()}}}
		if err := stream.Send(&wharfv1.ConsumeRequest{Frame: ack}); err != nil {
			return err
		}
	}
}
