package httpapi_test

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"

	"github.com/emsd/emsd/internal/gateway"
	"github.com/emsd/emsd/internal/httpapi"
	"github.com/emsd/emsd/internal/reference"
	"github.com/emsd/emsd/internal/store"
	"github.com/emsd/emsd/internal/telegram"
	"github.com/emsd/emsd/internal/testutil"
)

// newGateway returns a gateway with an API server in front of it.
func newGateway(t testing.TB) (*gateway.Gateway, *httptest.Server) {
	st := store.New()
	gw := gateway.New(gateway.Options{}, st)
	api := httpapi.New(st, gw.Stats, httpapi.Settings{Version: "test", BusID: telegram.DefaultBusID})
	srv := httptest.NewServer(api.Handler())
	t.Cleanup(srv.Close)
	return gw, srv
}

// feedHexFile sends every telegram of a file of hex lines without CRC
// ("#" starts a comment) through the gateway.
func feedHexFile(t testing.TB, gw *gateway.Gateway, path string) int {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		line = strings.ReplaceAll(strings.TrimSpace(line), " ", "")
		if line == "" {
			continue
		}
		b, err := hex.DecodeString(line)
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		gw.Frame(append(b, telegram.CRC(b)))
		n++
	}
	return n
}

func get(t testing.TB, url string) (int, string, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), body
}

func labelString(m *dto.Metric) string {
	var parts []string
	for _, l := range m.GetLabel() {
		parts = append(parts, l.GetName()+"="+l.GetValue())
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

// TestSamplesMatchEMSESP feeds the telegrams behind EMS-ESP's recorded
// answers and compares emsd's answers with them.
func TestSamplesMatchEMSESP(t *testing.T) {
	dir := filepath.Join(reference.Dir(t), "emsesp-samples")
	gw, srv := newGateway(t)
	if n := feedHexFile(t, gw, filepath.Join(dir, "telegrams.txt")); n != 7 {
		t.Fatalf("fed %d telegrams, want 7", n)
	}

	for _, device := range []string{"boiler", "thermostat"} {
		t.Run(device+"/metrics", func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join(dir, "sample_"+device+"_metrics.txt"))
			if err != nil {
				t.Fatal(err)
			}
			code, ctype, got := get(t, srv.URL+"/api/"+device+"/metrics")
			if code != 200 || !strings.HasPrefix(ctype, "text/plain; version=0.0.4") {
				t.Fatalf("status %d, content type %q", code, ctype)
			}
			compareMetrics(t, testutil.ParseMetrics(t, want), testutil.ParseMetrics(t, got))
		})
		t.Run(device+"/values", func(t *testing.T) {
			compareJSON(t, filepath.Join(dir, "sample_"+device+"_values.json"), srv.URL+"/api/"+device)
		})
		t.Run(device+"/info", func(t *testing.T) {
			compareJSON(t, filepath.Join(dir, "sample_"+device+"_info.json"), srv.URL+"/api/"+device+"/info")
		})
		t.Run(device+"/entities", func(t *testing.T) {
			compareJSON(t, filepath.Join(dir, "sample_"+device+"_entities.json"), srv.URL+"/api/"+device+"/entities")
		})
	}
	t.Run("system/devices", func(t *testing.T) {
		var want, got struct {
			Devices []map[string]any `json:"devices"`
			System  map[string]any   `json:"system"`
		}
		raw, err := os.ReadFile(filepath.Join(dir, "sample_system_info.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, &want); err != nil {
			t.Fatal(err)
		}
		_, _, body := get(t, srv.URL+"/api/system")
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatalf("%v\n%s", err, body)
		}
		if got.System["version"] != httpapi.APIVersion {
			t.Errorf("system.version = %v, want %s", got.System["version"], httpapi.APIVersion)
		}
		if len(got.Devices) != len(want.Devices) {
			t.Fatalf("%d devices, want %d", len(got.Devices), len(want.Devices))
		}
		for i := range want.Devices {
			for _, k := range []string{"type", "name", "deviceID", "productID", "brand", "version", "entities"} {
				if !sameJSON(want.Devices[i][k], got.Devices[i][k]) {
					t.Errorf("device %d %s = %v, want %v", i, k, got.Devices[i][k], want.Devices[i][k])
				}
			}
		}
	})
}

// compareMetrics checks names, HELP, label sets and values; EMS-ESP's
// two-decimal rounding is the only tolerated difference in values.
func compareMetrics(t *testing.T, want, got map[string]*dto.MetricFamily) {
	t.Helper()
	for name, wf := range want {
		gf, ok := got[name]
		if !ok {
			t.Errorf("missing family %s", name)
			continue
		}
		if gf.GetHelp() != wf.GetHelp() {
			t.Errorf("%s HELP %q, want %q", name, gf.GetHelp(), wf.GetHelp())
		}
		if gf.GetType() != dto.MetricType_GAUGE {
			t.Errorf("%s type %v, want gauge", name, gf.GetType())
		}
		values := map[string]float64{}
		for _, m := range gf.GetMetric() {
			values[labelString(m)] = m.GetGauge().GetValue()
		}
		if len(gf.GetMetric()) != len(wf.GetMetric()) {
			t.Errorf("%s has %d samples, want %d", name, len(gf.GetMetric()), len(wf.GetMetric()))
		}
		for _, m := range wf.GetMetric() {
			v, ok := values[labelString(m)]
			if !ok {
				t.Errorf("%s{%s} missing", name, labelString(m))
			} else if math.Abs(v-m.GetGauge().GetValue()) > 0.005 {
				t.Errorf("%s{%s} = %v, want %v", name, labelString(m), v, m.GetGauge().GetValue())
			}
		}
	}
	for name := range got {
		if want[name] == nil {
			t.Errorf("extra family %s", name)
		}
	}
}

func compareJSON(t *testing.T, wantFile, url string) {
	t.Helper()
	raw, err := os.ReadFile(wantFile)
	if err != nil {
		t.Fatal(err)
	}
	var want, got any
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	code, ctype, body := get(t, url)
	if code != 200 || ctype != "application/json; charset=utf-8" {
		t.Fatalf("status %d, content type %q: %s", code, ctype, body)
	}
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("%v\n%s", err, body)
	}
	diffJSON(t, "", want, got)
	if t.Failed() {
		t.Logf("emsd answered:\n%s", body)
	}
	if !sameOrder(raw, body) {
		t.Errorf("keys are not in EMS-ESP's order")
	}
}

func sameJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

func diffJSON(t *testing.T, path string, want, got any) {
	t.Helper()
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			t.Errorf("%s: got %v, want an object", path, got)
			return
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				t.Errorf("%s.%s missing", path, k)
				continue
			}
			diffJSON(t, path+"."+k, wv, gv)
		}
		for k := range g {
			if _, ok := w[k]; !ok {
				t.Errorf("%s.%s extra: %v", path, k, g[k])
			}
		}
	case float64:
		if g, ok := got.(float64); !ok || math.Abs(g-w) > 1e-9 {
			t.Errorf("%s = %v, want %v", path, got, want)
		}
	default:
		if !sameJSON(want, got) {
			t.Errorf("%s = %v, want %v", path, got, want)
		}
	}
}

// sameOrder reports whether both documents list their object keys in the
// same order.
func sameOrder(a, b []byte) bool {
	return strings.Join(keyOrder(a), ",") == strings.Join(keyOrder(b), ",")
}

func keyOrder(doc []byte) []string {
	var out []string
	dec := json.NewDecoder(bytes.NewReader(doc))
	var walk func()
	walk = func() {
		tok, err := dec.Token()
		if err != nil {
			return
		}
		switch tok {
		case json.Delim('{'):
			for dec.More() {
				k, _ := dec.Token()
				out = append(out, k.(string))
				walk()
			}
			dec.Token()
		case json.Delim('['):
			for dec.More() {
				walk()
			}
			dec.Token()
		}
	}
	walk()
	return out
}
