package httpapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/emsd/emsd/internal/gateway"
	"github.com/emsd/emsd/internal/httpapi"
	"github.com/emsd/emsd/internal/reference"
	"github.com/emsd/emsd/internal/store"
)

// discard is a ResponseWriter that keeps nothing, so that a benchmark
// measures the handler alone.
type discard struct {
	h http.Header
	n int
}

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { d.n += len(b); return len(b), nil }
func (d *discard) WriteHeader(int)             {}

// benchHandler serves the benchmark installation of perf-installation.txt.
func benchHandler(b *testing.B) http.Handler {
	st := store.New()
	gw := gateway.New(gateway.Options{}, st)
	feedHexFile(b, gw, filepath.Join(reference.Dir(b), "perf-installation.txt"))
	return httpapi.New(st, gw.Stats, httpapi.Settings{Version: "bench"}).Handler()
}

// benchEndpoint reports ns/op, allocations and, for metrics, ns per sample.
func benchEndpoint(b *testing.B, path string) {
	h := benchHandler(b)
	req, _ := http.NewRequest("GET", path, nil)
	w := &discard{h: http.Header{}}
	h.ServeHTTP(w, req)
	rec := &bytes.Buffer{}
	h.ServeHTTP(&recorder{discard: discard{h: http.Header{}}, buf: rec}, req)
	// Samples of an exposition, or values of a JSON document.
	samples, unit := 0, "sample"
	if bytes.HasPrefix(rec.Bytes(), []byte("{")) {
		var doc any
		if err := json.Unmarshal(rec.Bytes(), &doc); err != nil {
			b.Fatal(err)
		}
		samples, unit = countLeaves(doc), "value"
	} else {
		for _, line := range bytes.Split(rec.Bytes(), []byte("\n")) {
			if len(line) > 0 && line[0] != '#' {
				samples++
			}
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		h.ServeHTTP(w, req)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(samples), "ns/"+unit)
	b.ReportMetric(float64(samples), unit+"s")
}

func countLeaves(v any) int {
	switch x := v.(type) {
	case map[string]any:
		n := 0
		for _, e := range x {
			n += countLeaves(e)
		}
		return n
	case []any:
		n := 0
		for _, e := range x {
			n += countLeaves(e)
		}
		return n
	}
	return 1
}

type recorder struct {
	discard
	buf *bytes.Buffer
}

func (r *recorder) Write(b []byte) (int, error) { return r.buf.Write(b) }

func BenchmarkBoilerMetrics(b *testing.B)     { benchEndpoint(b, "/api/boiler/metrics") }
func BenchmarkThermostatMetrics(b *testing.B) { benchEndpoint(b, "/api/thermostat/metrics") }
func BenchmarkSystemMetrics(b *testing.B)     { benchEndpoint(b, "/api/system/metrics") }
func BenchmarkBoilerJSON(b *testing.B)        { benchEndpoint(b, "/api/boiler") }
func BenchmarkThermostatJSON(b *testing.B)    { benchEndpoint(b, "/api/thermostat") }
func BenchmarkAllMetrics(b *testing.B)        { benchEndpoint(b, "/metrics") }

// BenchmarkLoopbackThermostat scrapes /api/thermostat/metrics over real
// HTTP on loopback, and a server that only writes the same bytes, in the
// same run; it reports both request rates and their ratio.
func BenchmarkLoopbackThermostat(b *testing.B) {
	h := benchHandler(b)
	emsd := httptest.NewServer(h)
	defer emsd.Close()
	body := &bytes.Buffer{}
	req, _ := http.NewRequest("GET", "/api/thermostat/metrics", nil)
	h.ServeHTTP(&recorder{discard: discard{h: http.Header{}}, buf: body}, req)
	static := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		w.Write(body.Bytes())
	}))
	defer static.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	run := func(url string, n int) time.Duration {
		start := time.Now()
		var wg sync.WaitGroup
		for w := 0; w < 8; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < n/8; i++ {
					resp, err := client.Get(url)
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}()
		}
		wg.Wait()
		return time.Since(start)
	}
	const n = 2000
	var emsdTime, staticTime time.Duration
	for b.Loop() {
		staticTime += run(static.URL+"/api/thermostat/metrics", n)
		emsdTime += run(emsd.URL+"/api/thermostat/metrics", n)
	}
	b.ReportMetric(float64(b.N*n)/emsdTime.Seconds(), "emsd-req/s")
	b.ReportMetric(float64(b.N*n)/staticTime.Seconds(), "static-req/s")
	b.ReportMetric(staticTime.Seconds()/emsdTime.Seconds(), "ratio")
}
