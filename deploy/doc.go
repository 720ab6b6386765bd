// Package deploy holds the tests of pregoner's deployment artefacts: the 3-node NATS
// cluster configuration in deploy/nats and its least-privilege users, what the services
// see when the cluster loses members, the compose, Kubernetes and systemd files, and the
// benchmark of the pipeline on the cluster against the embedded single node.
//
// The tests run real nats-server nodes from deploy/nats (see package natscluster) and
// drive them with the shared code every service uses (shared/bus, shared/delivery).
package deploy
