// Package bus is pregoner's contract with NATS JetStream: the subjects, the stream, the
// consumers and the bucket every service agrees on; connecting to a server or running an
// embedded one; and publishing bulletin revisions so that a re-sent publish is a no-op.
//
// The bus is the only way services talk, and it holds all state: there is no second
// database. See docs/architecture.md for the picture.
package bus

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/paeria/pregoner/shared/bulletin"
)

// Names of the streams, buckets and subjects. Changing one is a migration.
const (
	// StreamBulletins holds every revision of every bulletin, and re-drive requests.
	StreamBulletins = "BULLETINS"
	// BucketDeliveries is the key-value bucket of delivery records, key "<id>.<channel>".
	BucketDeliveries = "DELIVERIES"
	// BucketSchedules holds bulletins waiting for their publish_at, key "<id>".
	BucketSchedules = "SCHEDULES"

	subjectBulletins = "bulletins"
	subjectRedrive   = "redrive"
)

// Defaults for the topology. They favour never losing a bulletin over speed.
const (
	// DefaultAckWait is how long a worker may hold a revision without a heartbeat before
	// the server gives it to another replica. Workers heartbeat while a call runs.
	DefaultAckWait = 30 * time.Second
	// DefaultDuplicateWindow is how long the stream remembers a Nats-Msg-Id. Publishes
	// also carry the expected last sequence of the bulletin's subject, so a re-send
	// after the window is refused too.
	DefaultDuplicateWindow = 10 * time.Minute
	// DefaultHistory is how many versions of each delivery record the bucket keeps:
	// the audit trail of attempts (64 is JetStream's maximum).
	DefaultHistory = 64
)

// ErrNotFound is returned when a bulletin has no revision on the bus.
var ErrNotFound = errors.New("bulletin not found")

// AllBulletins matches the subject of every revision of every bulletin: the filter of
// readers that follow them all.
const AllBulletins = subjectBulletins + ".*"

// RevisionSubject is the subject of every revision of bulletin id. It refuses an id that
// breaks the slug rule (an error wrapping bulletin.ErrBadID): "*" or ">" would address
// every bulletin, and "a.b" a subject no consumer expects, which workers would retry forever.
func RevisionSubject(id string) (string, error) {
	if err := bulletin.CheckID(id); err != nil {
		return "", err
	}
	return subjectBulletins + "." + id, nil
}

// RedriveSubject is where a re-drive request of bulletin id on channel is published.
// Only that channel's consumer reads it. It refuses a bad id and an unknown channel.
func RedriveSubject(channel, id string) (string, error) {
	if err := bulletin.CheckID(id); err != nil {
		return "", err
	}
	if err := checkChannel(channel); err != nil {
		return "", err
	}
	return subjectRedrive + "." + channel + "." + id, nil
}

// ErrUnknownChannel is wrapped by the errors of helpers given a channel that is not one
// of bulletin.KnownChannels.
var ErrUnknownChannel = errors.New("unknown channel")

func checkChannel(channel string) error {
	if !slices.Contains(bulletin.KnownChannels, channel) {
		return fmt.Errorf("%w %q (want one of %s)", ErrUnknownChannel, channel, strings.Join(bulletin.KnownChannels, ", "))
	}
	return nil
}

// ParseSubject tells what a message on the bulletins stream is about. channel is empty
// for a revision and set for a re-drive request. A subject whose id breaks the slug rule,
// or whose channel is unknown, is not ok: nothing may be done on its behalf.
func ParseSubject(subject string) (id, channel string, ok bool) {
	parts := strings.Split(subject, ".")
	switch {
	case len(parts) == 2 && parts[0] == subjectBulletins:
		id = parts[1]
	case len(parts) == 3 && parts[0] == subjectRedrive && checkChannel(parts[1]) == nil:
		id, channel = parts[2], parts[1]
	default:
		return "", "", false
	}
	if bulletin.CheckID(id) != nil {
		return "", "", false
	}
	return id, channel, true
}

// RecordKey is the key of the delivery record of bulletin id on channel. It refuses a
// bad id (an error wrapping bulletin.ErrBadID) and an unknown channel: "a.b" would be
// another bulletin's key space.
func RecordKey(id, channel string) (string, error) {
	if err := bulletin.CheckID(id); err != nil {
		return "", err
	}
	if err := checkChannel(channel); err != nil {
		return "", err
	}
	return id + "." + channel, nil
}
