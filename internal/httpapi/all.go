package httpapi

import (
	"net/http"

	"github.com/prometheus/common/expfmt"

	"github.com/emsd/emsd/internal/devices"
	"github.com/emsd/emsd/internal/store"
)

// serveAll answers /metrics: every device family with a device label, the
// system families, and emsd's own metrics, in one scrape.
func (s *Server) serveAll(w http.ResponseWriter, r *http.Request) {
	snap := s.snapshot()
	defer s.snaps.Put(snap)
	b := s.buffer()
	*b = s.plans.get(planKey{typ: devices.Unknown, deviceLabel: true}, snap, nil).render(*b, snap)
	info := s.systemInfo(snap, false)
	defer systemInfos.Put(info)
	*b = info.appendMetrics(*b, &s.sysNames)
	s.finishAll(w, r, b, snap)
}

// finishAll appends emsd's own metrics, with the freshness of snap's
// devices, and those of the command's collectors to a /metrics answer and
// sends it.
func (s *Server) finishAll(w http.ResponseWriter, r *http.Request, b *[]byte, snap *store.Snapshot) {
	om := wantsOpenMetrics(r)
	*b = s.appendOwn(*b, snap, om)
	if s.registry != nil {
		format := expfmt.NewFormat(expfmt.TypeTextPlain)
		if om {
			format = expfmt.NewFormat(expfmt.TypeOpenMetrics)
		}
		families, err := s.registry.Gather()
		if err != nil {
			s.bufs.Put(b)
			http.Error(w, "gathering emsd's own metrics: "+err.Error(), http.StatusInternalServerError)
			return
		}
		out := appender{b}
		enc := expfmt.NewEncoder(&out, format)
		for _, f := range families {
			if err := enc.Encode(f); err != nil {
				s.bufs.Put(b)
				http.Error(w, "encoding emsd's own metrics: "+err.Error(), http.StatusInternalServerError)
				return
			}
		}
	}
	s.writeMetrics(w, r, b)
}

// appender is an io.Writer onto a pooled buffer.
type appender struct{ b *[]byte }

func (a *appender) Write(p []byte) (int, error) {
	*a.b = append(*a.b, p...)
	return len(p), nil
}

// serveSD answers Prometheus HTTP service discovery: one target per present
// device type, plus system, with the device label the seed's relabelling
// turns into the metrics path.
func (s *Server) serveSD(w http.ResponseWriter, r *http.Request) {
	snap := s.snapshot()
	defer s.snaps.Put(snap)
	b := s.buffer()
	*b = append(*b, '[')
	*b = appendSDTarget(*b, r.Host, "system")
	seen := map[devices.Type]bool{}
	for _, d := range snap.Devices {
		t := d.Product.Type
		if seen[t] || !exportable(t) {
			continue
		}
		seen[t] = true
		*b = append(*b, ',')
		*b = appendSDTarget(*b, r.Host, t.String())
	}
	*b = append(*b, ']')
	s.write(w, "application/json", b)
}

func appendSDTarget(b []byte, host, device string) []byte {
	b = append(b, `{"targets":[`...)
	b = appendJSONString(b, host)
	b = append(b, `],"labels":{"device":`...)
	b = appendJSONString(b, device)
	return append(b, "}}"...)
}
