package store

import (
	"sync"
	"testing"
	"time"

	"github.com/emsd/emsd/internal/devices"
	"github.com/emsd/emsd/internal/telegram"
)

// Readers see consistent snapshots while the decoder writes: every
// UBAMonitorFast below sets curflowtemp and rettemp to the same number, so
// a snapshot that mixed two telegrams would show them apart. Run with -race.
func TestSnapshotIsConsistent(t *testing.T) {
	st := New()
	p, _ := devices.Identify(0x08, 123, "01.00")
	d := devices.NewDevice(0x08, p, "01.00", "")
	if !st.Add(d) || st.Add(devices.NewDevice(0x08, p, "01.00", "")) {
		t.Fatal("Add must accept a device once")
	}
	flow, _ := d.Slot(devices.TagDevice, "curflowtemp")
	ret, _ := d.Slot(devices.TagDevice, "rettemp")

	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		data := make([]byte, 15)
		for v := 0; ; v = (v + 1) % 3000 {
			select {
			case <-stop:
				return
			default:
			}
			data[1], data[2], data[13], data[14] = byte(v>>8), byte(v), byte(v>>8), byte(v)
			tg := telegram.Telegram{Src: 0x08, Type: 0x18, Data: data}
			st.Decode(0x08, &tg, time.Now())
		}
	}()
	var snap Snapshot
	for i := 0; i < 2000; i++ {
		st.Snapshot(&snap)
		a, b := snap.States[0].Values[flow], snap.States[0].Values[ret]
		if a.Set != b.Set || a.Num != b.Num {
			t.Fatalf("torn snapshot: curflowtemp %v, rettemp %v", a, b)
		}
	}
	close(stop)
	wg.Wait()
}

func TestLayoutChangesWithCircuits(t *testing.T) {
	st := New()
	p, _ := devices.Identify(0x10, 158, "19.03")
	st.Add(devices.NewDevice(0x10, p, "19.03", ""))
	var snap Snapshot
	st.Snapshot(&snap)
	before := snap.Layout
	tg := telegram.Telegram{Src: 0x10, Type: 0x02A6, Data: []byte{0, 200, 1, 40}}
	if !st.Decode(0x10, &tg, time.Now()) {
		t.Fatal("monitor of hc2 not understood")
	}
	st.Snapshot(&snap)
	if snap.Layout == before || !snap.States[0].HasCircuit(devices.TagHC1+1) {
		t.Error("a new circuit must change the layout")
	}
	if st.Decode(0x11, &tg, time.Now()) {
		t.Error("decoded for a device that does not exist")
	}
}
