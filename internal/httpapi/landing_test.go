package httpapi_test

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/emsd/emsd/internal/devices"
	"github.com/emsd/emsd/internal/gateway"
	"github.com/emsd/emsd/internal/httpapi"
	"github.com/emsd/emsd/internal/store"
)

func TestLandingPage(t *testing.T) {
	base := perfInstallation(t) // a boiler and two thermostats
	code, ctype, body := get(t, base+"/")
	if code != 200 {
		t.Fatalf("status %d: %s", code, body)
	}
	if !strings.HasPrefix(ctype, "text/html") {
		t.Errorf("content type %q", ctype)
	}
	page := string(body)
	for _, want := range []string{
		"<!DOCTYPE html>",
		// every device, with the facts of /api/system
		"<td>boiler</td>", ">thermostat</a>", ">0x10<", ">0x18<",
		// every endpoint
		`href="/metrics"`, `href="/prometheus/sd"`, `href="/api/system"`, `href="/api/system/metrics"`,
		`href="/api/boiler"`, `href="/api/boiler/metrics"`, `href="/api/boiler/entities"`,
		`href="/api/thermostat"`, `href="/api/thermostat/metrics"`, `href="/api/thermostat/entities"`,
		// bus health
		"telegrams received", "incomplete telegrams", "rx quality", "tx quality",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// Every device /api/system lists, with its facts.
	_, _, sys := get(t, base+"/api/system")
	var info struct {
		Bus struct {
			BusStatus, BusProtocol                       string
			BusTelegramsReceived, BusIncompleteTelegrams int
			BusReads, BusReadsFailed, BusRxLineQuality   int
		}
		Devices []struct {
			Type, Name, Brand, DeviceID, Version string
			ProductID, Entities                  int
		}
	}
	if err := json.Unmarshal(sys, &info); err != nil || len(info.Devices) != 3 {
		t.Fatalf("/api/system: %v %s", err, sys)
	}
	bus := info.Bus
	for _, want := range []string{
		`id="bus-status">` + bus.BusStatus + "<",
		`protocol</div><div class="v">` + bus.BusProtocol + "<",
		fmt.Sprintf(`telegrams received</div><div class="v">%d<`, bus.BusTelegramsReceived),
		fmt.Sprintf(`incomplete telegrams</div><div class="v">%d<`, bus.BusIncompleteTelegrams),
		fmt.Sprintf(`reads / failed</div><div class="v">%d / %d<`, bus.BusReads, bus.BusReadsFailed),
		fmt.Sprintf(`rx quality</div><div class="v">%d %%<`, bus.BusRxLineQuality),
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, d := range info.Devices {
		name := html.EscapeString(d.Name)
		if d.Brand != "" {
			name += ` <span class="note">(` + html.EscapeString(d.Brand) + `)</span>`
		}
		row := fmt.Sprintf(`<td>%s</td><td class="num">%d</td><td>%s</td><td><code>%s</code></td><td class="num">%d</td>`,
			name, d.ProductID, d.Version, d.DeviceID, d.Entities)
		if !strings.Contains(page, row) {
			t.Errorf("page lacks the row of %s %s: %s", d.Type, d.DeviceID, row)
		}
	}
	// Each device type's links appear once, though there are two thermostats.
	if n := strings.Count(page, `href="/api/thermostat/metrics"`); n != 1 {
		t.Errorf("%d links to /api/thermostat/metrics", n)
	}
}

// A bridged gateway's device names come from the gateway: the page shows
// them as text, never as markup.
func TestLandingPageEscapes(t *testing.T) {
	st := store.New()
	evil := `<script>alert("x")</script> & <b>bold</b>`
	st.Add(devices.NewDevice(0x08, devices.Product{ID: 250, Type: devices.Boiler, Name: evil}, "01.02", `"Brand"<i>`))
	api := httpapi.New(st, func() gateway.Stats { return gateway.Stats{} }, httpapi.Settings{Version: "<v1>"})
	srv := httptest.NewServer(api.Handler())
	t.Cleanup(srv.Close)
	code, _, body := get(t, srv.URL+"/")
	if code != 200 {
		t.Fatalf("status %d: %s", code, body)
	}
	page := string(body)
	for _, bad := range []string{"<script>", "<b>", "<i>", "<v1>"} {
		if strings.Contains(page, bad) {
			t.Errorf("page contains the raw markup %q", bad)
		}
	}
	for _, want := range []string{
		"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;",
		"&lt;v1&gt;",
		`href="/api/boiler/metrics"`,
		">disconnected<", // no telegram yet
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

func TestLandingPageOnlyRoot(t *testing.T) {
	base := perfInstallation(t)
	for _, path := range []string{"/index.html", "/favicon.ico", "/foo/", "//"} {
		if code, _, _ := get(t, base+path); code != 404 {
			t.Errorf("GET %s: status %d, want 404", path, code)
		}
	}
	resp, err := http.Post(base+"/", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST /: status %d, Allow %q", resp.StatusCode, resp.Header.Get("Allow"))
	}
	// The page is counted among the "other" requests.
	_, _, metrics := get(t, base+"/metrics")
	if !strings.Contains(string(metrics), `emsd_http_requests_total{code="405",handler="other"} 1`) {
		t.Error("the refused POST is not counted")
	}
}

func TestLandingPageNoDevices(t *testing.T) {
	_, srv := newGateway(t)
	code, _, body := get(t, srv.URL+"/")
	if code != 200 || !strings.Contains(string(body), "No devices found yet") {
		t.Errorf("status %d:\n%s", code, body)
	}
	if strings.Contains(string(body), `href="/api/boiler`) {
		t.Error("links to a device type the bus does not have")
	}
}
