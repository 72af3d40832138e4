package httpapi

import (
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"

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

// appendOwn renders emsd's own families: HTTP requests, bus health and
// each device's freshness, then the Go runtime and the process.
func (s *Server) appendOwn(b []byte, snap *store.Snapshot, om bool) []byte {
	b = appendFamily(b, "emsd_http_requests_total", "HTTP requests answered, by handler and status code.", "counter", om)
	for h := range handlerNames {
		for code := range codeNames {
			if n := s.requests[h][code].Load(); n > 0 {
				b = append(b, `emsd_http_requests_total{code="`...)
				b = append(b, codeNames[code]...)
				b = append(b, `",handler="`...)
				b = append(b, handlerNames[h]...)
				b = append(b, `"} `...)
				b = appendOwnValue(b, float64(n))
			}
		}
	}
	if s.settings.noBus {
		return processStats().appendRuntime(b, om)
	}
	bus := s.bus()
	counter := func(name, help string, v uint64) {
		b = appendOwnFamily(b, name, help, true, float64(v), om)
	}
	counter("emsd_bus_telegrams_total", "Good telegrams received from the bus.", bus.TelegramsReceived)
	b = appendFamily(b, "emsd_bus_frame_errors_total", "Frames that were not good telegrams, by kind.", "counter", om)
	b = append(b, `emsd_bus_frame_errors_total{kind="crc"} `...)
	b = appendOwnValue(b, float64(bus.CRCErrors))
	b = append(b, `emsd_bus_frame_errors_total{kind="incomplete"} `...)
	b = appendOwnValue(b, float64(bus.IncompleteTelegrams-bus.CRCErrors))
	counter("emsd_bus_unknown_telegrams_total", "Good telegrams no known device understands.", bus.UnknownTelegrams)
	counter("emsd_bus_reads_total", "Read requests answered.", bus.Reads)
	counter("emsd_bus_reads_failed_total", "Read requests given up after retries.", bus.ReadsFailed)
	counter("emsd_bus_writes_total", "Writes acknowledged.", bus.Writes)
	counter("emsd_bus_writes_failed_total", "Writes rejected or given up after retries.", bus.WritesFailed)
	counter("emsd_bus_tx_retries_total", "Requests sent again after a missing or damaged echo or answer.", bus.TxRetries)
	counter("emsd_decode_faults_total", "Telegrams a decoder failed on: a bug, logged with the frame for a report.", bus.DecodeFaults)
	up := 0.0
	if bus.Connected {
		up = 1
	}
	b = appendGauge(b, "emsd_bus_up", "1 when the bus delivered telegrams or polls within the last 30 seconds.", up, om)
	b = appendFamily(b, "emsd_device_last_telegram_seconds", "Seconds since the device's last telegram.", "gauge", om)
	now := s.now()
	for i, d := range snap.Devices {
		if seen := snap.Seen[i]; !seen.IsZero() {
			b = append(b, `emsd_device_last_telegram_seconds{device="`...)
			b = append(b, d.Product.Type.String()...)
			b = append(b, `",deviceid="`...)
			b = append(b, hexID(d.ID)...)
			b = append(b, `"} `...)
			b = appendOwnValue(b, now.Sub(seen).Seconds())
		}
	}
	return processStats().appendRuntime(b, om)
}

// newRegistry gathers the metrics of collectors handed in by the command
// (the bridge's health); nil without any.
func newRegistry(s *Server) *prometheus.Registry {
	if len(s.settings.Collectors) == 0 {
		return nil
	}
	reg := prometheus.NewRegistry()
	for _, c := range s.settings.Collectors {
		reg.MustRegister(c)
	}
	return reg
}
