package httpapi_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emsd/emsd/internal/reference"
	"github.com/emsd/emsd/internal/telegram"
	"github.com/emsd/emsd/internal/testutil"
)

// perfInstallation is a boiler, an RC310 with three circuits and an RC200
// room unit for hc1: two thermostats that both report hc1.
func perfInstallation(t *testing.T) string {
	gw, srv := newGateway(t)
	feedHexFile(t, gw, filepath.Join(reference.Dir(t), "perf-installation.txt"))
	return srv.URL
}

// families checks the exposition's grouping rule and returns, per family,
// its HELP text and sample lines.
func families(t *testing.T, text string) (map[string]string, map[string][]string) {
	t.Helper()
	help := map[string]string{}
	samples := map[string][]string{}
	closed := map[string]bool{}
	current := ""
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "# HELP "):
			name, h, _ := strings.Cut(line[len("# HELP "):], " ")
			if _, dup := help[name]; dup {
				t.Errorf("second HELP for %s", name)
			}
			if current != "" {
				closed[current] = true
			}
			help[name], current = h, name
		case strings.HasPrefix(line, "# TYPE "):
			if f := strings.Fields(line); len(f) != 4 || f[2] != current || f[3] != "gauge" {
				t.Errorf("bad TYPE line %q", line)
			}
		case strings.HasPrefix(line, "#"):
		default:
			name := line[:strings.IndexAny(line, "{ ")]
			if name != current || closed[name] {
				t.Errorf("sample %q outside its family", line)
			}
			samples[name] = append(samples[name], line)
		}
	}
	return help, samples
}

func TestMetricsTwoThermostats(t *testing.T) {
	base := perfInstallation(t)
	code, _, body := get(t, base+"/api/thermostat/metrics")
	if code != 200 {
		t.Fatalf("status %d: %s", code, body)
	}
	testutil.ParseMetrics(t, body) // valid exposition
	help, samples := families(t, string(body))
	seltemp := samples["emsesp_seltemp"]
	want := []string{
		`emsesp_seltemp{circuit="hc1",deviceid="0x10"} 17`,
		`emsesp_seltemp{circuit="hc1",deviceid="0x18"} 23`,
	}
	for _, w := range want {
		if !contains(seltemp, w) {
			t.Errorf("missing %q in %q", w, seltemp)
		}
	}
	for _, s := range seltemp {
		if strings.Contains(s, `circuit="hc2"`) && strings.Contains(s, "deviceid") {
			t.Errorf("hc2 exists on one device only and needs no deviceid: %q", s)
		}
	}
	// One family, one HELP: hc "mode" and dhw "mode" share a name.
	if h := help["emsesp_mode"]; !strings.HasPrefix(h, "operating mode, enum, (0: manual; 1: auto)") {
		t.Errorf("emsesp_mode HELP %q, want the first registered (hc) one", h)
	}
	// Deterministic: the same state renders the same bytes.
	if _, _, again := get(t, base+"/api/thermostat/metrics"); !bytes.Equal(again, body) {
		t.Error("two scrapes of the same state differ")
	}
	// One circuit only.
	_, _, hc2 := get(t, base+"/api/thermostat/hc2/metrics")
	for _, line := range strings.Split(strings.TrimSpace(string(hc2)), "\n") {
		if !strings.HasPrefix(line, "#") && !strings.Contains(line, `circuit="hc2"`) {
			t.Errorf("hc2 metrics holds %q", line)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestOpenMetricsNegotiation(t *testing.T) {
	base := perfInstallation(t)
	req, _ := http.NewRequest("GET", base+"/api/boiler/metrics", nil)
	req.Header.Set("Accept", "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/openmetrics-text; version=1.0.0") {
		t.Errorf("content type %q", ct)
	}
	if !strings.HasSuffix(buf.String(), "\n# EOF\n") {
		t.Error("OpenMetrics output does not end with # EOF")
	}
}

// Errors are JSON with EMS-ESP's codes; nothing answers 500 or panics.
func TestAPIErrors(t *testing.T) {
	base := perfInstallation(t)
	for _, tc := range []struct {
		method, path string
		code         int
		body         string
	}{
		{"GET", "/api", 400, `{"message":"missing command in path"}`},
		{"GET", "/api/boiler2", 404, `{"message":"unknown device boiler2"}`},
		{"GET", "/api/mixer", 404, `{"message":"unknown device mixer"}`},
		{"GET", "/api/controller", 404, `{"message":"unknown device controller"}`},
		{"GET", "/api/boiler/nosuch", 404, `{"message":"no 'nosuch' in boiler"}`},
		{"GET", "/api/thermostat/hc1", 404, `{"message":"no 'hc1' in thermostat"}`},
		{"GET", "/api/thermostat/hc7/metrics", 404, `{"message":"no 'metrics' in thermostat"}`},
		{"GET", "/api/boiler/outdoortemp/value", 200, "-2.2"},
		{"GET", "/api/boiler/heatblock/value", 404, `{}`},
		{"GET", "/api/boiler/comfort/valu", 400, `{"message":"no attribute 'valu' in comfort"}`},
		{"GET", "/api/system/settings2", 404, `{"message":"no 'settings2' in system"}`},
		{"GET", "/api/system/bus/nosuch", 404, `{"message":"no 'nosuch' in system"}`},
		{"POST", "/api/boiler/selflowtemp", 401, `{"message":"authentication failed"}`},
		{"DELETE", "/api/boiler", 405, `{"message":"method DELETE not allowed"}`},
		{"GET", "/api/boiler/comfort/fullname", 200, "dhw comfort"},
		{"GET", "//api//Boiler/DHW.Comfort/value/", 200, "hot"},
		{"GET", "/api/boiler/dhw.chargetype/writeable", 200, "false"},
		{"GET", "/api/boiler/comfort/enum", 200, `["hot","eco","intelligent"]`},
		{"GET", "/api/thermostat/hc2/seltemp/value", 200, "21.0"},
		{"GET", "/api/thermostat/HC2.seltemp/value", 200, "21.0"},
		{"GET", "/api/system/bus/busProtocol/value", 200, "Buderus"},
		{"GET", "/api/boiler/metrics/x/y/z", 404, `{"message":"no 'metrics/x/y' in boiler"}`},
		{"GET", "/api/boiler/values/x", 404, `{"message":"no 'values/x' in boiler"}`},
		{"GET", "/nosuch", 404, ""},
	} {
		req, _ := http.NewRequest(tc.method, base+tc.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		buf.ReadFrom(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.code || tc.body != "" && buf.String() != tc.body {
			t.Errorf("%s %s = %d %s, want %d %s", tc.method, tc.path, resp.StatusCode, buf.String(), tc.code, tc.body)
		}
	}
}

// Every request counts once in APICalls, failures in APIFails.
func TestAPICalls(t *testing.T) {
	base := perfInstallation(t)
	get(t, base+"/api/boiler")
	get(t, base+"/api/boiler/metrics")
	get(t, base+"/api/boiler/nosuch")
	_, _, body := get(t, base+"/api/system/api")
	var api map[string]string
	if err := json.Unmarshal(body, &api); err != nil {
		t.Fatal(err)
	}
	if api["APICalls"] != "4" || api["APIFails"] != "1" {
		t.Errorf("api section %v, want 4 calls (this one included) and 1 fail", api)
	}
}

func TestSystemMetrics(t *testing.T) {
	base := perfInstallation(t)
	_, ctype, body := get(t, base+"/api/system/metrics")
	if !strings.HasPrefix(ctype, "text/plain; version=0.0.4") {
		t.Errorf("content type %q", ctype)
	}
	fams := testutil.ParseMetrics(t, body)
	help, samples := families(t, string(body))
	for name, h := range map[string]string{
		"emsesp_bus_bustelegramsreceived": "busTelegramsReceived",
		"emsesp_api_apicalls":             "APICalls",
		"emsesp_system_uptimesec":         "uptimeSec",
		"emsesp_bus_info":                 "info",
		"emsesp_device_productid":         "productID",
	} {
		if help[name] != h {
			t.Errorf("%s HELP %q, want %q", name, help[name], h)
		}
	}
	if got := fams["emsesp_bus_bustelegramsreceived"].GetMetric()[0].GetGauge().GetValue(); got < 30 {
		t.Errorf("busTelegramsReceived %v", got)
	}
	if len(samples["emsesp_device_productid"]) != 3 || len(samples["emsesp_device_entities"]) != 3 {
		t.Errorf("device series: %v", samples["emsesp_device_productid"])
	}
	if !contains(samples["emsesp_bus_info"], `emsesp_bus_info{busstatus="connected",busprotocol="Buderus"} 1`) {
		t.Errorf("bus info %v", samples["emsesp_bus_info"])
	}
}

// /metrics: every device family with a device label, the system families
// and emsd's own, in one valid exposition.
func TestMetricsEverything(t *testing.T) {
	base := perfInstallation(t)
	code, ctype, body := get(t, base+"/metrics")
	if code != 200 || !strings.HasPrefix(ctype, "text/plain; version=0.0.4") {
		t.Fatalf("%d %q", code, ctype)
	}
	fams := testutil.ParseMetrics(t, body)
	_, samples := families(t, strings.Split(string(body), "\n# HELP emsd_")[0]) // the devices and system; client_golang gathers the rest
	for _, want := range []string{
		`emsesp_seltemp{device="boiler",circuit="dhw"} 52`,
		`emsesp_seltemp{device="thermostat",circuit="hc1",deviceid="0x10"} 17`,
		`emsesp_curflowtemp{device="boiler"} 60.2`,
	} {
		name := want[:strings.IndexByte(want, '{')]
		if !contains(samples[name], want) {
			t.Errorf("missing %s in %v", want, samples[name])
		}
	}
	for _, name := range []string{"emsesp_bus_bustelegramsreceived", "emsesp_device_productid", "go_goroutines",
		"process_resident_memory_bytes", "emsd_bus_telegrams_total", "emsd_device_last_telegram_seconds"} {
		if fams[name] == nil {
			t.Errorf("no %s", name)
		}
	}
	get(t, base+"/api/boiler")
	_, _, body = get(t, base+"/metrics")
	if !strings.Contains(string(body), `emsd_http_requests_total{code="200",handler="api"} 1`) {
		t.Error("the API request is not counted")
	}
}

func TestServiceDiscovery(t *testing.T) {
	base := perfInstallation(t)
	_, ctype, body := get(t, base+"/prometheus/sd")
	var groups []struct {
		Targets []string          `json:"targets"`
		Labels  map[string]string `json:"labels"`
	}
	if err := json.Unmarshal(body, &groups); err != nil || ctype != "application/json" {
		t.Fatalf("%v %q: %s", err, ctype, body)
	}
	var devices []string
	host := strings.TrimPrefix(base, "http://")
	for _, g := range groups {
		if len(g.Targets) != 1 || g.Targets[0] != host {
			t.Errorf("targets %v, want [%s]", g.Targets, host)
		}
		devices = append(devices, g.Labels["device"])
	}
	if strings.Join(devices, ",") != "system,boiler,thermostat" {
		t.Errorf("devices %v", devices)
	}
}

// A value decoded from a telegram is in the very next scrape: rendering
// reads the store, nothing polls or caches values in between.
func TestNextScrapeSeesTelegram(t *testing.T) {
	gw, srv := newGateway(t)
	gw.Frame(append([]byte{0x08, 0x0B, 0x02, 0x00, 0x7B, 0x01, 0x00}, telegram.CRC([]byte{0x08, 0x0B, 0x02, 0x00, 0x7B, 0x01, 0x00})))
	for _, flow := range []uint16{452, 453, 601} {
		f := []byte{0x08, 0x00, 0x18, 0x00, 0x00, byte(flow >> 8), byte(flow)}
		gw.Frame(append(f, telegram.CRC(f)))
		_, _, body := get(t, srv.URL+"/api/boiler/metrics")
		want := fmt.Sprintf("emsesp_curflowtemp %g\n", float64(flow)/10)
		if !strings.Contains(string(body), want) {
			t.Fatalf("scrape after the telegram lacks %q", want)
		}
	}
}
