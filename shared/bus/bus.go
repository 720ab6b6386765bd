// Package bus is pregoner's contract with NATS JetStream: the subjects, the stream, the
// consumers and the bucket every service agrees on; connecting to a server or running an
// embedded one; and publishing bulletin revisions so that a re-sent publish is a no-op.
//
// The bus is the only way services talk, and it holds all state: there is no second
// database. See docs/architecture.md for the picture.
package bus

import (
	"errors"
	"strings"
	"time"
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

// BulletinSubject is the subject of every revision of bulletin id.
func BulletinSubject(id string) string { return subjectBulletins + "." + id }

// RedriveSubject is where a re-drive request of bulletin id on channel is published.
// Only that channel's consumer reads it.
func RedriveSubject(channel, id string) string {
	return subjectRedrive + "." + channel + "." + id
}

// ParseSubject tells what a message on the bulletins stream is about. channel is empty
// for a revision and set for a re-drive request.
func ParseSubject(subject string) (id, channel string, ok bool) {
	parts := strings.Split(subject, ".")
	switch {
	case len(parts) == 2 && parts[0] == subjectBulletins:
		return parts[1], "", true
	case len(parts) == 3 && parts[0] == subjectRedrive:
		return parts[2], parts[1], true
	}
	return "", "", false
}

// DeliveryKey is the key of the delivery record of bulletin id on channel.
func DeliveryKey(id, channel string) string { return id + "." + channel }
