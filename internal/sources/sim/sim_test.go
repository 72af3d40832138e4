package sim

import (
	"bytes"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/emsd/emsd/internal/devices"
	"github.com/emsd/emsd/internal/gateway"
	"github.com/emsd/emsd/internal/store"
	"github.com/emsd/emsd/internal/telegram"
)

var start = time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)

// The same seed gives the same bytes.
func TestDeterministic(t *testing.T) {
	a, b := New(Options{Seed: 7, Start: start}), New(Options{Seed: 7, Start: start})
	if !bytes.Equal(a.discovery(), b.discovery()) {
		t.Fatal("discovery differs")
	}
	for i := 0; i < 100; i++ {
		if !bytes.Equal(a.Advance(time.Minute), b.Advance(time.Minute)) {
			t.Fatalf("minute %d differs", i)
		}
	}
	c := New(Options{Seed: 8, Start: start})
	c.discovery()
	same := true
	for i := 0; i < 100; i++ {
		same = same && bytes.Equal(a.Advance(time.Minute), c.Advance(time.Minute))
	}
	if same {
		t.Error("another seed gives the same day")
	}
}

// A simulated day through the real framer and decoder: every frame is a
// good telegram a device understands, values stay plausible, counters only
// grow, the burner cycles and hot water is tapped.
func TestSimulatedDay(t *testing.T) {
	st := store.New()
	gw := gateway.New(telegram.DefaultBusID, st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	s := New(Options{Seed: 1, Start: start})
	gw.Feed(s.discovery())
	read := func(tag devices.Tag, short string) (float64, bool) {
		var snap store.Snapshot
		st.Snapshot(&snap)
		for i, d := range snap.Devices {
			if slot, ok := d.Slot(tag, short); ok && snap.States[i].Values[slot].Set {
				e, v := d.Entities[slot], snap.States[i].Values[slot]
				if e.Scale > 0 {
					return float64(v.Num) / float64(e.Scale), true
				}
				return float64(v.Num), true
			}
		}
		return 0, false
	}
	var lastStarts, lastWork, lastDHWStarts float64
	var tapped, burned, idle bool
	for minute := 0; minute < 24*60; minute++ {
		gw.Feed(s.Advance(time.Minute))
		flow, _ := read(devices.TagDevice, "curflowtemp")
		room, _ := read(devices.TagHC1, "currtemp")
		out, _ := read(devices.TagDevice, "outdoortemp")
		if flow < 15 || flow > 85 || room < 12 || room > 26 || out < -5 || out > 15 {
			t.Fatalf("minute %d: flow %.1f room %.1f outdoor %.1f", minute, flow, room, out)
		}
		starts, _ := read(devices.TagDevice, "burnstarts")
		work, _ := read(devices.TagDevice, "burnworkmin")
		dhwStarts, _ := read(devices.TagDHW, "starts")
		if starts < lastStarts || work < lastWork || dhwStarts < lastDHWStarts {
			t.Fatalf("minute %d: a counter went down", minute)
		}
		lastStarts, lastWork, lastDHWStarts = starts, work, dhwStarts
		if v, _ := read(devices.TagDHW, "curflow"); v > 0 {
			tapped = true
		}
		if v, _ := read(devices.TagDevice, "burngas"); v == 1 {
			burned = true
		} else {
			idle = true
		}
	}
	stats := gw.Stats()
	if stats.IncompleteTelegrams != 0 || stats.UnknownTelegrams != 0 || stats.TelegramsReceived < 10000 {
		t.Errorf("bus: %+v", stats)
	}
	if !tapped || !burned || !idle {
		t.Errorf("a day without tapping (%v), burning (%v) or rest (%v)", tapped, burned, idle)
	}
	if sel, _ := read(devices.TagHC1, "seltemp"); sel != 17 && sel != 21 {
		t.Errorf("hc1 seltemp %v", sel)
	}
}
