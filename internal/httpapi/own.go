package httpapi

import (
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/emsd/emsd/internal/store"
)

// emsd's own metrics, served on /metrics beside the devices' and the
// system's: the Go runtime and process, HTTP requests, and bus health.

// Handlers and status classes counted per request, in fixed arrays so that
// counting costs no allocation.
var (
	handlerNames = [...]string{"api", "metrics", "sd", "other"}
	codeNames    = [...]string{"200", "400", "401", "404", "405", "other"}
)

const (
	handlerAPI = iota
	handlerMetrics
	handlerSD
	handlerOther
)

func codeIndex(code int) int {
	switch code {
	case 200:
		return 0
	case 400:
		return 1
	case 401:
		return 2
	case 404:
		return 3
	case 405:
		return 4
	}
	return 5
}

type requestCounts [len(handlerNames)][len(codeNames)]atomic.Uint64

// statusRecorder remembers the status a handler answered with.
type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.code = code
	r.ResponseWriter.WriteHeader(code)
}

var recorders = sync.Pool{New: func() any { return new(statusRecorder) }}

// counted wraps a handler so that its requests are counted by status.
func (s *Server) counted(handler int, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rec := recorders.Get().(*statusRecorder)
		rec.ResponseWriter, rec.code = w, http.StatusOK
		h(rec, r)
		s.requests[handler][codeIndex(rec.code)].Add(1)
		rec.ResponseWriter = nil
		recorders.Put(rec)
	}
}

// ownCollector exports emsd's counters as const metrics at scrape time.
type ownCollector struct {
	s                                                    *Server
	requests, telegrams, incomplete, crc, unknown, reads *prometheus.Desc
	readsFailed, writes, writesFailed, retries, lastSeen *prometheus.Desc
	connected, faults                                    *prometheus.Desc
}

func newOwnCollector(s *Server) *ownCollector {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(name, help, labels, nil)
	}
	return &ownCollector{
		s:            s,
		requests:     d("emsd_http_requests_total", "HTTP requests answered, by handler and status code.", "handler", "code"),
		telegrams:    d("emsd_bus_telegrams_total", "Good telegrams received from the bus."),
		incomplete:   d("emsd_bus_frame_errors_total", "Frames that were not good telegrams, by kind.", "kind"),
		unknown:      d("emsd_bus_unknown_telegrams_total", "Good telegrams no known device understands."),
		reads:        d("emsd_bus_reads_total", "Read requests answered."),
		readsFailed:  d("emsd_bus_reads_failed_total", "Read requests given up after retries."),
		writes:       d("emsd_bus_writes_total", "Writes acknowledged."),
		writesFailed: d("emsd_bus_writes_failed_total", "Writes rejected or given up after retries."),
		retries:      d("emsd_bus_tx_retries_total", "Requests sent again after a missing or damaged echo or answer."),
		connected:    d("emsd_bus_up", "1 when the bus delivered telegrams or polls within the last 30 seconds."),
		faults:       d("emsd_decode_faults_total", "Telegrams a decoder failed on: a bug, logged with the frame for a report."),
		lastSeen:     d("emsd_device_last_telegram_seconds", "Seconds since the device's last telegram.", "device", "deviceid"),
	}
}

func (c *ownCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.requests, c.telegrams, c.incomplete, c.unknown, c.reads, c.readsFailed,
		c.writes, c.writesFailed, c.retries, c.connected, c.lastSeen, c.faults} {
		ch <- d
	}
}

func (c *ownCollector) Collect(ch chan<- prometheus.Metric) {
	for h := range handlerNames {
		for code := range codeNames {
			if n := c.s.requests[h][code].Load(); n > 0 {
				ch <- prometheus.MustNewConstMetric(c.requests, prometheus.CounterValue, float64(n), handlerNames[h], codeNames[code])
			}
		}
	}
	b := c.s.bus()
	counter := func(d *prometheus.Desc, v uint64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	counter(c.telegrams, b.TelegramsReceived)
	counter(c.incomplete, b.CRCErrors, "crc")
	counter(c.incomplete, b.IncompleteTelegrams-b.CRCErrors, "incomplete")
	counter(c.unknown, b.UnknownTelegrams)
	counter(c.reads, b.Reads)
	counter(c.readsFailed, b.ReadsFailed)
	counter(c.writes, b.Writes)
	counter(c.writesFailed, b.WritesFailed)
	counter(c.retries, b.TxRetries)
	counter(c.faults, b.DecodeFaults)
	up := 0.0
	if b.Connected {
		up = 1
	}
	ch <- prometheus.MustNewConstMetric(c.connected, prometheus.GaugeValue, up)
	var snap store.Snapshot
	c.s.store.Snapshot(&snap)
	now := c.s.now()
	for i, d := range snap.Devices {
		if seen := snap.Seen[i]; !seen.IsZero() {
			ch <- prometheus.MustNewConstMetric(c.lastSeen, prometheus.GaugeValue, now.Sub(seen).Seconds(),
				d.Product.Type.String(), hexID(d.ID))
		}
	}
}

// newRegistry gathers emsd's own metrics.
func newRegistry(s *Server) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), newOwnCollector(s))
	for _, c := range s.settings.Collectors {
		reg.MustRegister(c)
	}
	return reg
}
