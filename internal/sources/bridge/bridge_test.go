package bridge

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/emsd/emsd/internal/httpapi"
	"github.com/emsd/emsd/internal/reference"
	"github.com/emsd/emsd/internal/testutil"
)

// fakeGateway answers like EMS-ESP 3.8 with the recorded samples; fault
// can replace any answer.
type fakeGateway struct {
	dir      string
	requests atomic.Int64
	fault    atomic.Pointer[func(w http.ResponseWriter, r *http.Request) bool]
}

func newFakeGateway(t testing.TB) (*fakeGateway, *httptest.Server) {
	f := &fakeGateway{dir: filepath.Join(reference.Dir(t), "emsesp-samples")}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeGateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	if fault := f.fault.Load(); fault != nil && (*fault)(w, r) {
		return
	}
	files := map[string]string{
		"/api/system/info":         "sample_system_info.json",
		"/api/boiler/entities":     "sample_boiler_entities.json",
		"/api/thermostat/entities": "sample_thermostat_entities.json",
		"/api/boiler":              "sample_boiler_values.json",
		"/api/thermostat":          "sample_thermostat_values.json",
	}
	name, ok := files[r.URL.Path]
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"message":"unknown device"}`))
		return
	}
	b, err := os.ReadFile(filepath.Join(f.dir, name))
	if err != nil {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}

func (f *fakeGateway) setFault(fn func(w http.ResponseWriter, r *http.Request) bool) {
	if fn == nil {
		f.fault.Store(nil)
		return
	}
	f.fault.Store(&fn)
}

func scrape(t *testing.T, g *Gateway, path string) (int, []byte) {
	t.Helper()
	h := httpapi.New(g.Store, g.BusStats, httpapi.Settings{}).Handler()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
	return w.Code, w.Body.Bytes()
}

func series(fams map[string]*dto.MetricFamily) map[string]float64 {
	out := map[string]float64{}
	for name, f := range fams {
		for _, m := range f.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			sort.Strings(labels)
			out[name+"{"+strings.Join(labels, ",")+"} "+f.GetHelp()] = m.GetGauge().GetValue()
		}
	}
	return out
}

// The bridged endpoints carry EMS-ESP's own names, circuits, HELP and values.
func TestBridgeMatchesEMSESP(t *testing.T) {
	fake, srv := newFakeGateway(t)
	g := New(Target{Name: "home", URL: srv.URL}, Options{})
	if err := g.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, device := range []string{"boiler", "thermostat"} {
		want, err := os.ReadFile(filepath.Join(fake.dir, "sample_"+device+"_metrics.txt"))
		if err != nil {
			t.Fatal(err)
		}
		code, got := scrape(t, g, "/api/"+device+"/metrics")
		if code != 200 {
			t.Fatalf("%s: %d %s", device, code, got)
		}
		ws, gs := series(testutil.ParseMetrics(t, want)), series(testutil.ParseMetrics(t, got))
		for k, v := range ws {
			if g, ok := gs[k]; !ok || math.Abs(g-v) > 0.005 {
				t.Errorf("%s: %s = %v (present %v), want %v", device, k, g, ok, v)
			}
		}
		for k := range gs {
			if _, ok := ws[k]; !ok {
				t.Errorf("%s: extra %s", device, k)
			}
		}
	}
	if h := g.Health(); !h.Up || h.Requests != 3 {
		t.Errorf("health %+v: want up after 3 requests (system, boiler, thermostat)", h)
	}
	_, sys := scrape(t, g, "/api/system/metrics")
	if !bytes.Contains(sys, []byte("emsesp_bus_bustelegramsreceived 7\n")) {
		t.Errorf("the gateway's bus section is not emsd's:\n%s", sys)
	}
}

// Firmware before 3.7 has no /entities: values come from /api/<device>,
// described by emsd's library.
func TestBridgeOldFirmware(t *testing.T) {
	fake, srv := newFakeGateway(t)
	fake.setFault(func(w http.ResponseWriter, r *http.Request) bool {
		if strings.HasSuffix(r.URL.Path, "/entities") {
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"message":"no 'entities' in boiler"}`))
			return true
		}
		return false
	})
	g := New(Target{Name: "old", URL: srv.URL}, Options{})
	if err := g.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, got := scrape(t, g, "/api/boiler/metrics")
	gs := series(testutil.ParseMetrics(t, got))
	for _, k := range []string{
		`emsesp_curflowtemp{} current flow temperature, °C, readable, visible`,
		`emsesp_comfort{circuit=dhw} comfort, enum, (0: hot; 1: eco; 2: intelligent), readable, writeable, visible`,
	} {
		if _, ok := gs[k]; !ok {
			t.Errorf("missing %s", k)
		}
	}
	if gs[`emsesp_curflowtemp{} current flow temperature, °C, readable, visible`] != 60.2 {
		t.Error("curflowtemp is not 60.2")
	}
}

// Faults: each gives an error and a health mark, never a crash; values are
// withdrawn once stale.
func TestBridgeFaults(t *testing.T) {
	fake, srv := newFakeGateway(t)
	g := New(Target{Name: "flaky", URL: srv.URL}, Options{Timeout: 200 * time.Millisecond, StaleAfter: time.Minute})
	now := time.Now()
	g.now = func() time.Time { return now }
	if err := g.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	faults := map[string]func(w http.ResponseWriter, r *http.Request) bool{
		"html": func(w http.ResponseWriter, r *http.Request) bool {
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte("<html><body>EMS-ESP</body></html>"))
			return true
		},
		"truncated": func(w http.ResponseWriter, r *http.Request) bool {
			w.Write([]byte(`{"system":{"version":"3.8`))
			return true
		},
		"unauthorized": func(w http.ResponseWriter, r *http.Request) bool {
			w.WriteHeader(http.StatusUnauthorized)
			return true
		},
		"slow": func(w http.ResponseWriter, r *http.Request) bool {
			time.Sleep(time.Second)
			return false
		},
		"wrong types": func(w http.ResponseWriter, r *http.Request) bool {
			if r.URL.Path != "/api/boiler/entities" {
				return false
			}
			w.Write([]byte(`{"curflowtemp":{"name":"curflowtemp","value":"hot"},"dhw.comfort":{"value":12},"heatingactive":[1,2]}`))
			return true
		},
	}
	for name, fault := range faults {
		fake.setFault(fault)
		err := g.Refresh(context.Background())
		if name == "wrong types" {
			if err != nil {
				t.Errorf("%s: %v", name, err)
			}
			_, b := scrape(t, g, "/api/boiler/metrics")
			if bytes.Contains(b, []byte("emsesp_curflowtemp ")) {
				t.Errorf("a text flow temperature was exported")
			}
			continue
		}
		if err == nil || g.Health().Up {
			t.Errorf("%s: no error (%v) or still up", name, err)
		}
		t.Logf("%s: %v", name, err)
	}
	if h := g.Health(); h.Failures != 4 || !strings.Contains(h.LastError, "") {
		t.Errorf("health %+v", h)
	}
	// Still fresh: the last good values stand.
	if code, _ := scrape(t, g, "/api/thermostat/metrics"); code != 200 {
		t.Errorf("values withdrawn too early: %d", code)
	}
	now = now.Add(2 * time.Minute)
	fake.setFault(faults["unauthorized"])
	g.Refresh(context.Background())
	if code, b := scrape(t, g, "/api/thermostat/metrics"); code != 404 {
		t.Errorf("stale values still exported: %d %s", code, b)
	}
	if h := g.Health(); !h.Stale {
		t.Errorf("not marked stale: %+v", h)
	}
	// Back: values return.
	fake.setFault(nil)
	if err := g.Refresh(context.Background()); err != nil || !g.Health().Up {
		t.Fatal(err)
	}
	if code, _ := scrape(t, g, "/api/thermostat/metrics"); code != 200 {
		t.Error("values did not come back")
	}
}

// A token is sent as a bearer token.
func TestBridgeToken(t *testing.T) {
	fake, srv := newFakeGateway(t)
	fake.setFault(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Header.Get("Authorization") != "Bearer abc" {
			w.WriteHeader(http.StatusUnauthorized)
			return true
		}
		return false
	})
	g := New(Target{Name: "home", URL: srv.URL, Token: "abc"}, Options{})
	if err := g.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	g2 := New(Target{Name: "home", URL: srv.URL}, Options{})
	if err := g2.Refresh(context.Background()); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("no token: %v", err)
	}
}

func TestParseTarget(t *testing.T) {
	for in, want := range map[string]Target{
		"home=http://ems-esp.local": {Name: "home", URL: "http://ems-esp.local"},
		"http://10.1.2.3:8080/":     {Name: "10.1.2.3:8080", URL: "http://10.1.2.3:8080"},
		"a=https://x.example/base/": {Name: "a", URL: "https://x.example/base"},
	} {
		got, err := ParseTarget(in)
		if err != nil || got != want {
			t.Errorf("ParseTarget(%q) = %+v, %v", in, got, err)
		}
	}
	if _, err := ParseTarget("ems-esp.local"); err == nil {
		t.Error("a target without a scheme was accepted")
	}
}

// A fleet's /metrics: every gateway's device and system families, each
// sample with its gateway, families grouped across gateways.
func TestFleetMetrics(t *testing.T) {
	_, a := newFakeGateway(t)
	_, b := newFakeGateway(t)
	var names []string
	var servers []*httpapi.Server
	var gws []*Gateway
	for _, tg := range []Target{{Name: "a", URL: a.URL}, {Name: "b", URL: b.URL}} {
		g := New(tg, Options{})
		if err := g.Refresh(context.Background()); err != nil {
			t.Fatal(err)
		}
		gws = append(gws, g)
		names = append(names, g.Name)
		servers = append(servers, httpapi.New(g.Store, g.BusStats, httpapi.Settings{}))
	}
	settings := httpapi.Settings{Collectors: []prometheus.Collector{NewCollector(gws)}}
	h := httpapi.NewFleet(names, servers, settings).Handler()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	got := series(testutil.ParseMetrics(t, w.Body.Bytes()))
	for _, k := range []string{
		`emsesp_curflowtemp{device=boiler,gateway=a} current flow temperature, °C, readable, visible`,
		`emsesp_curflowtemp{device=boiler,gateway=b} current flow temperature, °C, readable, visible`,
		`emsesp_seltemp{circuit=hc1,device=thermostat,gateway=b} selected temperature, °C, readable, writeable, visible`,
		`emsesp_bus_bustelegramsreceived{gateway=a} busTelegramsReceived`,
		`emsd_bridge_up{gateway=b} 1 when the last refresh of the gateway succeeded.`,
	} {
		if _, ok := got[k]; !ok {
			t.Errorf("missing %s", k)
		}
	}
	if strings.Count(w.Body.String(), "# HELP emsesp_curflowtemp ") != 1 {
		t.Error("emsesp_curflowtemp is not one family")
	}
	// emsd bridging has no bus of its own: an emsd_bus_up of 0 would raise EmsdBusDown.
	if strings.Contains(w.Body.String(), "emsd_bus_") {
		t.Error("a fleet's /metrics has emsd_bus_* families")
	}
	w = httptest.NewRecorder()
	httpapi.NewFleet(names, servers, settings).Landing().ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	for _, want := range []string{`/probe?target=a&amp;device=boiler`, `/probe?target=b&amp;device=thermostat`, "connected"} {
		if w.Code != 200 || !strings.Contains(w.Body.String(), want) {
			t.Errorf("fleet page %d lacks %q:\n%s", w.Code, want, w.Body.String())
		}
	}
}

// A device that leaves the gateway's list stops being exported; one that
// comes back is exported again.
func TestBridgeDeviceListChanges(t *testing.T) {
	fake, srv := newFakeGateway(t)
	g := New(Target{Name: "home", URL: srv.URL}, Options{})
	if err := g.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	info, err := os.ReadFile(filepath.Join(fake.dir, "sample_system_info.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(info, &doc); err != nil {
		t.Fatal(err)
	}
	doc["devices"] = doc["devices"].([]any)[:1] // the thermostat is gone
	onlyBoiler, _ := json.Marshal(doc)
	fake.setFault(func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == "/api/system/info" {
			w.Write(onlyBoiler)
			return true
		}
		return false
	})
	if err := g.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if code, _ := scrape(t, g, "/api/thermostat/metrics"); code != 404 {
		t.Errorf("a thermostat the gateway no longer lists is still exported: %d", code)
	}
	if code, _ := scrape(t, g, "/api/boiler/metrics"); code != 200 {
		t.Errorf("boiler: %d", code)
	}
	fake.setFault(nil)
	g.Refresh(context.Background())
	if code, _ := scrape(t, g, "/api/thermostat/metrics"); code != 200 {
		t.Errorf("the thermostat came back but is not exported: %d", code)
	}
}
