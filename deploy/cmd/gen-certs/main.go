// Command gen-certs generates the TLS certificates of pregoner's NATS cluster: a private
// CA, a certificate per node (clients, monitoring and the nodes' mutual TLS on their
// routes) and optional client certificates, in a directory only its owner can read,
// with nats-N.conf, which node-N.conf includes. It prints file names, never a key.
//
//	go run ./deploy/cmd/gen-certs                                   # → deploy/nats/secrets/tls
//	go run ./deploy/cmd/gen-certs -san nats-1=10.0.0.1 -san nats-2=10.0.0.2 -san nats-3=10.0.0.3
//	go run ./deploy/cmd/gen-certs -conf-dir /etc/nats/secrets/tls   # paths as the compose nodes see them
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/paeria/pregoner/deploy/cmd/gen-certs/certs"
)

func main() {
	o := certs.Options{SANs: map[string][]string{}}
	nodes := strings.Join(certs.DefaultNodes, ",")
	var clients string
	days := 825
	flag.StringVar(&o.Dir, "dir", "deploy/nats/secrets/tls", "directory for the CA, the certificates, their keys and each node's <node>.conf")
	flag.StringVar(&o.ConfDir, "conf-dir", "", "where the nodes read that directory, for <node>.conf (default: -dir, absolute)")
	flag.StringVar(&nodes, "nodes", nodes, "comma-separated node names, one server certificate each")
	flag.Func("san", "`node=name,...`: more host names or IPs a node's certificate is valid for (repeatable)", func(v string) error {
		node, names, ok := strings.Cut(v, "=")
		if !ok || names == "" {
			return fmt.Errorf("want node=name[,name...], got %q", v)
		}
		o.SANs[node] = append(o.SANs[node], strings.Split(names, ",")...)
		return nil
	})
	flag.StringVar(&clients, "clients", "", "comma-separated names of client certificates to issue too (optional)")
	flag.IntVar(&days, "days", days, "validity of the node and client certificates, in days")
	flag.BoolVar(&o.Overwrite, "force", false, "replace an existing CA and certificates (every client then needs the new ca.pem)")
	flag.Parse()
	o.Nodes = strings.Split(nodes, ",")
	if clients != "" {
		o.Clients = strings.Split(clients, ",")
	}
	if days <= 0 {
		fmt.Fprintln(os.Stderr, "gen-certs: -days must be positive")
		os.Exit(2)
	}
	o.Validity = time.Duration(days) * 24 * time.Hour
	if err := certs.Generate(o); err != nil {
		fmt.Fprintln(os.Stderr, "gen-certs:", err)
		os.Exit(1)
	}
	fmt.Printf("CA (give it to every client as NATS_CA_FILE): %s\n", certs.CAFile(o.Dir))
	for _, n := range append(o.Nodes, o.Clients...) {
		fmt.Printf("%-9s %s  key: %s\n", n, certs.CertFile(o.Dir, n), certs.KeyFile(o.Dir, n))
	}
}
