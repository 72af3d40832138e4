package httpapi_test

import (
	"math"
	"runtime"
	"strings"
	"testing"

	"github.com/emsd/emsd/internal/testutil"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	dto "github.com/prometheus/client_model/go"
)

// emsd renders the Go runtime and process families itself (without
// allocating); they must keep the names, types and help texts of
// client_golang's collectors, which dashboards for Go programs expect, and
// agree with their values.
func TestRuntimeFamiliesMatchClientGolang(t *testing.T) {
	runtime.GC() // a last GC to report, and a heap that has settled a little
	_, srv := newGateway(t)
	_, _, body := get(t, srv.URL+"/metrics")
	ours := testutil.ParseMetrics(t, body)

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	theirs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, want := range theirs {
		name := want.GetName()
		seen[name] = true
		if strings.HasPrefix(name, "process_network_") {
			continue // counts the whole network namespace: left out on purpose
		}
		got, ok := ours[name]
		if !ok {
			t.Errorf("%s missing", name)
			continue
		}
		if got.GetType() != want.GetType() || got.GetHelp() != want.GetHelp() {
			t.Errorf("%s: %v %q, client_golang has %v %q", name, got.GetType(), got.GetHelp(), want.GetType(), want.GetHelp())
		}
		close := func(tolerance float64) {
			a, b := value(got.GetMetric()[0]), value(want.GetMetric()[0])
			if math.Abs(a-b) > tolerance*math.Max(math.Abs(b), 1) {
				t.Errorf("%s = %v, client_golang reads %v", name, a, b)
			}
		}
		switch name {
		case "process_start_time_seconds": // from /proc, not from the first scrape
			if a, b := value(got.GetMetric()[0]), value(want.GetMetric()[0]); math.Abs(a-b) > 0.01 {
				t.Errorf("%s = %v, client_golang reads %v", name, a, b)
			}
		case "process_max_fds", "process_virtual_memory_max_bytes",
			"go_gc_gogc_percent", "go_gc_gomemlimit_bytes", "go_sched_gomaxprocs_threads":
			close(1e-9)
		case "process_resident_memory_bytes", "process_virtual_memory_bytes":
			close(0.2)
		case "process_open_fds", "go_goroutines", "go_threads",
			"go_memstats_sys_bytes", "go_memstats_heap_sys_bytes", "go_memstats_next_gc_bytes",
			"go_memstats_stack_sys_bytes", "go_memstats_mspan_sys_bytes", "go_memstats_gc_sys_bytes":
			close(0.6) // both read the runtime, moments apart; a young test heap still grows
		case "go_memstats_last_gc_time_seconds":
			if a, b := value(got.GetMetric()[0]), value(want.GetMetric()[0]); math.Abs(a-b) > 60 {
				t.Errorf("%s = %v, client_golang reads %v", name, a, b)
			}
		}
	}
	for name := range ours {
		if (strings.HasPrefix(name, "go_") || strings.HasPrefix(name, "process_")) && !seen[name] {
			t.Errorf("%s is not one of client_golang's families", name)
		}
	}
	if v := ours["go_info"].GetMetric()[0].GetLabel(); len(v) != 1 || !strings.HasPrefix(v[0].GetValue(), "go1.") {
		t.Errorf("go_info labels %v", v)
	}
}

func value(m *dto.Metric) float64 {
	switch {
	case m.Gauge != nil:
		return m.GetGauge().GetValue()
	case m.Counter != nil:
		return m.GetCounter().GetValue()
	}
	return math.NaN()
}
