package bus

import (
	"github.com/paeria/pregoner/shared/settings"
)

// Settings are the bus settings every service reads, for its settings table: where the
// bus is, the key it signs in with, the TLS trust, and the replicas of what it creates.
func Settings(conn *ConnConfig, topo *Topology) settings.Table {
	return settings.Table{
		{Var: "NATS_URL", Default: DefaultURL, Meaning: "the bus: one server, or a cluster's nodes separated by commas",
			Parse: settings.String(&conn.URL)},
		{Var: "NATS_CREDS", Meaning: "a NATS credentials file (JWT and seed), for an operator-managed account",
			Parse: settings.String(&conn.CredsFile)},
		{Var: "NATS_NKEY_SEED", Meaning: "the file holding this service's nkey seed (deploy/nats/gen-creds.sh writes one per service)",
			Parse: settings.String(&conn.NkeySeedFile)},
		{Var: "NATS_CA_FILE", Meaning: "the CA the servers' TLS certificates chain to (deploy/nats/gen-certs.sh writes ca.pem); set, the bus is reached over TLS only",
			Parse: settings.String(&conn.CAFile)},
		{Var: "NATS_CERT_FILE", Meaning: "a client certificate, for servers that ask for one (with NATS_KEY_FILE)",
			Parse: settings.String(&conn.CertFile)},
		{Var: "NATS_KEY_FILE", Meaning: "the client certificate's private key (with NATS_CERT_FILE)",
			Parse: settings.String(&conn.KeyFile)},
		{Var: "NATS_REPLICAS", Default: "1", Meaning: "replicas of the streams, buckets and consumers it creates: 1 on one server, 3 on a cluster",
			Parse: settings.Int(&topo.Replicas, 1, 5)},
	}
}
