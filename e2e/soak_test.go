//go:build soak

package e2e

import (
	"context"

	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emsd/emsd/internal/devices"
	"github.com/emsd/emsd/internal/gateway"
	"github.com/emsd/emsd/internal/httpapi"
	"github.com/emsd/emsd/internal/sources/link"
	"github.com/emsd/emsd/internal/sources/sim"
	"github.com/emsd/emsd/internal/store"
)

// TestSoak (make soak): emsd on the simulator with 10% of the master's
// telegrams damaged on the line, while a load generator scrapes every
// endpoint at 200 requests per second for EMSD_SOAK_DURATION (3m).
// Checked: no error answers, no goroutine or heap growth between the first
// minute and the end, the CRC errors counted equal the frames damaged, and
// no value a damaged frame could have produced.
func TestSoak(t *testing.T) {
	duration := 3 * time.Minute
	if d, err := time.ParseDuration(os.Getenv("EMSD_SOAK_DURATION")); err == nil {
		duration = d
	}
	var injected atomic.Int64
	rng := rand.New(rand.NewPCG(1, 2))
	var rngMu sync.Mutex
	line := &link.Line{Damage: func(f []byte) []byte {
		// Telegrams of the simulated devices (not the gateway's own, not
		// one-byte polls): one bit flipped after the source byte, which a
		// CRC always catches.
		if len(f) < 5 || f[0]&0x7F == 0x0B {
			return f
		}
		rngMu.Lock()
		defer rngMu.Unlock()
		if rng.IntN(10) != 0 {
			return f
		}
		injected.Add(1)
		f[1+rng.IntN(len(f)-1)] ^= 1 << rng.IntN(8)
		return f
	}}
	st := store.New()
	gw := gateway.New(gateway.Options{}, st)
	master, ours := line.Attach(), line.Attach()
	gw.SetTransmitter(ours)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(3)
	go func() { defer wg.Done(); gw.Run(ctx) }()
	go func() {
		defer wg.Done()
		gw.FeedFrom(ours)
	}()
	go func() {
		defer wg.Done()
		sim.New(sim.Options{Seed: 9, Speed: 60}).Serve(ctx, master, 0x0B)
	}()
	srv := httptest.NewServer(httpapi.New(st, gw.Stats, httpapi.Settings{}).Handler())
	defer func() {
		srv.Close()
		cancel()
		master.Close()
		ours.Close()
		wg.Wait()
	}()

	deadline := time.Now().Add(time.Minute)
	for len(st.Devices()) < 4 {
		if time.Now().After(deadline) {
			t.Fatalf("devices not found: %d", len(st.Devices()))
		}
		time.Sleep(100 * time.Millisecond)
	}
	paths := []string{"/metrics", "/api/boiler/metrics", "/api/thermostat/metrics", "/api/system/metrics",
		"/api/boiler", "/api/thermostat", "/api/boiler/entities", "/api/system", "/api/boiler/curflowtemp",
		"/prometheus/sd", "/"}
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	for _, p := range paths { // the first fetches bring every endpoint a value
		for {
			resp, err := client.Get(srv.URL + p)
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					break
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s never answered 200", p)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	var requests, failures atomic.Int64
	work := make(chan string, 64)
	var load sync.WaitGroup
	for i := 0; i < 8; i++ {
		load.Add(1)
		go func() {
			defer load.Done()
			for p := range work {
				resp, err := client.Get(srv.URL + p)
				requests.Add(1)
				if err != nil {
					failures.Add(1)
					t.Logf("GET %s: %v", p, err)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					failures.Add(1)
					t.Logf("GET %s: %d", p, resp.StatusCode)
				}
			}
		}()
	}
	type sample struct {
		goroutines int
		heap       uint64
	}
	measure := func() sample {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return sample{runtime.NumGoroutine(), m.HeapInuse}
	}
	var first sample
	var lastUptime, lastStarts int64
	tick := time.NewTicker(5 * time.Millisecond) // 200 requests a second
	minute := time.NewTicker(time.Minute)
	end := time.After(duration)
	for i := 0; ; i++ {
		select {
		case <-tick.C:
			work <- paths[i%len(paths)]
			continue
		case <-minute.C:
			if first.goroutines == 0 {
				first = measure()
				t.Logf("after a minute: %d goroutines, heap in use %.1f MB", first.goroutines, float64(first.heap)/1e6)
			}
			lastUptime, lastStarts = checkValues(t, st, lastUptime, lastStarts)
			continue
		case <-end:
		}
		break
	}
	tick.Stop()
	close(work)
	load.Wait()
	last := measure()
	checkValues(t, st, lastUptime, lastStarts)
	stats := gw.Stats()
	t.Logf("%d requests (%.0f/s), %d failed; %d telegrams, %d damaged on the line, %d CRC errors counted, %d reads, %d read retries",
		requests.Load(), float64(requests.Load())/duration.Seconds(), failures.Load(), stats.TelegramsReceived,
		injected.Load(), stats.CRCErrors, stats.Reads, stats.TxRetries)
	t.Logf("at the end: %d goroutines, heap in use %.1f MB", last.goroutines, float64(last.heap)/1e6)
	if failures.Load() != 0 {
		t.Errorf("%d requests failed", failures.Load())
	}
	if int64(stats.CRCErrors) != injected.Load() || stats.IncompleteTelegrams != stats.CRCErrors {
		t.Errorf("counted %d CRC errors and %d incomplete telegrams, injected %d", stats.CRCErrors, stats.IncompleteTelegrams, injected.Load())
	}
	if first.goroutines != 0 && (last.goroutines > first.goroutines+5 || last.heap > first.heap+4<<20) {
		t.Errorf("growth: goroutines %d -> %d, heap %.1f -> %.1f MB", first.goroutines, last.goroutines,
			float64(first.heap)/1e6, float64(last.heap)/1e6)
	}
}

// checkValues: every value is one the simulated house can have, and the
// counters never went back.
func checkValues(t *testing.T, st *store.Store, lastUptime, lastStarts int64) (int64, int64) {
	t.Helper()
	var snap store.Snapshot
	st.Snapshot(&snap)
	get := func(tag devices.Tag, short string) (float64, int64, bool) {
		for i, d := range snap.Devices {
			if slot, ok := d.Slot(tag, short); ok {
				v, e := snap.States[i].Values[slot], d.Entities[slot]
				if !v.Set {
					return 0, 0, false
				}
				f := float64(v.Num)
				if e.Scale > 0 {
					f /= float64(e.Scale)
				}
				return f, v.Num, true
			}
		}
		return 0, 0, false
	}
	for _, c := range []struct {
		tag      devices.Tag
		short    string
		min, max float64
	}{
		{devices.TagDevice, "curflowtemp", 5, 90}, {devices.TagDevice, "rettemp", 5, 90},
		{devices.TagDevice, "outdoortemp", -25, 40}, {devices.TagDevice, "syspress", 1, 2},
		{devices.TagHC1, "currtemp", 5, 35}, {devices.TagHC1 + 1, "currtemp", 5, 35},
		{devices.TagHC1, "seltemp", 17, 21}, {devices.TagDHW, "curtemp", 10, 80},
		{devices.TagDevice, "curburnpow", 0, 100},
	} {
		if v, _, ok := get(c.tag, c.short); ok && (v < c.min || v > c.max) {
			t.Errorf("%s.%s = %v: a value the simulated house cannot have", c.tag, c.short, v)
		}
	}
	_, uptime, _ := get(devices.TagDevice, "ubauptime")
	_, starts, _ := get(devices.TagDevice, "burnstarts")
	if uptime < lastUptime || starts < lastStarts {
		t.Errorf("a counter went back: uptime %d -> %d, starts %d -> %d", lastUptime, uptime, lastStarts, starts)
	}
	return uptime, starts
}
