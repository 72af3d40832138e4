package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// chromium finds Debian's chromium. Without it the test is skipped, unless
// EMSD_REQUIRE_E2E is set (as make test does, which installs it).
func chromium(t *testing.T) string {
	t.Helper()
	if path, err := exec.LookPath("chromium"); err == nil {
		return path
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	if os.Getenv("EMSD_REQUIRE_E2E") != "" {
		t.Fatal("chromium not found: make test installs the Debian package chromium")
	}
	t.Skip("chromium not found (install the Debian package chromium)")
	return ""
}

// renderDOM loads url in headless Chromium and returns the document as the
// browser built it. Chromium and every process it started are stopped
// before renderDOM returns.
func renderDOM(t *testing.T, browser, url string) string {
	t.Helper()
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+dir, "--dump-dom", url)
	// Its own home, and its own process group so that a timeout stops the
	// renderer and helper processes too.
	cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_CONFIG_HOME="+dir, "XDG_CACHE_HOME="+dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if cmd.Process != nil {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // any helper left behind; ESRCH when none
	}
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	if stdout.Len() == 0 {
		t.Fatalf("chromium printed no document\n%s", stderr.String())
	}
	return stdout.String()
}

var (
	headRE  = regexp.MustCompile(`(?is)<head>.*</head>`)
	tagRE   = regexp.MustCompile(`<[^>]*>`)
	spaceRE = regexp.MustCompile(`\s+`)
	hrefRE  = regexp.MustCompile(`<a\b[^>]*\bhref="([^"]*)"`)
	statRE  = regexp.MustCompile(`<[^>]*\bid="bus-status"[^>]*>([^<]*)<`)
)

// visibleText is the text of the document's body, as one line.
func visibleText(dom string) string {
	text := tagRE.ReplaceAllString(headRE.ReplaceAllString(dom, ""), " ")
	return spaceRE.ReplaceAllString(html.UnescapeString(text), " ")
}

// TestLandingPageInChromium renders emsd's landing page in a real browser
// and checks what a person would see: the devices, the bus status and the
// links to the metrics endpoints.
func TestLandingPageInChromium(t *testing.T) {
	browser := chromium(t)
	addr := freeAddr(t)
	start(t, buildEmsd(t), "--web.listen-address="+addr, "--sim.speed=60")
	base := "http://" + addr
	waitHTTP(t, base+"/api/thermostat/metrics", 20*time.Second)

	// The names the page should show are those of /api/system.
	want := map[string]string{} // device type → name
	var sys struct {
		Devices []struct{ Type, Name string }
	}
	deadline := time.Now().Add(30 * time.Second)
	for want["boiler"] == "" || want["thermostat"] == "" {
		if time.Now().After(deadline) {
			t.Fatalf("the boiler and the thermostat were not found within 30s: %+v", sys)
		}
		time.Sleep(100 * time.Millisecond)
		if err := json.Unmarshal(fetch(t, base+"/api/system"), &sys); err != nil {
			t.Fatal(err)
		}
		for _, d := range sys.Devices {
			want[d.Type] = d.Name
		}
	}

	dom := renderDOM(t, browser, base+"/")
	text := visibleText(dom)
	for _, typ := range []string{"boiler", "thermostat"} {
		if !strings.Contains(text, want[typ]) {
			t.Errorf("the page does not show the %s %q", typ, want[typ])
		}
	}
	if m := statRE.FindStringSubmatch(dom); m == nil || strings.TrimSpace(m[1]) != "connected" {
		t.Errorf("bus status %q, want connected", m)
	}
	links := map[string]bool{}
	for _, m := range hrefRE.FindAllStringSubmatch(dom, -1) {
		links[html.UnescapeString(m[1])] = true
	}
	for _, href := range []string{"/metrics", "/prometheus/sd", "/api/system/metrics", "/api/boiler/metrics", "/api/thermostat/metrics"} {
		if !links[href] {
			t.Errorf("no link to %s", href)
		}
	}
	if t.Failed() {
		t.Logf("rendered document:\n%s", dom)
	}
}
