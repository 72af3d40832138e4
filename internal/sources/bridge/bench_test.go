package bridge

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"
)

// BenchmarkRefresh is one refresh of one gateway over loopback HTTP: system
// info and the entities of its two device types.
func BenchmarkRefresh(b *testing.B) {
	_, srv := newFakeGateway(b)
	g := New(Target{Name: "home", URL: srv.URL}, Options{})
	b.ReportAllocs()
	for b.Loop() {
		if err := g.Refresh(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(g.Health().Requests)/float64(g.Health().Refreshes), "requests/refresh")
}

// TestHundredGateways measures what serving a fleet costs: 100 fake
// gateways on loopback, each refreshed once; it reports the time and the
// memory the bridged stores hold (numbers for the notes, no thresholds).
func TestHundredGateways(t *testing.T) {
	if testing.Short() {
		t.Skip("measurement")
	}
	fake, _ := newFakeGateway(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// /gw/<n>/api/... is gateway n
		parts := strings.SplitN(r.URL.Path, "/", 4)
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/" + parts[3]
		fake.ServeHTTP(w, r2)
	}))
	defer srv.Close()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	gateways := make([]*Gateway, 100)
	start := time.Now()
	for i := range gateways {
		gateways[i] = New(Target{Name: fmt.Sprint(i), URL: fmt.Sprintf("%s/gw/%d", srv.URL, i)}, Options{})
		if err := gateways[i].Refresh(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	took := time.Since(start)
	runtime.GC()
	runtime.ReadMemStats(&after)
	t.Logf("100 gateways: one refresh each in %v (%v per gateway), %d requests, bridged state %.1f MB (%.1f KB per gateway)",
		took, took/100, fake.requests.Load(), float64(after.HeapAlloc-before.HeapAlloc)/1e6,
		float64(after.HeapAlloc-before.HeapAlloc)/1e3/100)
	runtime.KeepAlive(gateways)
}
