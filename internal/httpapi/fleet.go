package httpapi

import (
	"bytes"
	"html/template"
	"net/http"
	"sync"

	"github.com/emsd/emsd/internal/devices"
	"github.com/emsd/emsd/internal/gateway"
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

// NewFleet serves the named gateways' servers; settings are those of
// emsd's own metrics, which have no bus of their own here (no emsd_bus_*:
// each gateway's bus is in its system families).
func NewFleet(names []string, servers []*Server, settings Settings) *Fleet {
	settings.noBus = true
	own := New(store.New(), func() gateway.Stats { return gateway.Stats{} }, settings)
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
	f.own.finishAll(w, r, b, &store.Snapshot{})
}

// Landing answers "/" for a fleet: every gateway with its devices and bus
// health, and the /probe links that scrape it.
func (f *Fleet) Landing() http.Handler {
	return f.own.counted(handlerOther, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		type gw struct {
			Name, Status string
			Devices      []string
			Types        []string
		}
		var page struct {
			Version  string
			Gateways []gw
		}
		page.Version = f.own.settings.Version
		for i, s := range f.servers {
			g := gw{Name: f.names[i], Status: "disconnected"}
			if b := s.bus(); b.Connected {
				g.Status = "connected"
			}
			seen := map[string]bool{}
			for _, sum := range s.store.Summaries(nil) {
				d := sum.Device
				g.Devices = append(g.Devices, d.Product.Type.String()+": "+d.Product.Name)
				if t := d.Product.Type.String(); exportable(d.Product.Type) && !seen[t] {
					seen[t] = true
					g.Types = append(g.Types, t)
				}
			}
			page.Gateways = append(page.Gateways, g)
		}
		var b bytes.Buffer
		if err := fleetTemplate().Execute(&b, page); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Security-Policy", landingPolicy)
		w.Header().Set("Content-Type", contentTypeHTML)
		w.Write(b.Bytes())
	})
}

var fleetTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("fleet").Parse(fleetHTML))
})

const fleetHTML = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>emsd: bridged EMS-ESP gateways</title>
<style>body{font-family:sans-serif;margin:2em;max-width:60em}td,th{padding:.3em .8em;text-align:left;vertical-align:top}</style>
</head><body>
<h1>emsd {{.Version}}: bridged EMS-ESP gateways</h1>
<p><a href="/metrics">/metrics</a> has every gateway's values with a <code>gateway</code> label.</p>
<table><tr><th>gateway</th><th>bus</th><th>devices</th><th>scrape</th></tr>
{{range .Gateways}}{{$g := .Name}}<tr><td>{{.Name}}</td><td>{{.Status}}</td><td>{{range .Devices}}{{.}}<br>{{end}}</td>
<td><a href="/probe?target={{.Name}}&amp;device=system">system</a>{{range .Types}} <a href="/probe?target={{$g}}&amp;device={{.}}">{{.}}</a>{{end}}</td></tr>
{{end}}</table></body></html>
`
