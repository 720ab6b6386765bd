package admin

import (
	"context"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/paeria/pregoner/shared/bus"
)

// auditCollector reads the audit stream's size and cap when Prometheus scrapes.
type auditCollector struct {
	js       jetstream.JetStream
	bytes    *prometheus.Desc
	maxBytes *prometheus.Desc
}

// RegisterAudit exports the audit stream's (bus.StreamAudit) size in bytes and its cap
// (max_bytes; 0: no cap), read from the stream's info at each scrape. At the cap the
// oldest events are dropped, so operators alert before it (docs/operations.md). Both
// gauges are absent while the stream does not exist or the bus is away (/readyz says
// so). js's user needs $JS.API.STREAM.INFO.AUDIT: the hub's admin connection has it,
// and so does the editor's key ($JS.API.STREAM.INFO.*).
func RegisterAudit(reg prometheus.Registerer, js jetstream.JetStream) {
	reg.MustRegister(&auditCollector{
		js: js,
		bytes: prometheus.NewDesc("pregoner_audit_bytes",
			"Bytes the audit stream holds; at pregoner_audit_max_bytes its oldest events are dropped.", nil, nil),
		maxBytes: prometheus.NewDesc("pregoner_audit_max_bytes",
			"The audit stream's cap in bytes (the operator's; the set-up creates it with 1 GiB and keeps a raised one); 0: no cap.", nil, nil),
	})
}

func (c *auditCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.bytes
	ch <- c.maxBytes
}

func (c *auditCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	s, err := c.js.Stream(ctx, bus.StreamAudit) // one STREAM.INFO request
	if err != nil {
		return // not set up yet, or the bus is away
	}
	info := s.CachedInfo()
	ch <- prometheus.MustNewConstMetric(c.bytes, prometheus.GaugeValue, float64(info.State.Bytes))
	ch <- prometheus.MustNewConstMetric(c.maxBytes, prometheus.GaugeValue, float64(max(info.Config.MaxBytes, 0)))
}
