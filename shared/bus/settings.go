package bus

import (
	"github.com/paeria/pregoner/shared/settings"
)

// Settings are the bus settings every service reads, for its settings table: where the
// bus is, the key it signs in with, and the replicas of what it creates.
func Settings(conn *ConnConfig, topo *Topology) settings.Table {
	return settings.Table{
		{Var: "NATS_URL", Default: DefaultURL, Meaning: "the bus: one server, or a cluster's nodes separated by commas",
			Parse: settings.String(&conn.URL)},
		{Var: "NATS_CREDS", Meaning: "a NATS credentials file (JWT and seed), for an operator-managed account",
			Parse: settings.String(&conn.CredsFile)},
		{Var: "NATS_NKEY_SEED", Meaning: "the file holding this service's nkey seed (deploy/nats/gen-creds.sh writes one per service)",
			Parse: settings.String(&conn.NkeySeedFile)},
		{Var: "NATS_REPLICAS", Default: "1", Meaning: "replicas of the streams, buckets and consumers it creates: 1 on one server, 3 on a cluster",
			Parse: settings.Int(&topo.Replicas, 1, 5)},
	}
}
