package sim

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/emsd/emsd/internal/devices"
	"github.com/emsd/emsd/internal/gateway"
	"github.com/emsd/emsd/internal/sources/link"
	"github.com/emsd/emsd/internal/store"
	"github.com/emsd/emsd/internal/testutil"
)

// busRig is the simulator as bus master and a gateway on one line.
type busRig struct {
	st     *store.Store
	gw     *gateway.Gateway
	line   *link.Line
	cancel func()
	done   chan struct{}
}

// newBusRig starts the simulated house at simStart (zero: the tests' start).
func newBusRig(t *testing.T, opt gateway.Options, damage func([]byte) []byte, simStart time.Time) *busRig {
	if simStart.IsZero() {
		simStart = start
	}
	r := &busRig{st: store.New(), line: &link.Line{Damage: damage}, done: make(chan struct{})}
	r.gw = gateway.New(opt, r.st)
	master, ours := r.line.Attach(), r.line.Attach()
	if !opt.ReadOnly {
		r.gw.SetTransmitter(ours)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go r.gw.Run(ctx)
	go r.gw.FeedFrom(ours)
	go func() {
		New(Options{Seed: 3, Start: simStart, Speed: 60}).Serve(ctx, master, 0x0B)
		close(r.done)
	}()
	t.Cleanup(func() {
		cancel()
		master.Close()
		ours.Close()
		<-r.done
	})
	return r
}

func (r *busRig) value(tag devices.Tag, short string) (int64, bool) {
	var snap store.Snapshot
	r.st.Snapshot(&snap)
	for i, d := range snap.Devices {
		if slot, ok := d.Slot(tag, short); ok && snap.States[i].Values[slot].Set {
			return snap.States[i].Values[slot].Num, true
		}
	}
	return 0, false
}

func (r *busRig) waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second) // generous: bus timeouts are real time, and CI machines get busy
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; bus %+v", what, r.gw.Stats())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// The gateway discovers all devices from UBADevices and Version, fetches
// what they send only on request, and its writes are acknowledged.
func TestGatewayOnSimulatedBus(t *testing.T) {
	r := newBusRig(t, gateway.Options{}, nil, time.Time{})
	r.waitFor(t, "all four devices", func() bool { return len(r.st.Devices()) == 4 })
	for _, v := range []struct {
		tag   devices.Tag
		short string
	}{{devices.TagDevice, "ubauptime"}, {devices.TagDevice, "heatingtemp"}, {devices.TagDHW, "seltemp"},
		{devices.TagHC1, "comforttemp"}, {devices.TagHC1, "maxflowtemp"}, {devices.TagDevice, "dampedoutdoortemp"}} {
		r.waitFor(t, v.short+" (sent only on request)", func() bool { _, ok := r.value(v.tag, v.short); return ok })
	}
	if err := r.gw.Write(0x10, 0x02B9, 2, []byte{44}); err != nil {
		t.Fatal(err)
	}
	if err := r.gw.Write(0x10, 0x0999, 0, []byte{1}); err != nil { // a type the thermostat rejects
		t.Fatal(err)
	}
	r.waitFor(t, "the writes answered", func() bool { s := r.gw.Stats(); return s.Writes == 1 && s.WritesFailed == 1 })
	s := r.gw.Stats()
	if s.Reads < 20 || s.ReadsFailed != 0 || !s.Polled || !s.Connected || s.TxQuality() < 90 {
		t.Errorf("bus %+v", s)
	}
}

// Types read again every round keep being read; a "fetch once" type
// (UBAFactory) is read until its first answer only.
func TestFetchOnce(t *testing.T) {
	var capture testutil.SyncBuffer
	r := newBusRig(t, gateway.Options{Capture: &capture, FetchInterval: 200 * time.Millisecond}, nil, time.Time{})
	reads := func(typ string) int { // read requests from us (0x0B) to the boiler (0x08)
		return strings.Count(capture.String(), " 0b88"+typ+"00")
	}
	r.waitFor(t, "four rounds of fetches", func() bool { return reads("14") >= 4 })
	if n := reads("04"); n != 1 {
		t.Errorf("UBAFactory read %d times, want once", n)
	}
	if _, ok := r.value(devices.TagDevice, "nompower"); !ok {
		t.Error("no nominal power from UBAFactory")
	}
}

// Read-only, the gateway never answers a poll: broadcasts arrive, values
// sent only on request do not.
func TestReadOnlyGatewayOnSimulatedBus(t *testing.T) {
	r := newBusRig(t, gateway.Options{ReadOnly: true}, nil, time.Time{})
	r.waitFor(t, "a broadcast", func() bool { return r.gw.Stats().TelegramsReceived > 0 })
	time.Sleep(300 * time.Millisecond)
	if s := r.gw.Stats(); s.Reads != 0 || len(r.st.Devices()) != 0 {
		t.Errorf("read-only gateway: reads %d, devices %d", s.Reads, len(r.st.Devices()))
	}
}

// With one frame in eight damaged on the line (the gateway's own requests
// and their answers included), retries still bring every value in, and the
// damage is counted, never decoded.
func TestDamagedLine(t *testing.T) {
	n := 0
	damage := func(f []byte) []byte {
		n++
		if n%8 == 0 && len(f) > 4 {
			f[len(f)/2] ^= 0x40
		}
		return f
	}
	r := newBusRig(t, gateway.Options{}, damage, time.Time{})
	r.waitFor(t, "all four devices", func() bool { return len(r.st.Devices()) == 4 })
	r.waitFor(t, "ubauptime", func() bool { _, ok := r.value(devices.TagDevice, "ubauptime"); return ok })
	r.waitFor(t, "a counted damage", func() bool { return r.gw.Stats().IncompleteTelegrams > 0 })
	if got, ok := r.value(devices.TagDevice, "ubauptime"); !ok || got < 100000 || got > 10000000 {
		t.Errorf("ubauptime %d", got)
	}
}
