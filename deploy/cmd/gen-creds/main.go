// Command gen-creds generates the credentials of pregoner's NATS cluster: an nkey seed
// per user and the cluster route password, in a directory only its owner can read.
// It prints the public keys, never a seed or the password.
//
//	go run ./deploy/cmd/gen-creds -dir deploy/nats/secrets
//	go run ./deploy/cmd/gen-creds -dir secrets -route-hosts nats-1.nats:6222,nats-2.nats:6222,nats-3.nats:6222
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/paeria/pregoner/deploy/creds"
)

func main() {
	o := creds.Options{}
	hosts := strings.Join(creds.DefaultRouteHosts, ",")
	flag.StringVar(&o.Dir, "dir", "deploy/nats/secrets", "directory for auth.conf and the <user>.nk seed files")
	flag.StringVar(&hosts, "route-hosts", hosts, "comma-separated host:port of every node's cluster listener")
	flag.BoolVar(&o.Overwrite, "force", false, "replace existing credentials (every service then needs its new seed)")
	flag.Parse()
	o.RouteHosts = strings.Split(hosts, ",")
	pub, err := creds.Generate(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen-creds:", err)
		os.Exit(1)
	}
	for _, u := range creds.Users {
		fmt.Printf("%-9s %s  seed: %s\n", u, pub.Keys[u], creds.SeedFile(o.Dir, u))
	}
}
