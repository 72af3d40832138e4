package bridge

import "github.com/prometheus/client_golang/prometheus"

// Collector exports the health of every bridged gateway.
type Collector struct {
	gateways                                   []*Gateway
	up, stale, duration, age                   *prometheus.Desc
	refreshes, failures, requests, lastSuccess *prometheus.Desc
}

// NewCollector watches the given gateways.
func NewCollector(gateways []*Gateway) *Collector {
	d := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc(name, help, []string{"gateway"}, nil)
	}
	return &Collector{
		gateways:    gateways,
		up:          d("emsd_bridge_up", "1 when the last refresh of the gateway succeeded."),
		stale:       d("emsd_bridge_stale", "1 when the gateway's values are withdrawn: no refresh succeeded for --bridge.stale-after."),
		duration:    d("emsd_bridge_refresh_duration_seconds", "How long the last refresh of the gateway took."),
		age:         d("emsd_bridge_last_success_age_seconds", "Seconds since the last successful refresh of the gateway."),
		lastSuccess: d("emsd_bridge_last_success_timestamp_seconds", "When the last refresh of the gateway succeeded."),
		refreshes:   d("emsd_bridge_refreshes_total", "Refreshes of the gateway."),
		failures:    d("emsd_bridge_refresh_failures_total", "Refreshes of the gateway that failed."),
		requests:    d("emsd_bridge_requests_total", "HTTP requests sent to the gateway."),
	}
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.up, c.stale, c.duration, c.age, c.lastSuccess, c.refreshes, c.failures, c.requests} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	for _, g := range c.gateways {
		h := g.Health()
		gauge := func(d *prometheus.Desc, v float64) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, g.Name)
		}
		counter := func(d *prometheus.Desc, v uint64) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), g.Name)
		}
		gauge(c.up, b2f(h.Up))
		gauge(c.stale, b2f(h.Stale))
		gauge(c.duration, h.Duration.Seconds())
		if !h.LastSuccess.IsZero() {
			gauge(c.age, g.now().Sub(h.LastSuccess).Seconds())
			gauge(c.lastSuccess, float64(h.LastSuccess.UnixNano())/1e9)
		}
		counter(c.refreshes, h.Refreshes)
		counter(c.failures, h.Failures)
		counter(c.requests, h.Requests)
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
