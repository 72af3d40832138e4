//go:build measure

package e2e

import (
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestResidentMemory (make bench): emsd with the simulator's full
// installation, scraped on every endpoint for a minute; its resident memory
// must stay within the budget of 20 MB.
func TestResidentMemory(t *testing.T) {
	addr := freeAddr(t)
	bin := buildEmsd(t)
	cmd := startCmd(t, bin, "--web.listen-address="+addr, "--sim.speed=60")
	base := "http://" + addr
	waitHTTP(t, base+"/api/solar/metrics", 30*time.Second)
	paths := []string{"/metrics", "/api/boiler/metrics", "/api/thermostat/metrics", "/api/system/metrics",
		"/api/boiler", "/api/thermostat/entities", "/api/mixer/metrics", "/api/solar/metrics"}
	client := &http.Client{Timeout: 5 * time.Second}
	n := 0
	for end := time.Now().Add(time.Minute); time.Now().Before(end); n++ {
		resp, err := client.Get(base + paths[n%len(paths)])
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	status, err := os.ReadFile("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	var rss, anon, file int
	for _, line := range strings.Split(string(status), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		v, _ := strconv.Atoi(f[1])
		switch f[0] {
		case "VmRSS:":
			rss = v
		case "RssAnon:":
			anon = v
		case "RssFile:":
			file = v
		}
	}
	t.Logf("after a minute and %d requests: resident %.1f MB (anonymous %.1f MB, the binary's pages %.1f MB); budget 20 MB",
		n, float64(rss)/1024, float64(anon)/1024, float64(file)/1024)
	if rss > 20*1024 {
		t.Errorf("resident memory %.1f MB is over the budget of 20 MB", float64(rss)/1024)
	}
}
