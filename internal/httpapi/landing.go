package httpapi

import (
	"bytes"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// The landing page at "/": what emsd found on the bus, how the bus is
// doing, and links to every endpoint. It is built from the same system
// information as /api/system, so it reads the same for a bus, a replay, the
// simulator and a bridged gateway. The template is compiled into the
// binary; the page loads nothing else.

const contentTypeHTML = "text/html; charset=utf-8"

// landingPolicy forbids everything but the page's own inline style sheet:
// no scripts, images, frames or requests to other places.
const landingPolicy = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

type landingDevice struct {
	Type, Name, Brand, Version, BusID string
	ProductID, Entities               int
}

type landingBus struct {
	Status, Protocol, Health                     string // Health is the badge's class: ok, warn or bad
	Received, Incomplete, Reads, ReadsFailed     int64
	RxQuality, TxQuality, Writes, WritesFailed   int64
	HasIncomplete, HasReadsFailed, HasTxProblems bool
}

type landingData struct {
	Version, APIVersion, Hostname, Uptime string
	Bus                                   landingBus
	Devices                               []landingDevice
	Types                                 []string // device types present, each once, in bus order
}

// landingTemplate is parsed at the first visit: a daemon only ever scraped
// never loads the template engine's pages into memory.
var landingTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("landing").Parse(landingHTML))
})

// serveLanding answers exactly "/"; every other unknown path stays a 404.
func (s *Server) serveLanding(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	default:
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method "+r.Method+" not allowed", http.StatusMethodNotAllowed)
		return
	}
	snap := s.snapshot()
	info := s.systemInfo(snap, false)
	defer systemInfos.Put(info)
	s.snaps.Put(snap) // info holds copies of everything the page shows
	var page bytes.Buffer
	if err := landingTemplate().Execute(&page, landingPage(info)); err != nil {
		http.Error(w, "rendering the page: "+err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", contentTypeHTML)
	h.Set("Content-Length", strconv.Itoa(page.Len()))
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", landingPolicy)
	h.Set("Referrer-Policy", "no-referrer")
	w.Write(page.Bytes())
}

// landingPage picks what the page shows out of the system information.
func landingPage(info *systemInfo) landingData {
	str := func(sec, key string) string {
		if f := info.field(sec, key); f != nil {
			return f.s
		}
		return ""
	}
	num := func(sec, key string) int64 {
		if f := info.field(sec, key); f != nil {
			return f.i
		}
		return 0
	}
	d := landingData{
		Version:    str("system", "emsdVersion"),
		APIVersion: str("system", "version"),
		Hostname:   str("network", "hostname"),
		Uptime:     str("system", "uptime"),
		Bus: landingBus{
			Status:       str("bus", "busStatus"),
			Protocol:     str("bus", "busProtocol"),
			Received:     num("bus", "busTelegramsReceived"),
			Incomplete:   num("bus", "busIncompleteTelegrams"),
			Reads:        num("bus", "busReads"),
			ReadsFailed:  num("bus", "busReadsFailed"),
			Writes:       num("bus", "busWrites"),
			WritesFailed: num("bus", "busWritesFailed"),
			RxQuality:    num("bus", "busRxLineQuality"),
			TxQuality:    num("bus", "busTxLineQuality"),
		},
	}
	b := &d.Bus
	b.HasIncomplete, b.HasReadsFailed = b.Incomplete > 0, b.ReadsFailed > 0
	b.HasTxProblems = b.ReadsFailed > 0 || b.WritesFailed > 0
	switch {
	case b.Status == "connected":
		b.Health = "ok"
	case strings.HasPrefix(b.Status, "connected"):
		b.Health = "warn" // connected, but with tx issues
	default:
		b.Health = "bad"
	}
	seen := map[string]bool{}
	for _, dev := range info.devices {
		d.Devices = append(d.Devices, landingDevice{Type: dev.typ, Name: dev.name, Brand: dev.brand,
			Version: dev.version, BusID: dev.id, ProductID: dev.productID, Entities: dev.entities})
		if !seen[dev.typ] {
			seen[dev.typ] = true
			d.Types = append(d.Types, dev.typ)
		}
	}
	return d
}

// field finds a key of a system section.
func (info *systemInfo) field(sec, key string) *field {
	for i := range info.sections {
		if info.sections[i].name != sec {
			continue
		}
		for j := range info.sections[i].fields {
			if f := &info.sections[i].fields[j]; f.key == key {
				return f
			}
		}
	}
	return nil
}

const landingHTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>emsd{{with .Hostname}} on {{.}}{{end}}</title>
<style>
:root{color-scheme:light dark;--fg:#1f2328;--muted:#656d76;--line:#d0d7de;--head:#f6f8fa;--link:#0969da}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#8d96a0;--line:#30363d;--head:#161b22;--link:#4493f8}}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);max-width:64rem;margin:1.5rem auto;padding:0 1rem}
h1{font-size:1.6rem;margin:0}
h2{font-size:1.15rem;margin:1.6rem 0 .5rem;border-bottom:1px solid var(--line);padding-bottom:.2rem}
.sub,.note{color:var(--muted)}
.sub{margin:.2rem 0 0}
a{color:var(--link)}
code,a.ep{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.9em}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.3rem .6rem;border-bottom:1px solid var(--line);vertical-align:top}
th{background:var(--head);font-weight:600;white-space:nowrap}
table+table{margin-top:1rem}
.num{text-align:right;font-variant-numeric:tabular-nums}
.tiles{display:flex;flex-wrap:wrap;gap:.6rem}
.tile{border:1px solid var(--line);border-radius:6px;padding:.4rem .8rem;min-width:8rem}
.tile .k{color:var(--muted);font-size:.8rem}
.tile .v{font-size:1.15rem;font-variant-numeric:tabular-nums}
.badge{display:inline-block;border-radius:1rem;padding:0 .6rem;font-weight:600}
.ok{background:#dafbe1;color:#116329}.warn{background:#fff8c5;color:#7d4e00}.bad{background:#ffebe9;color:#a40e26}
.v.warn{background:none;color:#bf8700}
</style>
</head>
<body>
<header>
<h1>emsd</h1>
<p class="sub">{{with .Version}}version {{.}} · {{end}}EMS-ESP API {{.APIVersion}}{{with .Hostname}} · {{.}}{{end}}{{with .Uptime}} · up {{.}}{{end}}</p>
</header>

<section id="bus">
<h2>Bus</h2>
{{with .Bus}}<div class="tiles">
<div class="tile"><div class="k">status</div><div class="v"><span class="badge {{.Health}}" id="bus-status">{{.Status}}</span></div></div>
<div class="tile"><div class="k">protocol</div><div class="v">{{.Protocol}}</div></div>
<div class="tile"><div class="k">telegrams received</div><div class="v">{{.Received}}</div></div>
<div class="tile"><div class="k">incomplete telegrams</div><div class="v{{if .HasIncomplete}} warn{{end}}">{{.Incomplete}}</div></div>
<div class="tile"><div class="k">reads / failed</div><div class="v{{if .HasReadsFailed}} warn{{end}}">{{.Reads}} / {{.ReadsFailed}}</div></div>
<div class="tile"><div class="k">writes / failed</div><div class="v{{if gt .WritesFailed 0}} warn{{end}}">{{.Writes}} / {{.WritesFailed}}</div></div>
<div class="tile"><div class="k">rx quality</div><div class="v{{if lt .RxQuality 100}} warn{{end}}">{{.RxQuality}} %</div></div>
<div class="tile"><div class="k">tx quality</div><div class="v{{if lt .TxQuality 100}} warn{{end}}">{{.TxQuality}} %</div></div>
</div>
{{if .HasIncomplete}}<p class="note">Many incomplete telegrams point at the wiring or the interface.</p>{{end}}
{{if .HasTxProblems}}<p class="note">Failed reads or writes point at the tx mode (<code>--ems.tx-mode</code>) or the bus ID (<code>--ems.bus-id</code>).</p>{{end}}
{{end}}</section>

<section id="devices">
<h2>Devices</h2>
{{if .Devices}}<table>
<thead><tr><th>type</th><th>name</th><th class="num">product ID</th><th>version</th><th>bus ID</th><th class="num">entities with values</th></tr></thead>
<tbody>
{{range .Devices}}<tr><td><a href="/api/{{.Type}}">{{.Type}}</a></td><td>{{.Name}}{{with .Brand}} <span class="note">({{.}})</span>{{end}}</td><td class="num">{{.ProductID}}</td><td>{{.Version}}</td><td><code>{{.BusID}}</code></td><td class="num">{{.Entities}}</td></tr>
{{end}}</tbody>
</table>
{{else}}<p class="note">No devices found yet. emsd lists a device once it has heard from it on the bus.</p>
{{end}}</section>

<section id="endpoints">
<h2>Endpoints</h2>
<table>
<thead><tr><th>endpoint</th><th>what it serves</th></tr></thead>
<tbody>
<tr><td><a class="ep" href="/metrics">/metrics</a></td><td>every device (with a <code>device</code> label), the system section and emsd's own metrics, for Prometheus</td></tr>
<tr><td><a class="ep" href="/prometheus/sd">/prometheus/sd</a></td><td>Prometheus HTTP service discovery: one target per device type, plus <code>system</code></td></tr>
<tr><td><a class="ep" href="/api/system">/api/system</a></td><td>system information (JSON)</td></tr>
<tr><td><a class="ep" href="/api/system/metrics">/api/system/metrics</a></td><td>bus, system and per-device metrics</td></tr>
</tbody>
</table>
{{if .Types}}<table>
<thead><tr><th>device type</th><th>values (JSON)</th><th>metrics</th><th>entities</th></tr></thead>
<tbody>
{{range .Types}}<tr><td>{{.}}</td><td><a class="ep" href="/api/{{.}}">/api/{{.}}</a></td><td><a class="ep" href="/api/{{.}}/metrics">/api/{{.}}/metrics</a></td><td><a class="ep" href="/api/{{.}}/entities">/api/{{.}}/entities</a></td></tr>
{{end}}</tbody>
</table>
{{end}}</section>
</body>
</html>
`
