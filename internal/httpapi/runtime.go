package httpapi

import (
	"bytes"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// The Go runtime and process families of /metrics, rendered like the
// devices' families: appended to the scrape buffer without allocating.
// Names, types and help texts are those of client_golang's Go and process
// collectors, so dashboards made for any Go program work; its network byte
// counters are left out, as they count the whole network namespace, not
// emsd.

type runtimeStats struct {
	mu        sync.Mutex // the buffers below serve one scrape at a time
	gc        debug.GCStats
	samples   []metrics.Sample // runtimeMetricNames, in order
	statm     *os.File         // /proc/self/statm, read again from offset 0 each scrape
	fdDir     int              // /proc/self/fd, listed again each scrape; -1 without it
	buf       [4096]byte
	startTime float64
}

// The runtime/metrics read each scrape, and their indexes in
// runtimeStats.samples. client_golang derives its go_memstats_* from the
// same values (as their help texts say), without stopping the world as
// runtime.ReadMemStats does.
var runtimeMetricNames = []string{
	"/gc/gogc:percent",
	"/gc/gomemlimit:bytes",
	"/sched/gomaxprocs:threads",
	"/memory/classes/heap/objects:bytes",
	"/gc/heap/allocs:bytes",
	"/memory/classes/profiling/buckets:bytes",
	"/gc/heap/frees:objects",
	"/gc/heap/tiny/allocs:objects",
	"/memory/classes/metadata/other:bytes",
	"/memory/classes/heap/released:bytes",
	"/memory/classes/heap/free:bytes",
	"/memory/classes/heap/unused:bytes",
	"/gc/heap/objects:objects",
	"/gc/heap/allocs:objects",
	"/memory/classes/metadata/mcache/inuse:bytes",
	"/memory/classes/metadata/mcache/free:bytes",
	"/memory/classes/metadata/mspan/inuse:bytes",
	"/memory/classes/metadata/mspan/free:bytes",
	"/gc/heap/goal:bytes",
	"/memory/classes/other:bytes",
	"/memory/classes/heap/stacks:bytes",
	"/memory/classes/os-stacks:bytes",
	"/memory/classes/total:bytes",
}

const (
	rmGogc = iota
	rmMemLimit
	rmMaxProcs
	rmHeapObjects
	rmAllocBytes
	rmBuckets
	rmFrees
	rmTinyAllocs
	rmMetaOther
	rmHeapReleased
	rmHeapFree
	rmHeapUnused
	rmObjects
	rmAllocObjects
	rmMcacheInuse
	rmMcacheFree
	rmMspanInuse
	rmMspanFree
	rmHeapGoal
	rmOtherSys
	rmStacks
	rmOsStacks
	rmTotal
)

// processStats is shared by every server of the process (a bridge has one
// per gateway), opened at the first scrape.
var processStats = sync.OnceValue(newRuntimeStats)

func newRuntimeStats() *runtimeStats {
	r := &runtimeStats{fdDir: -1, startTime: processStart()}
	// ReadGCStats reuses Pause when it has room for twice the runtime's
	// pause history, and fills PauseQuantiles when it has a length.
	r.gc.Pause = make([]time.Duration, 0, 2*len(runtime.MemStats{}.PauseNs)+3)
	r.gc.PauseQuantiles = make([]time.Duration, 5)
	for _, name := range runtimeMetricNames {
		r.samples = append(r.samples, metrics.Sample{Name: name})
	}
	if f, err := os.Open("/proc/self/statm"); err == nil {
		r.statm = f
	}
	if fd, err := syscall.Open("/proc/self/fd", syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0); err == nil {
		r.fdDir = fd
	}
	return r
}

// processStart reads the process's start time from /proc: the boot time
// plus the start in clock ticks after boot. Without /proc it is now.
func processStart() float64 {
	start, ok1 := procStartTicks()
	boot, ok2 := bootTime()
	if !ok1 || !ok2 {
		return float64(time.Now().UnixNano()) / 1e9
	}
	return boot + start/100 // USER_HZ is 100 on Linux
}

// procStartTicks is field 22 of /proc/self/stat, counted after the command
// name, which is in parentheses and may hold spaces.
func procStartTicks() (float64, bool) {
	stat, err := os.ReadFile("/proc/self/stat")
	i := bytes.LastIndexByte(stat, ')')
	if err != nil || i < 0 {
		return 0, false
	}
	const field = 22 - 3 // after pid and command
	fields := bytes.Fields(stat[i+1:])
	if len(fields) <= field {
		return 0, false
	}
	v, err := strconv.ParseFloat(string(fields[field]), 64)
	return v, err == nil
}

// bootTime is the btime line of /proc/stat, in seconds since 1970.
func bootTime() (float64, bool) {
	system, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, false
	}
	for _, line := range bytes.Split(system, []byte("\n")) {
		if v, ok := bytes.CutPrefix(line, []byte("btime ")); ok {
			bt, err := strconv.ParseFloat(string(v), 64)
			return bt, err == nil
		}
	}
	return 0, false
}

// appendRuntime renders the go_* and process_* families.
func (r *runtimeStats) appendRuntime(b []byte, om bool) []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	debug.ReadGCStats(&r.gc)
	metrics.Read(r.samples)
	m := func(i int) float64 { return float64(r.samples[i].Value.Uint64()) }
	lastGC := 0.0
	if r.gc.NumGC > 0 {
		lastGC = float64(r.gc.LastGC.UnixNano()) / 1e9
	}

	b = appendFamily(b, "go_gc_duration_seconds", "A summary of the wall-time pause (stop-the-world) duration in garbage collection cycles.", "summary", om)
	for i, q := range [...]string{"0", "0.25", "0.5", "0.75", "1"} {
		if om && (q == "0" || q == "1") {
			q += ".0"
		}
		b = append(b, `go_gc_duration_seconds{quantile="`...)
		b = append(b, q...)
		b = append(b, `"} `...)
		b = appendOwnValue(b, r.gc.PauseQuantiles[i].Seconds())
	}
	b = appendOwnSample(b, "go_gc_duration_seconds_sum", r.gc.PauseTotal.Seconds())
	b = appendOwnSample(b, "go_gc_duration_seconds_count", float64(r.gc.NumGC))

	b = appendGauge(b, "go_gc_gogc_percent", "Heap size target percentage configured by the user, otherwise 100. This value is set by the GOGC environment variable, and the runtime/debug.SetGCPercent function. Sourced from /gc/gogc:percent.", m(rmGogc), om)
	b = appendGauge(b, "go_gc_gomemlimit_bytes", "Go runtime memory limit configured by the user, otherwise math.MaxInt64. This value is set by the GOMEMLIMIT environment variable, and the runtime/debug.SetMemoryLimit function. Sourced from /gc/gomemlimit:bytes.", m(rmMemLimit), om)
	b = appendGauge(b, "go_goroutines", "Number of goroutines that currently exist.", float64(runtime.NumGoroutine()), om)
	b = appendFamily(b, "go_info", "Information about the Go environment.", "gauge", om)
	b = append(b, `go_info{version="`...)
	b = append(b, runtime.Version()...)
	b = append(b, "\"} 1\n"...)

	for _, f := range [...]struct {
		name, help string
		counter    bool
		v          float64
	}{
		{"go_memstats_alloc_bytes", "Number of bytes allocated in heap and currently in use. Equals to /memory/classes/heap/objects:bytes.", false, m(rmHeapObjects)},
		{"go_memstats_alloc_bytes_total", "Total number of bytes allocated in heap until now, even if released already. Equals to /gc/heap/allocs:bytes.", true, m(rmAllocBytes)},
		{"go_memstats_buck_hash_sys_bytes", "Number of bytes used by the profiling bucket hash table. Equals to /memory/classes/profiling/buckets:bytes.", false, m(rmBuckets)},
		{"go_memstats_frees_total", "Total number of heap objects frees. Equals to /gc/heap/frees:objects + /gc/heap/tiny/allocs:objects.", true, m(rmFrees) + m(rmTinyAllocs)},
		{"go_memstats_gc_sys_bytes", "Number of bytes used for garbage collection system metadata. Equals to /memory/classes/metadata/other:bytes.", false, m(rmMetaOther)},
		{"go_memstats_heap_alloc_bytes", "Number of heap bytes allocated and currently in use, same as go_memstats_alloc_bytes. Equals to /memory/classes/heap/objects:bytes.", false, m(rmHeapObjects)},
		{"go_memstats_heap_idle_bytes", "Number of heap bytes waiting to be used. Equals to /memory/classes/heap/released:bytes + /memory/classes/heap/free:bytes.", false, m(rmHeapReleased) + m(rmHeapFree)},
		{"go_memstats_heap_inuse_bytes", "Number of heap bytes that are in use. Equals to /memory/classes/heap/objects:bytes + /memory/classes/heap/unused:bytes", false, m(rmHeapObjects) + m(rmHeapUnused)},
		{"go_memstats_heap_objects", "Number of currently allocated objects. Equals to /gc/heap/objects:objects.", false, m(rmObjects)},
		{"go_memstats_heap_released_bytes", "Number of heap bytes released to OS. Equals to /memory/classes/heap/released:bytes.", false, m(rmHeapReleased)},
		{"go_memstats_heap_sys_bytes", "Number of heap bytes obtained from system. Equals to /memory/classes/heap/objects:bytes + /memory/classes/heap/unused:bytes + /memory/classes/heap/released:bytes + /memory/classes/heap/free:bytes.", false, m(rmHeapObjects) + m(rmHeapUnused) + m(rmHeapReleased) + m(rmHeapFree)},
		{"go_memstats_last_gc_time_seconds", "Number of seconds since 1970 of last garbage collection.", false, lastGC},
		{"go_memstats_mallocs_total", "Total number of heap objects allocated, both live and gc-ed. Semantically a counter version for go_memstats_heap_objects gauge. Equals to /gc/heap/allocs:objects + /gc/heap/tiny/allocs:objects.", true, m(rmAllocObjects) + m(rmTinyAllocs)},
		{"go_memstats_mcache_inuse_bytes", "Number of bytes in use by mcache structures. Equals to /memory/classes/metadata/mcache/inuse:bytes.", false, m(rmMcacheInuse)},
		{"go_memstats_mcache_sys_bytes", "Number of bytes used for mcache structures obtained from system. Equals to /memory/classes/metadata/mcache/inuse:bytes + /memory/classes/metadata/mcache/free:bytes.", false, m(rmMcacheInuse) + m(rmMcacheFree)},
		{"go_memstats_mspan_inuse_bytes", "Number of bytes in use by mspan structures. Equals to /memory/classes/metadata/mspan/inuse:bytes.", false, m(rmMspanInuse)},
		{"go_memstats_mspan_sys_bytes", "Number of bytes used for mspan structures obtained from system. Equals to /memory/classes/metadata/mspan/inuse:bytes + /memory/classes/metadata/mspan/free:bytes.", false, m(rmMspanInuse) + m(rmMspanFree)},
		{"go_memstats_next_gc_bytes", "Number of heap bytes when next garbage collection will take place. Equals to /gc/heap/goal:bytes.", false, m(rmHeapGoal)},
		{"go_memstats_other_sys_bytes", "Number of bytes used for other system allocations. Equals to /memory/classes/other:bytes.", false, m(rmOtherSys)},
		{"go_memstats_stack_inuse_bytes", "Number of bytes obtained from system for stack allocator in non-CGO environments. Equals to /memory/classes/heap/stacks:bytes.", false, m(rmStacks)},
		{"go_memstats_stack_sys_bytes", "Number of bytes obtained from system for stack allocator. Equals to /memory/classes/heap/stacks:bytes + /memory/classes/os-stacks:bytes.", false, m(rmStacks) + m(rmOsStacks)},
		{"go_memstats_sys_bytes", "Number of bytes obtained from system. Equals to /memory/classes/total:byte.", false, m(rmTotal)},
	} {
		b = appendOwnFamily(b, f.name, f.help, f.counter, f.v, om)
	}
	b = appendGauge(b, "go_sched_gomaxprocs_threads", "The current runtime.GOMAXPROCS setting, or the number of operating system threads that can execute user-level Go code simultaneously. Sourced from /sched/gomaxprocs:threads.", m(rmMaxProcs), om)
	threads, _ := runtime.ThreadCreateProfile(nil)
	b = appendGauge(b, "go_threads", "Number of OS threads created.", float64(threads), om)

	var usage syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &usage) == nil {
		cpu := float64(usage.Utime.Nano()+usage.Stime.Nano()) / 1e9
		b = appendOwnFamily(b, "process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", true, cpu, om)
	}
	var limit syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &limit) == nil {
		b = appendGauge(b, "process_max_fds", "Maximum number of open file descriptors.", float64(limit.Cur), om)
	}
	if n, ok := r.openFDs(); ok {
		b = appendGauge(b, "process_open_fds", "Number of open file descriptors.", float64(n), om)
	}
	virtual, resident, ok := r.memory()
	if ok {
		b = appendGauge(b, "process_resident_memory_bytes", "Resident memory size in bytes.", float64(resident), om)
	}
	b = appendGauge(b, "process_start_time_seconds", "Start time of the process since unix epoch in seconds.", r.startTime, om)
	if ok {
		b = appendGauge(b, "process_virtual_memory_bytes", "Virtual memory size in bytes.", float64(virtual), om)
	}
	if syscall.Getrlimit(syscall.RLIMIT_AS, &limit) == nil {
		b = appendGauge(b, "process_virtual_memory_max_bytes", "Maximum amount of virtual memory available in bytes.", float64(limit.Cur), om)
	}
	return b
}

// memory reads the virtual and resident size from /proc/self/statm (pages).
func (r *runtimeStats) memory() (virtual, resident uint64, ok bool) {
	if r.statm == nil {
		return 0, 0, false
	}
	n, _ := r.statm.ReadAt(r.buf[:], 0)
	fields := r.buf[:n]
	virtual, fields, ok1 := cutUint(fields)
	resident, _, ok2 := cutUint(fields)
	page := uint64(os.Getpagesize()) // 16 KiB on a Raspberry Pi 5's kernel
	return virtual * page, resident * page, ok1 && ok2
}

// cutUint parses the decimal number at the start of b (after spaces).
func cutUint(b []byte) (uint64, []byte, bool) {
	for len(b) > 0 && b[0] == ' ' {
		b = b[1:]
	}
	var v uint64
	i := 0
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		v = v*10 + uint64(b[i]-'0')
	}
	return v, b[i:], i > 0
}

// openFDs counts the entries of /proc/self/fd, listed from the start again.
func (r *runtimeStats) openFDs() (int, bool) {
	if r.fdDir < 0 {
		return 0, false
	}
	if _, err := syscall.Seek(r.fdDir, 0, 0); err != nil {
		return 0, false
	}
	count := 0
	for {
		n, err := syscall.Getdents(r.fdDir, r.buf[:])
		if err != nil {
			return 0, false
		}
		if n <= 0 {
			return count, true
		}
		for off := 0; off < n; {
			const reclenAt, nameAt = 16, 19 // struct linux_dirent64
			reclen := int(r.buf[off+reclenAt]) | int(r.buf[off+reclenAt+1])<<8
			if name := r.buf[off+nameAt:]; !(name[0] == '.' && (name[1] == 0 || name[1] == '.' && name[2] == 0)) {
				count++
			}
			off += reclen
		}
	}
}

// appendFamily writes HELP and TYPE. OpenMetrics names a counter family
// without its _total suffix.
func appendFamily(b []byte, name, help, typ string, om bool) []byte {
	if om && typ == "counter" {
		name = name[:len(name)-len("_total")]
	}
	b = append(b, "# HELP "...)
	b = append(b, name...)
	b = append(b, ' ')
	b = appendHelp(b, help)
	b = append(b, "\n# TYPE "...)
	b = append(b, name...)
	b = append(b, ' ')
	b = append(b, typ...)
	return append(b, '\n')
}

func appendOwnFamily(b []byte, name, help string, counter bool, v float64, om bool) []byte {
	typ := "gauge"
	if counter {
		typ = "counter"
	}
	b = appendFamily(b, name, help, typ, om)
	return appendOwnSample(b, name, v)
}

func appendGauge(b []byte, name, help string, v float64, om bool) []byte {
	return appendOwnFamily(b, name, help, false, v, om)
}

func appendOwnSample(b []byte, name string, v float64) []byte {
	b = append(b, name...)
	b = append(b, ' ')
	return appendOwnValue(b, v)
}

func appendOwnValue(b []byte, v float64) []byte {
	if math.IsInf(v, 0) || math.IsNaN(v) {
		v = 0
	}
	b = appendMetricValue(b, v)
	return append(b, '\n')
}
