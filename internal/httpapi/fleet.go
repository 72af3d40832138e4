package httpapi

import (
	"net/http"
	"sync"

	"github.com/emsd/emsd/internal/devices"
	"github.com/emsd/emsd/internal/store"
)

// Fleet serves /metrics for several bridged gateways at once: every
// device and system family with a gateway label, the families grouped
// across gateways, and emsd's own metrics.
type Fleet struct {
	names   []string
	servers []*Server
	own     *Server // emsd's own metrics and request counting
	plans   plans

	mu      sync.Mutex
	layouts []uint64 // each gateway's store layout at the last scrape
	gen     uint64   // bumped when any of them changed
}

// NewFleet serves the named gateways' servers; own supplies emsd's own metrics.
func NewFleet(names []string, servers []*Server, own *Server) *Fleet {
	return &Fleet{names: names, servers: servers, own: own, layouts: make([]uint64, len(servers))}
}

// Handler answers /metrics.
func (f *Fleet) Handler() http.Handler {
	return f.own.counted(handlerMetrics, f.serveMetrics)
}

func (f *Fleet) serveMetrics(w http.ResponseWriter, r *http.Request) {
	merged := &store.Snapshot{}
	var gateways gatewayLabels
	var fams []sysFamily
	changed := false
	for i, s := range f.servers {
		snap := s.snapshot()
		defer s.snaps.Put(snap) // merged shares its states until the answer is rendered
		merged.Devices = append(merged.Devices, snap.Devices...)
		merged.States = append(merged.States, snap.States...)
		merged.Seen = append(merged.Seen, snap.Seen...)
		for range snap.Devices {
			gateways = append(gateways, f.names[i])
		}
		f.mu.Lock()
		if f.layouts[i] != snap.Layout {
			f.layouts[i], changed = snap.Layout, true
		}
		f.mu.Unlock()
		info := s.systemInfo(snap, false)
		defer systemInfos.Put(info)
		fams = info.families(fams, `gateway="`+string(appendLabelValue(nil, f.names[i]))+`"`)
	}
	f.mu.Lock()
	if changed || f.gen == 0 {
		f.gen++
	}
	merged.Layout = f.gen
	f.mu.Unlock()
	b := f.own.buffer()
	*b = f.plans.get(planKey{typ: devices.Unknown, deviceLabel: true}, merged, gateways).render(*b, merged)
	*b = appendFamilies(*b, fams)
	f.own.finishAll(w, r, b)
}
