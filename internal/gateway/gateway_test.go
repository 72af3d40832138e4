package gateway

import (
	"testing"
	"time"

	"github.com/emsd/emsd/internal/devices"
	"github.com/emsd/emsd/internal/store"
	"github.com/emsd/emsd/internal/telegram"
)

func newTestGateway() (*Gateway, *store.Store) {
	st := store.New()
	return New(Options{}, st), st
}

func frame(src, dest byte, typ uint16, data ...byte) []byte {
	return telegram.Append(nil, telegram.Telegram{Src: src, Dest: dest, Type: typ, Data: data})
}

// curflowtemp reads the boiler's current flow temperature (raw tenths).
func curflowtemp(t *testing.T, st *store.Store) (int64, bool) {
	t.Helper()
	var snap store.Snapshot
	st.Snapshot(&snap)
	for i, d := range snap.Devices {
		if slot, ok := d.Slot(devices.TagDevice, "curflowtemp"); ok {
			v := snap.States[i].Values[slot]
			return v.Num, v.Set
		}
	}
	t.Fatal("no boiler")
	return 0, false
}

func fast(flow uint16) []byte {
	return frame(0x08, 0x00, 0x18, 0, byte(flow>>8), byte(flow), 100, 50, 0x09, 0, 0x21)
}

// Damaged frames are counted and never change a value: at least one frame
// in ten is corrupted on the way.
func TestDamagedFramesAreCountedNotDecoded(t *testing.T) {
	g, st := newTestGateway()
	var stream []byte
	stream = telegram.AppendFrame(stream, frame(0x08, 0x0B, 0x02, 123, 1, 0))
	stream = telegram.AppendFrame(stream, fast(452))
	good := 2
	var crc, short, long int
	for i := 0; i < 50; i++ {
		switch i % 5 {
		case 0: // a flipped bit: the CRC no longer matches
			f := fast(999)
			f[3] ^= 0x10
			stream = telegram.AppendFrame(stream, f)
			crc++
		case 1: // a truncated frame
			stream = telegram.AppendFrame(stream, fast(999)[:3])
			short++
		case 2: // three frames run together (lost BREAKs): longer than any telegram
			stream = append(stream, fast(999)...)
			stream = append(stream, fast(999)...)
			stream = telegram.AppendFrame(stream, fast(999))
			long++
		default: // polls and good telegrams
			stream = telegram.AppendFrame(stream, []byte{0x8B})
			stream = telegram.AppendFrame(stream, fast(452))
			good++
		}
	}
	stream = append(stream, 0x12, 0x34) // noise without a BREAK stays pending
	g.Feed(stream)

	s := g.Stats()
	if s.TelegramsReceived != uint64(good) {
		t.Errorf("received %d, want %d", s.TelegramsReceived, good)
	}
	if s.CRCErrors != uint64(crc) || s.IncompleteTelegrams != uint64(crc+short+long) {
		t.Errorf("crc %d incomplete %d, want %d and %d", s.CRCErrors, s.IncompleteTelegrams, crc, crc+short+long)
	}
	if want := (good*100 + (good+crc+short+long)/2) / (good + crc + short + long); s.RxQuality() != want {
		t.Errorf("rx quality %d, want %d", s.RxQuality(), want)
	}
	if v, ok := curflowtemp(t, st); !ok || v != 452 {
		t.Errorf("curflowtemp %d (%v): a damaged frame changed it", v, ok)
	}
	if !s.Connected || s.Protocol != "Buderus" {
		t.Errorf("status connected=%v protocol=%q", s.Connected, s.Protocol)
	}
}

func TestHT3Detection(t *testing.T) {
	g, _ := newTestGateway()
	g.Frame(frame(0x08|0x80, 0x0B, 0x02, 95, 1, 0))
	if p := g.Stats().Protocol; p != "HT3" {
		t.Errorf("protocol %q, want HT3", p)
	}
}

func TestDiscovery(t *testing.T) {
	g, st := newTestGateway()
	g.Frame(frame(0x08, 0x00, 0x07, 0x09, 0x01, 0, 0, 0, 0, 0, 0, 0x01, 0, 0, 0, 0))
	g.Frame(frame(0x08, 0x0B, 0x02, 123, 1, 0))
	g.Frame(frame(0x10, 0x0B, 0x02, 158, 0x13, 0x03, 0, 0, 0, 0, 0, 0, 3))
	g.Frame(frame(0x30, 0x0B, 0x02, 250, 1, 0))            // an unknown product
	g.Frame(frame(0x21, 0x0B, 0x02, 0, 0, 0, 69, 2, 1, 0)) // a second subscriber answering for the first
	g.Frame(frame(0x0B, 0x0B, 0x02, 123, 1, 0))            // our own echo
	g.Frame(frame(0x08, 0x0B, 0x02, 64, 1, 0))             // a second version reply changes nothing
	var snap store.Snapshot
	st.Snapshot(&snap)
	want := []struct {
		id      byte
		product byte
		typ     devices.Type
		brand   string
	}{{0x08, 123, devices.Boiler, ""}, {0x10, 158, devices.Thermostat, "Buderus"}, {0x30, 250, devices.Generic, ""}, {0x21, 69, devices.Mixer, ""}}
	if len(snap.Devices) != len(want) {
		t.Fatalf("%d devices, want %d", len(snap.Devices), len(want))
	}
	for i, w := range want {
		d := snap.Devices[i]
		if d.ID != w.id || d.Product.ID != w.product || d.Product.Type != w.typ || d.Brand != w.brand {
			t.Errorf("device %d: %+v %s, want %+v", i, d.Product, d.Brand, w)
		}
	}
	if v := snap.Devices[1].Version; v != "19.03" {
		t.Errorf("version %q", v)
	}
}

// A telegram to a device (a thermostat commanding a mixer) is decoded by
// the receiver; telegrams of unknown devices are counted.
func TestRouting(t *testing.T) {
	g, st := newTestGateway()
	g.Frame(frame(0x08, 0x0B, 0x02, 123, 1, 0))
	g.Frame(fast(300))
	g.Frame(frame(0x17, 0x08, 0x18, 0, 0x01, 0x90)) // addressed to the boiler: it takes it
	if v, _ := curflowtemp(t, st); v != 400 {
		t.Errorf("curflowtemp %d, want 400", v)
	}
	g.Frame(frame(0x30, 0x00, 0x0362, 1, 2, 3))
	if g.Stats().UnknownTelegrams != 1 {
		t.Errorf("unknown %d, want 1", g.Stats().UnknownTelegrams)
	}
	g.now = func() time.Time { return time.Now().Add(time.Minute) }
	if g.Stats().Connected {
		t.Error("still connected after a silent minute")
	}
}
