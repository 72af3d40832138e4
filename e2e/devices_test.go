package e2e

import (
	"bytes"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"

	"github.com/emsd/emsd/internal/gateway"
	"github.com/emsd/emsd/internal/httpapi"
	"github.com/emsd/emsd/internal/store"
	"github.com/emsd/emsd/internal/telegram"
)

// installations has, per device type, a device's version answer and some
// of its telegrams (hex without CRC), taken from the library's test vectors.
var installations = map[string][]string{
	"boiler": {"08 0B 02 00 7B 01 00",
		"08 00 18 00 00 02 5A 73 3D 0A 10 65 40 02 1A 80 00 01 E1 01 76 0E 3D 48 00 C9 44 02 00",
		"08 0B 33 00 08 FF 34 FB 00 28 00 00 46 00 FF FF 00"},
	"thermostat": {"10 0B 02 00 9E 13 03",
		"10 0B FF 00 01 A5 00 D3 21 22 00 00 22 27 00 EF 01 01 03 00 EF 01 4B 00 00 11 01 04 08 42 00"},
	"mixer": {"20 0B 02 00 A0 01 00", "A0 00 FF 00 01 D7 01 00 32 01 C2 28 00 00 00 01 F4"},
	"water": {"28 0B 02 00 A0 01 00", "A8 00 FF 00 02 31 02 35 00 3C 00 3C 3C 46 02 03 03 00 3C"},
	"solar": {"30 0B 02 00 A3 01 00",
		"B0 0B FF 00 02 62 00 44 02 7A 80 00 80 00 80 00 80 00 80 00 80 00 00 7C 80 00 80 00 80 00 80"},
	"heatpump": {"53 0B 02 00 F8 01 00", "53 00 FF 00 03 7B 0C 34",
		"53 00 FF 00 08 A0 02 23 01 3E 01 39 00 5D 01 DE 01 38 00 40 00 5E 00 58 00 3F 01 34 00 02"},
	"heatsource": {"60 0B 02 00 E4 01 00",
		"60 00 FF 00 04 4D 01 03 01 08 80 00 00 C6 01 27 02 05 80 00 02 00 00 00 80 00"},
	"ventilation": {"51 0B 02 00 E7 01 00", "51 00 FF 00 04 85 46 3C 00 00"},
	"switch":      {"11 0B 02 00 47 01 00", "11 00 9C 00 01 BA FF 01 00"},
	"alert":       {"12 0B 02 00 4A 01 00", "12 08 1A 00 2D 64 00 00"},
	"extension":   {"15 0B 02 00 F3 01 00", "15 00 FF 00 08 37 01 5E", "15 00 FF 00 08 38 01 62"},
	"pool":        {"11 0B 02 00 CC 01 00", "11 0B FF 00 04 BA 00 FA 01 32"},
	"connect":     {"50 0B 02 00 11 01 00", "50 00 D1 00 00 64", "50 00 FF 00 0A DD 00 E6 36 2A"},
}

// TestEveryDeviceTypeMetrics: every addressable device type of the
// catalogue answers /api/<device>/metrics with decoded values, and promtool
// finds nothing wrong with the output.
func TestEveryDeviceTypeMetrics(t *testing.T) {
	promtool := tool(t, "promtool")
	for device, frames := range installations {
		t.Run(device, func(t *testing.T) {
			st := store.New()
			gw := gateway.New(gateway.Options{}, st)
			for _, h := range frames {
				b, err := hex.DecodeString(strings.ReplaceAll(h, " ", ""))
				if err != nil {
					t.Fatal(err)
				}
				gw.Frame(append(b, telegram.CRC(b)))
			}
			srv := httptest.NewServer(httpapi.New(st, gw.Stats, httpapi.Settings{}).Handler())
			defer srv.Close()
			resp, err := http.Get(srv.URL + "/api/" + device + "/metrics")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			samples := 0
			for _, line := range strings.Split(string(body), "\n") {
				if line != "" && line[0] != '#' {
					samples++
				}
			}
			if resp.StatusCode != 200 || samples == 0 {
				t.Fatalf("status %d, %d samples: %s", resp.StatusCode, samples, body)
			}
			cmd := exec.Command(promtool, "check", "metrics")
			cmd.Stdin = bytes.NewReader(body)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("promtool: %v %s\n%s", err, out, body)
			}
			t.Logf("%d samples", samples)
		})
	}
}
