package store

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emsd/emsd/internal/devices"
	"github.com/emsd/emsd/internal/telegram"
)

// A boiler's energy survives a restart: saved by one store, it is where
// the next store's boiler starts, and integration goes on from there.
func TestEnergySurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "energy.json")
	start := time.Date(2026, 11, 26, 6, 0, 0, 0, time.UTC)
	run := func(st *Store, hours int) *devices.Device {
		p, _ := devices.Identify(0x08, 123, "01.00")
		d := devices.NewDevice(0x08, p, "01.00", "")
		st.Add(d)
		factory := telegram.Telegram{Src: 0x08, Dest: 0x0B, Type: 0x04, Data: []byte{0x13, 0x96, 0x09, 0x81, 24, 0x0A, 0x64, 0x35}}
		st.Decode(0x08, &factory, start)
		for h := 0; h <= hours; h++ { // heating at 50% of 24 kW: 12 kWh an hour
			monitor := telegram.Telegram{Src: 0x08, Type: 0x18, Data: []byte{0x3C, 0x02, 0x5A, 0x40, 50, 0x09, 0, 0}}
			st.Decode(0x08, &monitor, start.Add(time.Duration(h)*time.Hour))
		}
		return d
	}
	nrgheat := func(st *Store, d *devices.Device) float64 {
		var snap Snapshot
		st.Snapshot(&snap)
		i, _ := d.Slot(devices.TagDevice, "nrgheat")
		return float64(snap.States[0].Values[i].Num) / 100
	}

	first := New()
	if err := first.RestoreEnergy(path); err != nil {
		t.Fatalf("no file yet: %v", err)
	}
	d := run(first, 2)
	if got := nrgheat(first, d); got != 24 {
		t.Fatalf("after two hours nrgheat = %v kWh, want 24", got)
	}
	if err := first.SaveEnergy(path); err != nil {
		t.Fatal(err)
	}

	second := New()
	if err := second.RestoreEnergy(path); err != nil {
		t.Fatal(err)
	}
	d = run(second, 0)
	if got := nrgheat(second, d); got != 24 {
		t.Fatalf("restored nrgheat = %v kWh, want 24", got)
	}
	d2 := devices.NewDevice(0x08, d.Product, "01.00", "")
	third := New()
	third.Add(d2) // found before the file is read
	if err := third.RestoreEnergy(path); err != nil {
		t.Fatal(err)
	}
	if got := nrgheat(third, d2); got != 24 {
		t.Fatalf("nrgheat of a boiler found earlier = %v kWh, want 24", got)
	}

	for _, bad := range []string{"{", `{"boilers":{"0x99":{}}}`, `{"boilers":{"0x08":{"heat_percent_kw_ms":-1}}}`} {
		os.WriteFile(path, []byte(bad), 0o644)
		if err := New().RestoreEnergy(path); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: error %v, want one naming the file", bad, err)
		}
	}
}
