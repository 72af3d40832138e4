package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/emsd/emsd/internal/reference"
)

// fakeEMSESP answers like an EMS-ESP 3.8 gateway with the recorded samples.
func fakeEMSESP(t *testing.T) *httptest.Server {
	dir := filepath.Join(reference.Dir(t), "emsesp-samples")
	files := map[string]string{
		"/api/system/info":         "sample_system_info.json",
		"/api/boiler/entities":     "sample_boiler_entities.json",
		"/api/thermostat/entities": "sample_thermostat_entities.json",
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		http.ServeFile(w, r, filepath.Join(dir, name))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestPrometheusScrapesBridge: the real Prometheus scrapes emsd bridging
// fake EMS-ESP gateways, once with the seed's configuration (one gateway)
// and once through /probe (two gateways).
func TestPrometheusScrapesBridge(t *testing.T) {
	t.Parallel() // mostly waiting for scrapes: the Prometheus tests overlap
	if testing.Short() {
		t.Skip("takes two scrape intervals")
	}
	prometheus := tool(t, "prometheus")
	seed := seedConfig(t)
	home, cabin := fakeEMSESP(t), fakeEMSESP(t)
	bin := buildEmsd(t)
	one, fleet, promAddr := freeAddr(t), freeAddr(t), freeAddr(t)
	start(t, bin, "--web.listen-address="+one, "--bridge.target=home="+home.URL)
	start(t, bin, "--web.listen-address="+fleet, "--bridge.target=home="+home.URL, "--bridge.target=cabin="+cabin.URL)
	waitHTTP(t, "http://"+one+"/api/boiler/metrics", 20*time.Second)
	waitHTTP(t, "http://"+fleet+"/probe?target=cabin&device=boiler", 20*time.Second)

	probe := fmt.Sprintf(`
  - job_name: 'emsesp_fleet'
    metrics_path: /probe
    static_configs:
      - targets: ['home', 'cabin']
        labels:
          device: boiler
      - targets: ['home', 'cabin']
        labels:
          device: system
    relabel_configs:
      - source_labels: [__address__]
        target_label: __param_target
      - source_labels: [device]
        target_label: __param_device
      - source_labels: [__param_target]
        target_label: gateway
      - target_label: __address__
        replacement: '%s'
`, fleet)
	dir := t.TempDir()
	config := filepath.Join(dir, "prometheus.yml")
	full := append(bytes.ReplaceAll(seed, []byte("127.0.0.1:9797"), []byte(one)), probe...)
	if err := os.WriteFile(config, full, 0o644); err != nil {
		t.Fatal(err)
	}
	start(t, prometheus, "--config.file="+config, "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+promAddr)
	api := "http://" + promAddr
	waitHTTP(t, api+"/-/ready", 30*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	for ctx.Err() == nil && len(query(t, api, `count_over_time(up[5m]) >= 2`)) < 7 {
		time.Sleep(time.Second)
	}
	for _, r := range query(t, api, `up`) {
		if r.Value[1] != "1" {
			t.Errorf("target %v is down", r.Metric)
		}
	}
	for q, want := range map[string]string{
		`emsesp_curflowtemp{job="emsesp",device="boiler"}`:                    "60.2",
		`emsesp_seltemp{job="emsesp",device="thermostat",circuit="hc1"}`:      "23",
		`emsesp_curflowtemp{job="emsesp_fleet",gateway="cabin"}`:              "60.2",
		`emsesp_comfort{job="emsesp_fleet",gateway="home",circuit="dhw"}`:     "0",
		`emsesp_bus_bustelegramsreceived{job="emsesp_fleet",gateway="cabin"}`: "7",
	} {
		res := query(t, api, q)
		if len(res) != 1 || res[0].Value[1] != want {
			t.Errorf("%s = %v, want %s", q, res, want)
		}
	}
}
