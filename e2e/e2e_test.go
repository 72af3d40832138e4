// Package e2e runs the real emsd binary against the real Prometheus server
// and promtool, on loopback, with the seed's scrape configuration.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emsd/emsd/internal/reference"
	"github.com/emsd/emsd/internal/testutil"
)

// tool finds a program the end-to-end tests need. Without it the test is
// skipped, unless EMSD_REQUIRE_E2E is set (as make test does).
func tool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if os.Getenv("EMSD_REQUIRE_E2E") != "" {
		t.Fatalf("%s not found: make test installs the Debian package prometheus", name)
	}
	t.Skipf("%s not found (install the Debian package prometheus)", name)
	return ""
}

// freeAddr returns a loopback address with a port nobody listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// start runs a program until the test ends; its output goes to the test log
// when the test fails.
func start(t *testing.T, name string, args ...string) {
	t.Helper()
	startStoppable(t, name, args...)
}

// startStoppable runs a program and returns a function that stops it (and
// waits for it); the test stops it at the latest when it ends.
func startStoppable(t *testing.T, name string, args ...string) func() {
	t.Helper()
	_, stop := launch(t, name, args...)
	return stop
}

// startCmd runs a program until the test ends and returns it.
func startCmd(t *testing.T, name string, args ...string) *exec.Cmd {
	t.Helper()
	cmd, _ := launch(t, name, args...)
	return cmd
}

func launch(t *testing.T, name string, args ...string) (*exec.Cmd, func()) {
	t.Helper()
	var out testutil.SyncBuffer
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cmd.Process.Signal(os.Interrupt)
			done := make(chan struct{})
			go func() { cmd.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				cmd.Process.Kill()
				<-done
			}
		})
	}
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			t.Logf("%s %v output:\n%s", filepath.Base(name), args, out.String())
		}
	})
	return cmd, stop
}

// buildEmsd compiles the command into a temporary directory.
// seedConfig is the user's prometheus.yml from the shared reference.
func seedConfig(t *testing.T) []byte {
	t.Helper()
	seed, err := os.ReadFile(filepath.Join(reference.Dir(t), "..", "prometheus", "prometheus.yml"))
	if err != nil {
		t.Fatal(err)
	}
	return seed
}

func buildEmsd(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "emsd")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/emsd")
	cmd.Dir = ".."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func waitHTTP(t *testing.T, url string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s did not answer 200 within %v", url, timeout)
}

func fetch(t *testing.T, url string) []byte {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %v\n%s", url, resp.StatusCode, err, b)
	}
	return b
}

// TestPromtoolChecksLiveMetrics runs promtool check metrics on every metrics
// endpoint of a running emsd. Lint findings are allowed only for names that
// are EMS-ESP's own (fahrenheit, which promtool takes for a unit).
func TestPromtoolChecksLiveMetrics(t *testing.T) {
	promtool := tool(t, "promtool")
	addr := freeAddr(t)
	start(t, buildEmsd(t), "--web.listen-address="+addr, "--sim.speed=30")
	base := "http://" + addr
	waitHTTP(t, base+"/api/thermostat/metrics", 20*time.Second)
	for _, path := range []string{"/api/boiler/metrics", "/api/thermostat/metrics", "/api/thermostat/hc1/metrics",
		"/api/boiler/dhw/metrics", "/api/system/metrics", "/api/mixer/metrics", "/api/solar/metrics", "/metrics"} {
		waitHTTP(t, base+path, 20*time.Second) // the solar module's first broadcast may still be on its way
		body := fetch(t, base+path)
		cmd := exec.Command(promtool, "check", "metrics")
		cmd.Stdin = bytes.NewReader(body)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		code := cmd.ProcessState.ExitCode()
		switch {
		case err == nil:
		case code == 3:
			for _, line := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
				if !strings.Contains(line, "fahrenheit") {
					t.Errorf("%s: promtool lint: %s", path, line)
				}
			}
		default:
			t.Errorf("%s: promtool exit %d: %s\n%s", path, code, stderr.String(), body)
		}
	}
	// /metrics is stable: once discovery and the first fetches are done,
	// the same series from one scrape to the next.
	prev := strings.Join(seriesOf(fetch(t, base+"/metrics")), "\n")
	for deadline := time.Now().Add(30 * time.Second); ; {
		time.Sleep(time.Second)
		cur := strings.Join(seriesOf(fetch(t, base+"/metrics")), "\n")
		if cur == prev {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the series of /metrics never settled:\n%s\n---\n%s", prev, cur)
		}
		prev = cur
	}
}

// TestPrometheusScrapesSeedConfig starts emsd with the simulator and the real
// Prometheus with the seed's prometheus.yml (only the target address
// changed), waits for two scrapes of every target and queries the series a
// user would graph first.
func TestPrometheusScrapesSeedConfig(t *testing.T) {
	t.Parallel() // mostly waiting for scrapes: the Prometheus tests overlap
	if testing.Short() {
		t.Skip("takes two scrape intervals")
	}
	prometheus := tool(t, "prometheus")
	seed := seedConfig(t)
	addr, promAddr := freeAddr(t), freeAddr(t)
	if !bytes.Contains(seed, []byte("127.0.0.1:9797")) {
		t.Fatal("the seed configuration no longer targets 127.0.0.1:9797")
	}
	dir := t.TempDir()
	config := filepath.Join(dir, "prometheus.yml")
	// The seed's job, and the same relabelling fed by emsd's service discovery.
	sd := fmt.Sprintf(`
  - job_name: 'emsesp_sd'
    http_sd_configs:
      - url: 'http://%s/prometheus/sd'
    relabel_configs:
      - source_labels: [device]
        target_label: __metrics_path__
        regex: (.*)
        replacement: /api/$1/metrics
`, addr)
	full := append(bytes.ReplaceAll(seed, []byte("127.0.0.1:9797"), []byte(addr)), sd...)
	if err := os.WriteFile(config, full, 0o644); err != nil {
		t.Fatal(err)
	}

	start(t, buildEmsd(t), "--web.listen-address="+addr)
	waitHTTP(t, "http://"+addr+"/api/thermostat/metrics", 20*time.Second)
	start(t, prometheus, "--config.file="+config, "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+promAddr)
	api := "http://" + promAddr
	waitHTTP(t, api+"/-/ready", 30*time.Second)

	// Every target scraped twice: two samples of up within the window.
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	for {
		res := query(t, api, `count_over_time(up{job="emsesp"}[5m]) >= 2`)
		if len(res) == 3 {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("targets not scraped twice within 90s: %v", res)
		}
		time.Sleep(time.Second)
	}
	for _, r := range query(t, api, `up{job=~"emsesp|emsesp_sd"}`) {
		if r.Value[1] != "1" {
			t.Errorf("target %v is down", r.Metric)
		}
	}
	// Discovery lists every device type the bus has, plus system.
	for ctx.Err() == nil && len(query(t, api, `up{job="emsesp_sd"} == 1`)) < 5 {
		time.Sleep(time.Second)
	}
	var found []string
	for _, r := range query(t, api, `up{job="emsesp_sd"}`) {
		found = append(found, r.Metric["device"])
	}
	sort.Strings(found)
	if strings.Join(found, ",") != "boiler,mixer,solar,system,thermostat" {
		t.Errorf("discovered targets %v", found)
	}
	for _, q := range []string{
		`emsesp_curflowtemp{device="boiler"}`,
		`emsesp_seltemp{device="thermostat",circuit="hc1"}`,
		`emsesp_bus_info`,
		`emsesp_device_productid{type="boiler"}`,
		`emsesp_bus_bustelegramsreceived > 0`,
		`emsesp_ubauptime{device="boiler"}`, // sent only on request: emsd takes part in the bus
	} {
		res := query(t, api, q)
		if len(res) == 0 {
			t.Errorf("%s: no series", q)
			continue
		}
		t.Logf("%s = %v %v", q, res[0].Metric, res[0].Value[1])
	}
	if res := query(t, api, `emsesp_seltemp{device="thermostat",circuit="hc1"}`); len(res) == 1 {
		if v := res[0].Value[1]; v != "21" && v != "17" {
			t.Errorf("hc1 selected room temperature %s, want the simulator's 21 or 17", v)
		}
	}
}

// TestCaptureThenReplay records the simulator's bus with --ems.capture,
// then serves the recording with --ems.replay: the replayed emsd shows the
// same devices and series.
func TestCaptureThenReplay(t *testing.T) {
	bin := buildEmsd(t)
	capture := filepath.Join(t.TempDir(), "bus.capture")
	addr := freeAddr(t)
	stopLive := startStoppable(t, bin, "--web.listen-address="+addr, "--sim.speed=60", "--ems.capture="+capture)
	base := "http://" + addr
	waitHTTP(t, base+"/api/thermostat/metrics", 20*time.Second)
	deadline := time.Now().Add(20 * time.Second)
	for !bytes.Contains(fetch(t, base+"/api/boiler/metrics"), []byte("emsesp_ubauptime ")) && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	live := map[string][]string{}
	for _, p := range []string{"/api/boiler/metrics", "/api/thermostat/metrics"} {
		live[p] = seriesOf(fetch(t, base+p))
	}
	stopLive()

	addr = freeAddr(t)
	start(t, bin, "--web.listen-address="+addr, "--ems.replay="+capture, "--ems.replay.speed=0")
	base = "http://" + addr
	waitHTTP(t, base+"/api/thermostat/metrics", 20*time.Second)
	for p, want := range live {
		got := seriesOf(fetch(t, base+p))
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s: replayed series\n%v\nlive series\n%v", p, got, want)
		}
	}
	if !strings.Contains(string(fetch(t, base+"/api/system/metrics")), `emsesp_bus_info{busstatus=`) {
		t.Error("replayed system metrics lack the bus section")
	}
}

// seriesOf lists the names and labels of an exposition's samples.
func seriesOf(text []byte) []string {
	var out []string
	for _, line := range strings.Split(string(text), "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		out = append(out, line[:strings.LastIndexByte(line, ' ')])
	}
	return out
}

type series struct {
	Metric map[string]string `json:"metric"`
	Value  [2]any            `json:"value"`
}

func query(t *testing.T, api, q string) []series {
	t.Helper()
	body := fetch(t, api+"/api/v1/query?query="+url.QueryEscape(q))
	var r struct {
		Status string `json:"status"`
		Data   struct {
			Result []series `json:"result"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &r); err != nil || r.Status != "success" {
		t.Fatalf("query %s: %v %s", q, err, body)
	}
	for i := range r.Data.Result {
		r.Data.Result[i].Value[1] = fmt.Sprint(r.Data.Result[i].Value[1])
	}
	return r.Data.Result
}
