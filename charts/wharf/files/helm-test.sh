#!/bin/sh
# The `helm test` pod's script (also run by test/image.slow.test.ts against a broker started from
# the image build): applies a queue, publishes one message with a unique payload, consumes it back
# and checks it is the same one, then deletes the queue. Talks to $WHARF_ADDR (the injected sidecar,
# or the cluster's client Service). Bounded: at most WHARF_TEST_ATTEMPTS tries while the cluster
# comes up, then a clear failure.
set -eu
ns=${WHARF_TEST_NAMESPACE:?}
queue=${WHARF_TEST_QUEUE:-helm-test}
replicas=${WHARF_TEST_REPLICAS:-1}
attempts=${WHARF_TEST_ATTEMPTS:-30}
dir=$(mktemp -d)
cat >"$dir/queue.yaml" <<YAML
apiVersion: wharf.dev/v1alpha1
kind: Queue
metadata:
  name: $queue
  namespace: $ns
spec:
  replicas: $replicas
  ackDeadline: 30s
YAML

i=1
until wharf apply -f "$dir/queue.yaml"; do
  if [ "$i" -ge "$attempts" ]; then
    echo "helm test: could not apply queue $ns/$queue at $WHARF_ADDR after $attempts attempts" >&2
    exit 1
  fi
  i=$((i + 1))
  sleep 2
done

payload="wharf-helm-test-$(date +%s)-$$"
wharf publish "$ns/$queue" --data "$payload"
out=$(wharf consume "$ns/$queue" --max 1 --wait 30s --json)
echo "$out"
case "$out" in
  *"$payload"*) echo "helm test: published and consumed $payload through $ns/$queue" ;;
  *) echo "helm test: consumed something else than $payload from $ns/$queue" >&2; exit 1 ;;
esac
wharf delete queue "$ns/$queue" || echo "helm test: could not delete $ns/$queue (left behind)" >&2
