package httpapi

import (
	"fmt"
	"os"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/emsd/emsd/internal/devices"
	"github.com/emsd/emsd/internal/store"
)

// APIVersion is the EMS-ESP version whose API emsd answers; clients pick
// their API by it.
const APIVersion = "3.8.1"

// field is one key of a system section: a string, an integer or a boolean.
type field struct {
	key  string
	kind byte // 's', 'i' or 'b'
	s    string
	i    int64
}

func str(k, v string) field { return field{key: k, kind: 's', s: v} }
func num(k string, v int64) field {
	return field{key: k, kind: 'i', i: v}
}
func flag(k string, v bool) field {
	f := field{key: k, kind: 'b'}
	if v {
		f.i = 1
	}
	return f
}

type section struct {
	name   string
	fields []field
}

// systemInfo is /api/system/info: the sections, then the device list.
type systemInfo struct {
	sections  []section
	devices   []deviceInfo
	fields    []field // backing store of every section's fields
	summaries []store.Summary
}

// add appends a section. fields has room for all of them (newSystemInfo),
// so earlier sections keep pointing at valid memory.
func (info *systemInfo) add(name string, fs ...field) {
	start := len(info.fields)
	info.fields = append(info.fields, fs...)
	info.sections = append(info.sections, section{name, info.fields[start:len(info.fields):len(info.fields)]})
}

// systemInfos recycles the structures a system answer is built in.
var systemInfos = sync.Pool{New: func() any {
	return &systemInfo{sections: make([]section, 0, 16), fields: make([]field, 0, 64)}
}}

type deviceInfo struct {
	typ, name, id, brand, version string
	productID, entities           int
	received, fetched, pending    string
}

// Settings are the facts about emsd's own configuration that the settings
// section reports.
type Settings struct {
	Version    string                 // emsd's own version
	Collectors []prometheus.Collector // more of emsd's own metrics for /metrics (the bridge's health)
	BusID      byte
	TxMode     int // 0 off (listen only), 1 EMS, 2 EMS+, 3 HT3
	ReadOnly   bool
	noBus      bool // a fleet's own metrics: no bus, no devices
}

// systemInfo gathers the system sections and the device list into a
// pooled structure; put it back with systemInfos.Put when done. The handler
// lists (telegram types received, fetched, pending) and the uptime text
// are made only for the JSON, which alone shows them.
func (s *Server) systemInfo(snap *store.Snapshot, forJSON bool) *systemInfo {
	info := systemInfos.Get().(*systemInfo)
	info.summaries = info.summaries[:0]
	if snap == nil { // a metrics answer: no need to copy every value
		info.summaries = s.store.Summaries(info.summaries)
	} else {
		for i, d := range snap.Devices {
			info.summaries = append(info.summaries, store.Summary{Device: d, Active: d.Active(&snap.States[i])})
		}
	}
	info.sections, info.devices, info.fields = info.sections[:0], info.devices[:0], info.fields[:0]
	bus := s.bus()
	status := "disconnected"
	switch {
	case bus.Connected && bus.Polled && bus.TxQuality() < 80:
		status = "connected, tx issues - try a different Tx Mode"
	case bus.Connected:
		status = "connected"
	}
	protocol := bus.Protocol
	if protocol == "" {
		protocol = "Buderus"
	}
	uptime := s.now().Sub(s.start)
	uptimeText := ""
	if forJSON {
		uptimeText = formatUptime(uptime)
	}
	ntp, mem := s.host.read(s.now())
	info.add("system",
		str("version", APIVersion),
		str("emsdVersion", s.settings.Version),
		str("uptime", uptimeText),
		num("uptimeSec", int64(uptime/time.Second)),
		str("platform", "linux"),
		num("memUsed", mem))
	info.add("network", str("network", "Ethernet"), str("hostname", s.hostname))
	info.add("ntp", str("NTPstatus", ntp), flag("enabled", true))
	info.add("mqtt", str("MQTTStatus", "disconnected"), flag("enabled", false))
	info.add("syslog", flag("enabled", false))
	info.add("sensor",
		num("temperatureSensors", 0), num("temperatureSensorReads", 0), num("temperatureSensorFails", 0),
		num("analogSensors", 0), num("analogSensorReads", 0), num("analogSensorFails", 0))
	info.add("api", num("APICalls", int64(s.apiCalls.Load())), num("APIFails", int64(s.apiFails.Load())))
	info.add("bus",
		str("busStatus", status),
		str("busProtocol", protocol),
		num("busTelegramsReceived", int64(bus.TelegramsReceived)),
		num("busReads", int64(bus.Reads)),
		num("busWrites", int64(bus.Writes)),
		num("busIncompleteTelegrams", int64(bus.IncompleteTelegrams)),
		num("busReadsFailed", int64(bus.ReadsFailed)),
		num("busWritesFailed", int64(bus.WritesFailed)),
		num("busRxLineQuality", int64(bus.RxQuality())),
		num("busTxLineQuality", int64(bus.TxQuality())))
	info.add("settings",
		str("locale", "en"),
		num("txMode", int64(s.settings.TxMode)),
		num("emsBusID", int64(s.settings.BusID)),
		flag("readonlyMode", s.settings.ReadOnly),
		flag("fahrenheit", false),
		num("boolFormat", 1),
		num("enumFormat", 1))
	for i, sum := range info.summaries {
		d := sum.Device
		di := deviceInfo{typ: d.Product.Type.String(), name: d.Product.Name, id: hexID(d.ID), brand: d.Brand,
			version: d.Version, productID: int(d.Product.ID), entities: sum.Active}
		if !forJSON || snap == nil {
			info.devices = append(info.devices, di)
			continue
		}
		st := &snap.States[i]
		var rec, fet, pen []string
		for j, h := range d.Handlers {
			switch {
			case !st.Received[j]:
				pen = append(pen, hexType(h.Type))
			case h.Fetch:
				fet = append(fet, hexType(h.Type))
			default:
				rec = append(rec, hexType(h.Type))
			}
		}
		di.received, di.fetched, di.pending = strings.Join(rec, " "), strings.Join(fet, " "), strings.Join(pen, " ")
		info.devices = append(info.devices, di)
	}
	return info
}

// hostFacts caches what the host's NTP state and emsd's memory are: a
// system call and a runtime read, worth doing once a second, not per scrape.
type hostFacts struct {
	mu      sync.Mutex
	at      time.Time
	ntp     string
	memKB   int64
	samples []metrics.Sample
}

func (h *hostFacts) read(now time.Time) (string, int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if now.Sub(h.at) < time.Second && h.ntp != "" {
		return h.ntp, h.memKB
	}
	if h.samples == nil {
		h.samples = []metrics.Sample{{Name: "/memory/classes/total:bytes"}}
	}
	metrics.Read(h.samples)
	if h.samples[0].Value.Kind() == metrics.KindUint64 {
		h.memKB = int64(h.samples[0].Value.Uint64() / 1024)
	}
	h.at, h.ntp = now, ntpStatus()
	return h.ntp, h.memKB
}

// hexIDs are "0x00".."0x7F" and beyond, made once.
var hexIDs = func() (t [256]string) {
	for i := range t {
		t[i] = fmt.Sprintf("0x%02X", i)
	}
	return t
}()

func hexID(id byte) string { return hexIDs[id] }

func hexType(t uint16) string {
	if t > 0xFF {
		return fmt.Sprintf("0x%04X", t)
	}
	return fmt.Sprintf("0x%02X", t)
}

func itoa(i int) string { return strconv.Itoa(i) }

// formatUptime is EMS-ESP's "DDD+HH:MM:SS.mmm".
func formatUptime(d time.Duration) string {
	ms := d.Milliseconds()
	return fmt.Sprintf("%03d+%02d:%02d:%02d.%03d", ms/86400000, ms/3600000%24, ms/60000%60, ms/1000%60, ms%1000)
}

// ntpStatus asks the kernel whether the clock is synchronised.
func ntpStatus() string {
	var tx syscall.Timex
	state, err := syscall.Adjtimex(&tx)
	const timeError = 5
	if err != nil || state == timeError {
		return "disconnected"
	}
	return "connected"
}

func hostname() string {
	h, err := os.Hostname()
	if err != nil {
		return "emsd"
	}
	return h
}

// appendSystemJSON writes the whole info object.
func (info *systemInfo) appendJSON(b []byte) []byte {
	b = append(b, '{')
	for _, sec := range info.sections {
		b = appendJSONString(b, sec.name)
		b = append(b, ':')
		b = sec.appendJSON(b, false)
		b = append(b, ',')
	}
	b = append(b, `"devices":[`...)
	for i, d := range info.devices {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"type":`...)
		b = appendJSONString(b, d.typ)
		b = append(b, `,"name":`...)
		b = appendJSONString(b, d.name)
		b = append(b, `,"deviceID":`...)
		b = appendJSONString(b, d.id)
		b = append(b, `,"productID":`...)
		b = strconv.AppendInt(b, int64(d.productID), 10)
		b = append(b, `,"brand":`...)
		b = appendJSONString(b, d.brand)
		b = append(b, `,"version":`...)
		b = appendJSONString(b, d.version)
		b = append(b, `,"entities":`...)
		b = strconv.AppendInt(b, int64(d.entities), 10)
		for _, kv := range [][2]string{{"handlersReceived", d.received}, {"handlersFetched", d.fetched}, {"handlersPending", d.pending}} {
			if kv[1] != "" {
				b = append(b, ',')
				b = appendJSONString(b, kv[0])
				b = append(b, ':')
				b = appendJSONString(b, kv[1])
			}
		}
		b = append(b, '}')
	}
	return append(b, "]}"...)
}

// appendJSON writes the section as an object; stringify renders every value
// as a string, as /api/system/<section> does.
func (sec *section) appendJSON(b []byte, stringify bool) []byte {
	b = append(b, '{')
	for i, f := range sec.fields {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, f.key)
		b = append(b, ':')
		b = f.appendJSON(b, stringify)
	}
	return append(b, '}')
}

func (f *field) appendJSON(b []byte, stringify bool) []byte {
	var raw []byte
	switch f.kind {
	case 's':
		return appendJSONString(b, f.s)
	case 'i':
		raw = strconv.AppendInt(nil, f.i, 10)
	default:
		raw = strconv.AppendBool(nil, f.i != 0)
	}
	if stringify {
		return appendJSONString(b, string(raw))
	}
	return append(b, raw...)
}

func (f *field) typeName() string {
	switch f.kind {
	case 's':
		return "string"
	case 'i':
		return "number"
	}
	return "boolean"
}

// appendMetrics renders /api/system/metrics: numbers and booleans as
// emsesp_<section>_<key>, strings as labels of emsesp_<section>_info, then
// one productid and one entities sample per device. It writes straight into
// b with names rendered once, allocating nothing.
func (info *systemInfo) appendMetrics(b []byte, cache *systemNames) []byte {
	names := cache.match(info)
	fi := 0
	for si, sec := range info.sections {
		labels := false
		for _, f := range sec.fields {
			n := names.fields[fi]
			fi++
			if f.kind == 's' {
				labels = labels || f.s != "" && !volatileField(sec.name, f.key)
				continue
			}
			b = append(b, n.header...)
			b = append(b, n.name...)
			b = append(b, ' ')
			b = strconv.AppendInt(b, f.i, 10)
			b = append(b, '\n')
		}
		if !labels {
			continue
		}
		n := names.sections[si]
		b = append(b, n.header...)
		b = append(b, n.name...)
		b = append(b, '{')
		first := true
		for i, f := range sec.fields {
			if f.kind != 's' || f.s == "" || volatileField(sec.name, f.key) || duplicateLabel(sec.fields[:i], f.key) {
				continue
			}
			if !first {
				b = append(b, ',')
			}
			first = false
			b = appendLower(b, f.key)
			b = append(b, '=', '"')
			b = appendLabelValue(b, f.s)
			b = append(b, '"')
		}
		b = append(b, "} 1\n"...)
	}
	for _, m := range [...]struct{ name, help string }{{"emsesp_device_productid", "productID"}, {"emsesp_device_entities", "entities"}} {
		if len(info.devices) == 0 {
			break
		}
		b = appendGaugeHeader(b, m.name, m.help)
		for i := range info.devices {
			d := &info.devices[i]
			b = append(b, m.name...)
			b = append(b, '{')
			b = append(b, cache.deviceLabels(info.summaries[i].Device, d)...)
			b = append(b, "} "...)
			if m.help == "productID" {
				b = strconv.AppendInt(b, int64(d.productID), 10)
			} else {
				b = strconv.AppendInt(b, int64(d.entities), 10)
			}
			b = append(b, '\n')
		}
	}
	return b
}

// systemName is a system family's name and its HELP and TYPE lines.
type systemName struct {
	key          string
	name, header []byte
}

// systemNames holds the rendered names of every field (and every section's
// _info family) in the order systemInfo builds them; a scrape only checks
// that the order still holds.
type systemNames struct {
	current  atomic.Pointer[namesTable]
	labelsMu sync.Mutex
	labels   map[*devices.Device][]byte
}

type namesTable struct {
	fields, sections []*systemName
}

// deviceLabels is the device's label set, rendered once per device (a
// device never changes; a new one is a new pointer).
func (sn *systemNames) deviceLabels(dev *devices.Device, d *deviceInfo) []byte {
	sn.labelsMu.Lock()
	defer sn.labelsMu.Unlock()
	if b, ok := sn.labels[dev]; ok {
		return b
	}
	if sn.labels == nil {
		sn.labels = map[*devices.Device][]byte{}
	}
	b := appendDeviceLabels(nil, d)
	sn.labels[dev] = b
	return b
}

func (sn *systemNames) match(info *systemInfo) *namesTable {
	if t := sn.current.Load(); t != nil && t.matches(info) {
		return t
	}
	t := &namesTable{}
	for _, sec := range info.sections {
		t.sections = append(t.sections, newSystemName(sec.name, "info"))
		for _, f := range sec.fields {
			t.fields = append(t.fields, newSystemName(sec.name, f.key))
		}
	}
	sn.current.Store(t)
	return t
}

func (t *namesTable) matches(info *systemInfo) bool {
	if len(t.fields) != len(info.fields) || len(t.sections) != len(info.sections) {
		return false
	}
	for i := range info.fields {
		if t.fields[i].key != info.fields[i].key {
			return false
		}
	}
	return true
}

func newSystemName(sec, key string) *systemName {
	n := &systemName{key: key}
	n.name = append([]byte("emsesp_"), appendSanitised(nil, sec)...)
	n.name = append(append(n.name, '_'), appendSanitised(nil, key)...)
	n.header = appendGaugeHeader(nil, string(n.name), key)
	return n
}

// duplicateLabel reports whether an earlier string field already gave this
// label (EMS-ESP's NTPstatus and NTPStatus are one label).
func duplicateLabel(before []field, key string) bool {
	for _, f := range before {
		if f.kind == 's' && f.s != "" && strings.EqualFold(f.key, key) {
			return true
		}
	}
	return false
}

func appendDeviceLabels(b []byte, d *deviceInfo) []byte {
	b = append(b, `type="`...)
	b = appendLabelValue(b, d.typ)
	b = append(b, `",name="`...)
	b = appendLabelValue(b, d.name)
	b = append(b, `",deviceid="`...)
	b = append(b, d.id...)
	if d.brand != "" {
		b = append(b, `",brand="`...)
		b = appendLabelValue(b, d.brand)
	}
	b = append(b, `",version="`...)
	b = appendLabelValue(b, d.version)
	return append(b, '"')
}

func appendLower(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}

// sysFamily is one system metric family: its HELP and its samples, each a
// label set (without braces) and a value.
type sysFamily struct {
	name, help string
	samples    []sysSample
}

type sysSample struct {
	labels string
	value  int64
}

// families lists the system families, adding them to fams (merging by
// name, so that several gateways' samples share a family). extra is a
// label pair put first on every sample, `gateway="home"`, or "".
func (info *systemInfo) families(fams []sysFamily, extra string) []sysFamily {
	add := func(name, help, labels string, v int64) {
		if extra != "" {
			if labels != "" {
				labels = extra + "," + labels
			} else {
				labels = extra
			}
		}
		for i := range fams {
			if fams[i].name == name {
				fams[i].samples = append(fams[i].samples, sysSample{labels, v})
				return
			}
		}
		fams = append(fams, sysFamily{name, help, []sysSample{{labels, v}}})
	}
	for _, sec := range info.sections {
		var labels []byte
		seen := map[string]bool{}
		for _, f := range sec.fields {
			if f.kind == 's' {
				lk := strings.ToLower(f.key)
				if f.s == "" || seen[lk] || volatileField(sec.name, f.key) {
					continue
				}
				seen[lk] = true
				if len(labels) > 0 {
					labels = append(labels, ',')
				}
				labels = append(labels, lk...)
				labels = append(labels, '=', '"')
				labels = appendLabelValue(labels, f.s)
				labels = append(labels, '"')
				continue
			}
			add(metricName(sec.name, f.key), f.key, "", f.i)
		}
		if len(labels) > 0 {
			add(metricName(sec.name, "info"), "info", string(labels), 1)
		}
	}
	for _, d := range info.devices {
		l := string(appendDeviceLabels(nil, &d))
		add("emsesp_device_productid", "productID", l, int64(d.productID))
		add("emsesp_device_entities", "entities", l, int64(d.entities))
	}
	return fams
}

func appendFamilies(b []byte, fams []sysFamily) []byte {
	for _, f := range fams {
		b = appendGaugeHeader(b, f.name, f.help)
		for _, smp := range f.samples {
			b = append(b, f.name...)
			if smp.labels != "" {
				b = append(b, '{')
				b = append(b, smp.labels...)
				b = append(b, '}')
			}
			b = append(b, ' ')
			b = strconv.AppendInt(b, smp.value, 10)
			b = append(b, '\n')
		}
	}
	return b
}

// volatileField marks a text that changes every second: as a label it
// would start a new series each scrape.
func volatileField(sec, key string) bool {
	return sec == "system" && key == "uptime"
}

func appendGaugeHeader(b []byte, name, help string) []byte {
	return appendFamily(b, name, help, "gauge", false)
}
