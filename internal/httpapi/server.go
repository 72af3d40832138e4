// Package httpapi serves EMS-ESP's REST API and the Prometheus endpoints
// from store snapshots. Handlers never touch the bus.
package httpapi

import (
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/emsd/emsd/internal/devices"
	"github.com/emsd/emsd/internal/gateway"
	"github.com/emsd/emsd/internal/store"
)

// Content types of the metrics endpoints.
const (
	contentTypeText        = "text/plain; version=0.0.4; charset=utf-8"
	contentTypeOpenMetrics = "application/openmetrics-text; version=1.0.0; charset=utf-8"
	contentTypeJSON        = "application/json; charset=utf-8"
	contentTypePlain       = "text/plain; charset=utf-8"
)

// Server answers the API. Create it with New.
type Server struct {
	store    *store.Store
	bus      func() gateway.Stats
	settings Settings
	start    time.Time
	now      func() time.Time
	hostname string
	plans    plans
	snaps    sync.Pool            // *store.Snapshot
	bufs     sync.Pool            // *[]byte
	registry *prometheus.Registry // the command's collectors; nil without any
	requests requestCounts
	handler  http.Handler
	host     hostFacts
	sysNames systemNames

	apiCalls, apiFails atomic.Uint64
}

// New returns a server reading st; bus reports the bus counters.
func New(st *store.Store, bus func() gateway.Stats, settings Settings) *Server {
	s := &Server{store: st, bus: bus, settings: settings, start: time.Now(), now: time.Now, hostname: hostname()}
	s.registry = newRegistry(s)
	s.handler = s.routes()
	return s
}

// Handler routes /api and everything below it, /metrics and the service
// discovery. /api paths are not cleaned or redirected: as in EMS-ESP, empty
// segments are simply dropped.
func (s *Server) Handler() http.Handler { return s.handler }

func (s *Server) routes() http.Handler {
	api, all, sd := s.counted(handlerAPI, s.serveAPI), s.counted(handlerMetrics, s.serveAll), s.counted(handlerSD, s.serveSD)
	other := s.counted(handlerOther, http.NotFound)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			s.counted(handlerOther, s.serveLanding)(w, r)
			return
		case "/metrics":
			all(w, r)
			return
		case "/prometheus/sd":
			sd(w, r)
			return
		}
		if p := strings.TrimLeft(r.URL.Path, "/"); p == "api" || strings.HasPrefix(p, "api/") {
			api(w, r)
			return
		}
		other(w, r)
	})
}

func (s *Server) snapshot() *store.Snapshot {
	snap := s.pooledSnapshot()
	s.store.Snapshot(snap)
	return snap
}

// snapshotOf holds only the values of devices of typ (see store.SnapshotOf).
func (s *Server) snapshotOf(typ devices.Type) *store.Snapshot {
	snap := s.pooledSnapshot()
	s.store.SnapshotOf(snap, typ)
	return snap
}

func (s *Server) pooledSnapshot() *store.Snapshot {
	if snap, _ := s.snaps.Get().(*store.Snapshot); snap != nil {
		return snap
	}
	return &store.Snapshot{}
}

func (s *Server) buffer() *[]byte {
	if b, _ := s.bufs.Get().(*[]byte); b != nil {
		*b = (*b)[:0]
		return b
	}
	b := make([]byte, 0, 16<<10)
	return &b
}

// contentTypes are the Content-Type header values, made once.
var contentTypes = map[string][]string{}

func init() {
	for _, t := range []string{contentTypeText, contentTypeOpenMetrics, contentTypeJSON, contentTypePlain, "application/json"} {
		contentTypes[t] = []string{t}
	}
}

// write sends a 200 answer and recycles the buffer.
func (s *Server) write(w http.ResponseWriter, contentType string, b *[]byte) {
	if v, ok := contentTypes[contentType]; ok {
		w.Header()["Content-Type"] = v
	} else {
		w.Header().Set("Content-Type", contentType)
	}
	w.Write(*b)
	s.bufs.Put(b)
}

// fail answers {"message": msg} with the status EMS-ESP uses; an empty
// message gives the bare {} of "no value".
func (s *Server) fail(w http.ResponseWriter, status int, msg string) {
	s.apiFails.Add(1)
	w.Header().Set("Content-Type", contentTypeJSON)
	w.WriteHeader(status)
	if msg == "" {
		w.Write([]byte("{}"))
		return
	}
	w.Write(appendJSONString([]byte(`{"message":`), msg))
	w.Write([]byte("}"))
}

// segments splits an /api path into lower-cased parts, dropping empty ones
// and the leading "api"; only the first four count, as in EMS-ESP. The
// parts go into buf, so that a request costs no allocation.
func segments(buf *[5]string, path string) []string {
	out := buf[:0]
	for path != "" && len(out) < len(buf) {
		var p string
		p, path, _ = strings.Cut(path, "/")
		if p != "" {
			out = append(out, toLower(p))
		}
	}
	if len(out) > 0 && out[0] == "api" {
		out = out[1:]
	}
	if len(out) > 4 {
		out = out[:4]
	}
	return out
}

// toLower is strings.ToLower without an allocation for text already lower.
func toLower(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	s.apiCalls.Add(1)
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodPost:
		s.fail(w, http.StatusUnauthorized, "authentication failed")
		return
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		s.fail(w, http.StatusMethodNotAllowed, "method "+r.Method+" not allowed")
		return
	}
	var buf [5]string
	segs := segments(&buf, r.URL.Path)
	if len(segs) == 0 {
		s.fail(w, http.StatusBadRequest, "missing command in path")
		return
	}
	if segs[0] == "system" {
		s.serveSystem(w, r, segs[1:])
		return
	}
	typ, ok := devices.TypeByName(segs[0])
	snap := s.snapshotOf(typ)
	defer s.snaps.Put(snap)
	if !ok || !hasType(snap, typ) {
		s.fail(w, http.StatusNotFound, "unknown device "+segs[0])
		return
	}
	s.serveDevice(w, r, snap, typ, segs[1:])
}

func hasType(snap *store.Snapshot, typ devices.Type) bool {
	for _, d := range snap.Devices {
		if d.Product.Type == typ {
			return true
		}
	}
	return false
}

// wantsOpenMetrics reports whether the scraper prefers OpenMetrics.
func wantsOpenMetrics(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/openmetrics-text")
}

// serveMetrics renders a plan; an endpoint with no sample at all is a 404.
func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request, snap *store.Snapshot, key planKey, device string) {
	b := s.buffer()
	*b = s.plans.get(key, snap, nil).render(*b, snap)
	if len(*b) == 0 {
		s.bufs.Put(b)
		s.fail(w, http.StatusNotFound, "no 'metrics' in "+device)
		return
	}
	s.writeMetrics(w, r, b)
}

func (s *Server) writeMetrics(w http.ResponseWriter, r *http.Request, b *[]byte) {
	if wantsOpenMetrics(r) {
		*b = append(*b, "# EOF\n"...)
		s.write(w, contentTypeOpenMetrics, b)
		return
	}
	s.write(w, contentTypeText, b)
}

func (s *Server) serveSystem(w http.ResponseWriter, r *http.Request, segs []string) {
	var snap *store.Snapshot // only the JSON's handler lists need the values
	if len(segs) == 0 || segs[0] == "values" || segs[0] == "info" {
		snap = s.snapshot()
		defer s.snaps.Put(snap)
	}
	info := s.systemInfo(snap, snap != nil)
	defer systemInfos.Put(info)
	cmd := "values"
	if len(segs) > 0 {
		cmd = segs[0]
	}
	b := s.buffer()
	switch cmd {
	case "values", "info":
		*b = info.appendJSON(*b)
		s.write(w, contentTypeJSON, b)
		return
	case "metrics":
		*b = info.appendMetrics(*b, &s.sysNames)
		s.writeMetrics(w, r, b)
		return
	case "entities":
		*b = append(*b, '{')
		first := true
		for _, sec := range info.sections {
			for _, f := range sec.fields {
				if !first {
					*b = append(*b, ',')
				}
				first = false
				*b = appendJSONString(*b, sec.name+"."+f.key)
				*b = append(*b, ':')
				*b = appendSystemEntity(*b, &sec, &f)
			}
		}
		*b = append(*b, '}')
		s.write(w, contentTypeJSON, b)
		return
	case "commands":
		*b = append(*b, `{"info":"list all values (verbose)","values":"list all values","commands":"list all commands","entities":"list all entities","metrics":"Prometheus metrics"}`...)
		s.write(w, contentTypeJSON, b)
		return
	}
	s.bufs.Put(b)
	for i := range info.sections {
		sec := &info.sections[i]
		if sec.name != cmd {
			continue
		}
		if len(segs) == 1 || segs[1] == "values" || segs[1] == "info" {
			out := s.buffer()
			*out = sec.appendJSON(*out, true)
			s.write(w, contentTypeJSON, out)
			return
		}
		for j := range sec.fields {
			f := &sec.fields[j]
			if !strings.EqualFold(f.key, segs[1]) {
				continue
			}
			pairs := systemEntityPairs(sec, f)
			if len(segs) == 2 {
				out := s.buffer()
				*out = appendPairs(*out, pairs)
				s.write(w, contentTypeJSON, out)
				return
			}
			s.serveAttribute(w, pairs, segs[2], f.key)
			return
		}
		s.fail(w, http.StatusNotFound, "no '"+segs[1]+"' in system")
		return
	}
	s.fail(w, http.StatusNotFound, "no '"+cmd+"' in system")
}

func systemEntityPairs(sec *section, f *field) []pair {
	val := f.appendJSON(nil, false)
	return []pair{
		{"name", appendJSONString(nil, f.key)},
		{"circuit", appendJSONString(nil, sec.name)},
		{"readable", []byte("true")},
		{"writeable", []byte("false")},
		{"visible", []byte("true")},
		{"value", val},
		{"type", appendJSONString(nil, f.typeName())},
	}
}

func appendSystemEntity(b []byte, sec *section, f *field) []byte {
	return appendPairs(b, systemEntityPairs(sec, f))
}
