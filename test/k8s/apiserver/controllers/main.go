// wharf-test-controllers: the two kube-controller-manager controllers the Kubernetes test suite
// needs, and nothing else: namespace (finishes namespace deletion) and garbagecollector
// (ownerReference cascades). Built by scripts/k8s.sh from the same pinned k8s.io/kubernetes as
// kube-apiserver, it compiles a small part of what kube-controller-manager does (no volume
// plugins, cloud providers or the other controllers) and rediscovers new kinds (CRDs) every
// --discovery-period instead of every 30 s.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	v1 "k8s.io/api/core/v1"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/metadata/metadatainformer"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/controller-manager/pkg/informerfactory"
	"k8s.io/klog/v2"
	"k8s.io/kubernetes/pkg/controller/garbagecollector"
	"k8s.io/kubernetes/pkg/controller/namespace"
)

func main() {
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig of an identity allowed to do everything")
	controllers := flag.String("controllers", "namespace,garbagecollector", "controllers to run")
	healthz := flag.String("healthz-address", "127.0.0.1:0", "where /healthz answers once the controllers run")
	period := flag.Duration("discovery-period", time.Second, "how often new kinds (CRDs) are discovered")
	klog.InitFlags(nil)
	flag.Parse()
	if err := run(*kubeconfig, *controllers, *healthz, *period); err != nil {
		fmt.Fprintln(os.Stderr, "wharf-test-controllers:", err)
		os.Exit(1)
	}
}

func run(kubeconfig, controllers, healthz string, period time.Duration) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	config, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return err
	}
	config.QPS, config.Burst = 100, 200
	client, err := kubernetes.NewForConfig(config)
	if err != nil {
		return err
	}
	metadataClient, err := metadata.NewForConfig(config)
	if err != nil {
		return err
	}
	sharedInformers := informers.NewSharedInformerFactory(client, 0)
	metadataInformers := metadatainformer.NewSharedInformerFactory(metadataClient, 0)
	started := make(chan struct{})

	for _, name := range strings.Split(controllers, ",") {
		switch strings.TrimSpace(name) {
		case "namespace":
			nc := namespace.NewNamespaceController(ctx, client, metadataClient,
				client.Discovery().ServerPreferredNamespacedResources,
				sharedInformers.Core().V1().Namespaces(), 5*time.Minute, v1.FinalizerKubernetes)
			go nc.Run(ctx, 5)
		case "garbagecollector":
			mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(client.Discovery()))
			gc, err := garbagecollector.NewGarbageCollector(ctx, client, metadataClient, mapper,
				garbagecollector.DefaultIgnoredResources(),
				informerfactory.NewInformerFactory(sharedInformers, metadataInformers), started)
			if err != nil {
				return err
			}
			go gc.Run(ctx, 5, 30*time.Second)
			go gc.Sync(ctx, client.Discovery(), period)
		case "":
		default:
			return fmt.Errorf("unknown controller %q (this binary has namespace and garbagecollector)", name)
		}
	}
	sharedInformers.Start(ctx.Done())
	metadataInformers.Start(ctx.Done())
	close(started)

	listener, err := net.Listen("tcp", healthz)
	if err != nil {
		return err
	}
	fmt.Printf("listening on %s\n", listener.Addr())
	server := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ok"))
	})}
	go func() { _ = server.Serve(listener) }()
	<-ctx.Done()
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return server.Shutdown(shutdown)
}
