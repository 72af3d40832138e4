package sim

import (
	"bytes"
	"testing"
	"time"

	"github.com/emsd/emsd/internal/devices"
	"github.com/emsd/emsd/internal/gateway"
	"github.com/emsd/emsd/internal/store"
	"github.com/emsd/emsd/internal/telegram"
)

var start = time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)

// fetched are the telegrams a gateway reads on request.
var fetched = []struct {
	dev byte
	typ uint16
}{{0x08, 0x14}, {0x08, 0x16}, {0x08, 0x33}, {0x08, 0x15}, {0x08, 0x1C}, {0x08, 0x04}, {0x10, 0x02B9},
	{0x10, 0x02AF}, {0x10, 0x029B}, {0x10, 0x02F5}, {0x10, 0x031B}, {0x10, 0x023A}, {0x10, 0x0240},
	{0x10, 0x02BA}, {0x10, 0x02B0}, {0x10, 0x029C}, {0x21, 0x02CE}, {0x30, 0x038E}, {0x30, 0x0391}}

// minute advances a minute and returns every frame a gateway would see:
// the broadcasts, and the answers to its reads of the fetched telegrams.
func minute(s *Sim) [][]byte {
	s.Advance(time.Minute)
	var out [][]byte
	for _, t := range s.due() {
		out = append(out, telegram.Append(nil, t))
	}
	for _, f := range fetched {
		if r := s.answer(telegram.Telegram{Src: 0x0B, Dest: f.dev, Type: f.typ, Read: true, Length: 0xFF}); len(r.Data) > 0 {
			out = append(out, telegram.Append(nil, r))
		}
	}
	return out
}

// The same seed gives the same bytes; another seed another day.
func TestDeterministic(t *testing.T) {
	a, b, c := New(Options{Seed: 7, Start: start}), New(Options{Seed: 7, Start: start}), New(Options{Seed: 8, Start: start})
	same := true
	for i := 0; i < 200; i++ {
		fa, fb, fc := bytes.Join(minute(a), nil), bytes.Join(minute(b), nil), bytes.Join(minute(c), nil)
		if !bytes.Equal(fa, fb) {
			t.Fatalf("minute %d differs", i)
		}
		same = same && bytes.Equal(fa, fc)
	}
	if same {
		t.Error("another seed gives the same day")
	}
}

// A simulated day through the real decoder: every frame is a good telegram
// a device understands, values stay plausible, counters only grow, the
// burner cycles and hot water is tapped.
func TestSimulatedDay(t *testing.T) {
	st := store.New()
	gw := gateway.New(gateway.Options{}, st)
	s := New(Options{Seed: 1, Start: start})
	for _, dev := range []byte{boilerID, thermostatID, mixerID, solarID} {
		gw.Frame(telegram.Append(nil, s.answer(telegram.Telegram{Src: 0x0B, Dest: dev, Type: 0x02, Read: true, Length: 0xFF})))
	}
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
	for m := 0; m < 24*60; m++ {
		for _, f := range minute(s) {
			gw.Frame(f)
		}
		flow, _ := read(devices.TagDevice, "curflowtemp")
		room, _ := read(devices.TagHC1, "currtemp")
		out, _ := read(devices.TagDevice, "outdoortemp")
		if flow < 15 || flow > 85 || room < 12 || room > 26 || out < -5 || out > 15 {
			t.Fatalf("minute %d: flow %.1f room %.1f outdoor %.1f", m, flow, room, out)
		}
		starts, _ := read(devices.TagDevice, "burnstarts")
		work, _ := read(devices.TagDevice, "burnworkmin")
		dhwStarts, _ := read(devices.TagDHW, "starts")
		if starts < lastStarts || work < lastWork || dhwStarts < lastDHWStarts {
			t.Fatalf("minute %d: a counter went down", m)
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
	for _, want := range []struct {
		tag   devices.Tag
		short string
	}{{devices.TagDevice, "ubauptime"}, {devices.TagDevice, "heatingtemp"}, {devices.TagDHW, "seltemp"},
		{devices.TagDevice, "maintenancedate"}, {devices.TagDevice, "nompower"}, {devices.TagHC1, "comforttemp"},
		{devices.TagHC1, "maxflowtemp"}, {devices.TagDHW, "settemp"}, {devices.TagDevice, "dampedoutdoortemp"}} {
		if _, ok := read(want.tag, want.short); !ok && want.short != "maintenancedate" {
			t.Errorf("%s.%s has no value", want.tag, want.short)
		}
	}
}

// Asked for a telegram it does not know, a device answers empty; asked
// for part of one, it answers that part.
func TestAnswers(t *testing.T) {
	s := New(Options{Seed: 1, Start: start})
	if r := s.answer(telegram.Telegram{Src: 0x0B, Dest: 0x10, Type: 0x02A7, Read: true, Length: 0xFF}); len(r.Data) != 0 || r.Src != 0x10 || r.Dest != 0x0B {
		t.Errorf("unknown type answered %v", r)
	}
	r := s.answer(telegram.Telegram{Src: 0x0B, Dest: 0x10, Type: 0x02A5, Offset: 25, Read: true, Length: 0xFF})
	if r.Offset != 25 || len(r.Data) != 8 {
		t.Errorf("monitor @25 answered %v", r)
	}
	r = s.answer(telegram.Telegram{Src: 0x0B, Dest: 0x08, Type: 0x16, Offset: 2, Read: true, Length: 3})
	if r.Offset != 2 || len(r.Data) != 3 || r.Data[0] != 100 {
		t.Errorf("0x16 @2 len 3 answered %v", r)
	}
}

// With --sim.heatpump the heat source is a heat pump whose compressor runs
// and whose energy counters grow.
func TestHeatPumpDay(t *testing.T) {
	st := store.New()
	gw := gateway.New(gateway.Options{}, st)
	s := New(Options{Seed: 2, Start: start, HeatPump: true})
	for _, dev := range []byte{boilerID, thermostatID, mixerID, solarID} {
		gw.Frame(telegram.Append(nil, s.answer(telegram.Telegram{Src: 0x0B, Dest: dev, Type: 0x02, Read: true, Length: 0xFF})))
	}
	value := func(short string) (int64, bool) {
		var snap store.Snapshot
		st.Snapshot(&snap)
		if len(snap.Devices) != 4 || snap.Devices[0].Product.ID != 172 {
			t.Fatalf("devices %v", snap.Devices)
		}
		slot, ok := snap.Devices[0].Slot(devices.TagDevice, short)
		v := snap.States[0].Values[slot]
		return v.Num, ok && v.Set
	}
	var first int64
	ran := false
	for m := 0; m < 12*60; m++ {
		for _, f := range minute(s) {
			gw.Frame(f)
		}
		if on, _ := value("hpcompon"); on == 1 {
			ran = true
		}
		if m == 0 {
			first, _ = value("nrgsupptotal")
		}
	}
	last, ok := value("nrgsupptotal")
	if !ran || !ok || last <= first {
		t.Errorf("compressor ran %v, energy supplied %d -> %d", ran, first, last)
	}
	if n, ok := value("nrgconstotal"); !ok || n == 0 {
		t.Errorf("energy consumed %d %v", n, ok)
	}
	if gw.Stats().UnknownTelegrams != 0 {
		t.Errorf("unknown telegrams: %+v", gw.Stats())
	}
}
