package admin

import (
	"context"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/paeria/pregoner/shared/bus"
	"github.com/paeria/pregoner/shared/delivery"
)

// DeliveryMetrics counts what the delivery workers do. Pass its Observe as
// delivery.Config.Observe. It is safe for concurrent use.
type DeliveryMetrics struct {
	outcomes   *prometheus.CounterVec
	latency    *prometheus.HistogramVec
	callTime   *prometheus.HistogramVec
	apiErrors  *prometheus.CounterVec
	retryAfter *prometheus.CounterVec
	rateLimits *prometheus.CounterVec
	sandbox    *prometheus.GaugeVec
}

// NewDeliveryMetrics registers the delivery metrics on reg.
func NewDeliveryMetrics(reg prometheus.Registerer) *DeliveryMetrics {
	m := &DeliveryMetrics{
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pregoner_deliveries_total",
			Help: "Delivery outcomes recorded, by channel and state (delivered, failed, dead, retracted, skipped).",
		}, []string{"channel", "state"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "pregoner_delivery_latency_seconds",
			Help:    "From a revision's publish to its delivery being recorded on a channel.",
			Buckets: []float64{.005, .01, .05, .1, .5, 1, 5, 15, 60, 300, 1800},
		}, []string{"channel"}),
		callTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "pregoner_delivery_attempt_seconds",
			Help:    "Time one delivery attempt took: the channel's call and the record.",
			Buckets: prometheus.DefBuckets,
		}, []string{"channel"}),
		apiErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pregoner_channel_api_errors_total",
			Help: "Errors the external APIs answered, by channel and code.",
		}, []string{"channel", "code"}),
		retryAfter: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pregoner_channel_retry_after_seconds_total",
			Help: "Seconds channels asked pregoner to wait (429 retry_after, quota resets).",
		}, []string{"channel"}),
		rateLimits: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pregoner_channel_rate_limited_total",
			Help: "Temporary failures that came with a wait (429s, quota).",
		}, []string{"channel"}),
		sandbox: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "pregoner_channel_sandbox",
			Help: "1 while a channel delivers to its local sandbox instead of the real service: nothing reaches citizens there.",
		}, []string{"channel"}),
	}
	reg.MustRegister(m.outcomes, m.latency, m.callTime, m.apiErrors, m.retryAfter, m.rateLimits, m.sandbox)
	return m
}

// SetSandbox records whether channel runs against its local sandbox.
func (m *DeliveryMetrics) SetSandbox(channel string, on bool) {
	v := 0.0
	if on {
		v = 1
	}
	m.sandbox.WithLabelValues(channel).Set(v)
}

// Observe records one worker outcome.
func (m *DeliveryMetrics) Observe(o delivery.Outcome) {
	if o.State == "" {
		return // nothing recorded: a duplicate or a hand-back
	}
	m.outcomes.WithLabelValues(o.Channel, string(o.State)).Inc()
	if o.Op != "" {
		m.callTime.WithLabelValues(o.Channel).Observe(o.Duration.Seconds())
	}
	if o.State == delivery.Delivered && !o.Published.IsZero() {
		m.latency.WithLabelValues(o.Channel).Observe(time.Since(o.Published).Seconds())
	}
	if o.Code != "" {
		m.apiErrors.WithLabelValues(o.Channel, o.Code).Inc()
	}
	if o.RetryAfter > 0 {
		m.rateLimits.WithLabelValues(o.Channel).Inc()
		m.retryAfter.WithLabelValues(o.Channel).Add(o.RetryAfter.Seconds())
	}
}

// consumerCollector reads each channel consumer's backlog when Prometheus scrapes.
type consumerCollector struct {
	js       jetstream.JetStream
	channels []string
	pending  *prometheus.Desc
	acks     *prometheus.Desc
	redeliv  *prometheus.Desc
}

// RegisterConsumers exports, per channel, the revisions waiting (pending), the ones
// handed out and not yet acknowledged, and those delivered more than once.
func RegisterConsumers(reg prometheus.Registerer, js jetstream.JetStream, channels []string) {
	reg.MustRegister(&consumerCollector{
		js: js, channels: channels,
		pending: prometheus.NewDesc("pregoner_consumer_pending", "Revisions waiting for a channel's worker.", []string{"channel"}, nil),
		acks:    prometheus.NewDesc("pregoner_consumer_ack_pending", "Revisions handed to a worker and not yet settled.", []string{"channel"}, nil),
		redeliv: prometheus.NewDesc("pregoner_consumer_redelivered", "Revisions currently being delivered again (retries, crashed workers).", []string{"channel"}, nil),
	})
}

func (c *consumerCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.pending
	ch <- c.acks
	ch <- c.redeliv
}

func (c *consumerCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	for _, name := range c.channels {
		cons, err := c.js.Consumer(ctx, bus.StreamBulletins, name)
		if err != nil {
			continue // not created yet, or the bus is away: /readyz says so
		}
		info, err := cons.Info(ctx)
		if err != nil {
			continue
		}
		ch <- prometheus.MustNewConstMetric(c.pending, prometheus.GaugeValue, float64(info.NumPending), name)
		ch <- prometheus.MustNewConstMetric(c.acks, prometheus.GaugeValue, float64(info.NumAckPending), name)
		ch <- prometheus.MustNewConstMetric(c.redeliv, prometheus.GaugeValue, float64(info.NumRedelivered), name)
	}
}
