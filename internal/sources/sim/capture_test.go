package sim

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/emsd/emsd/internal/devices"
	"github.com/emsd/emsd/internal/gateway"
	"github.com/emsd/emsd/internal/httpapi"
	"github.com/emsd/emsd/internal/sources/replay"
	"github.com/emsd/emsd/internal/store"
	"github.com/emsd/emsd/internal/testutil"
)

func scrape(t *testing.T, st *store.Store, gw *gateway.Gateway, path string) []byte {
	t.Helper()
	h := httpapi.New(st, gw.Stats, httpapi.Settings{}).Handler()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
	if w.Code != 200 {
		t.Fatalf("%s: %d %s", path, w.Code, w.Body)
	}
	return w.Body.Bytes()
}

// A capture of a live bus, replayed, gives the same metrics.
func TestCaptureReplay(t *testing.T) {
	var capture testutil.SyncBuffer
	r := newBusRig(t, gateway.Options{Capture: &capture}, nil, start.Add(6*time.Hour)) // the morning heat-up
	r.waitFor(t, "fetched values", func() bool { _, ok := r.value(devices.TagHC1, "comforttemp"); return ok })
	r.waitFor(t, "burner energy", func() bool { return boilerEnergy(r.st).Heat > 0 })
	r.cancel()
	<-r.done
	live := map[string][]byte{}
	for _, p := range []string{"/api/boiler/metrics", "/api/thermostat/metrics", "/api/boiler", "/api/thermostat/entities"} {
		live[p] = scrape(t, r.st, r.gw, p)
	}

	st := store.New()
	gw := gateway.New(gateway.Options{}, st)
	file := []byte(capture.String())
	p := replay.Player{Speed: 0, Feed: gw.FeedAt, Skipped: func(line int, err error) { t.Errorf("line %d: %v", line, err) }}
	if n, err := p.Play(context.Background(), bytes.NewReader(file)); err != nil || n == 0 {
		t.Fatalf("replayed %d frames: %v", n, err)
	}
	for path, want := range live {
		if got := scrape(t, st, gw, path); !bytes.Equal(got, want) {
			t.Errorf("%s differs after replay:\n%s\nwant\n%s", path, got, want)
		}
	}
	if a, b := r.gw.Stats(), gw.Stats(); a.TelegramsReceived != b.TelegramsReceived || a.IncompleteTelegrams != b.IncompleteTelegrams {
		t.Errorf("bus counters live %+v, replayed %+v", a, b)
	}
	// Replayed as fast as possible, frames count at their recorded times.
	if a, b := boilerEnergy(r.st), boilerEnergy(st); a != b {
		t.Errorf("burner energy live %+v, replayed %+v", a, b)
	}
}

func boilerEnergy(st *store.Store) devices.Energy {
	var snap store.Snapshot
	st.Snapshot(&snap)
	for i, d := range snap.Devices {
		if e, ok := d.Energy(&snap.States[i]); ok {
			return e
		}
	}
	return devices.Energy{}
}
