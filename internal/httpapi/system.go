package httpapi

import (
	"fmt"
	"os"
	"runtime/metrics"
	"strconv"
	"strings"
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
	sections []section
	devices  []deviceInfo
}

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
}

// systemInfo gathers the system sections and the device list; the handler
// lists (telegram types received, fetched, pending) only when asked, as
// only the JSON shows them.
func (s *Server) systemInfo(snap *store.Snapshot, handlers bool) systemInfo {
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
	info := systemInfo{sections: []section{
		{"system", []field{
			str("version", APIVersion),
			str("emsdVersion", s.settings.Version),
			str("uptime", formatUptime(uptime)),
			num("uptimeSec", int64(uptime/time.Second)),
			str("platform", "linux"),
			num("memUsed", memUsedKB()),
		}},
		{"network", []field{
			str("network", "Ethernet"),
			str("hostname", s.hostname),
		}},
		{"ntp", []field{
			str("NTPstatus", ntpStatus()),
			flag("enabled", true),
		}},
		{"mqtt", []field{
			str("MQTTStatus", "disconnected"),
			flag("enabled", false),
		}},
		{"syslog", []field{flag("enabled", false)}},
		{"sensor", []field{
			num("temperatureSensors", 0), num("temperatureSensorReads", 0), num("temperatureSensorFails", 0),
			num("analogSensors", 0), num("analogSensorReads", 0), num("analogSensorFails", 0),
		}},
		{"api", []field{
			num("APICalls", int64(s.apiCalls.Load())),
			num("APIFails", int64(s.apiFails.Load())),
		}},
		{"bus", []field{
			str("busStatus", status),
			str("busProtocol", protocol),
			num("busTelegramsReceived", int64(bus.TelegramsReceived)),
			num("busReads", int64(bus.Reads)),
			num("busWrites", int64(bus.Writes)),
			num("busIncompleteTelegrams", int64(bus.IncompleteTelegrams)),
			num("busReadsFailed", int64(bus.ReadsFailed)),
			num("busWritesFailed", int64(bus.WritesFailed)),
			num("busRxLineQuality", int64(bus.RxQuality())),
			num("busTxLineQuality", int64(bus.TxQuality())),
		}},
		{"settings", []field{
			str("locale", "en"),
			num("txMode", int64(s.settings.TxMode)),
			num("emsBusID", int64(s.settings.BusID)),
			flag("readonlyMode", s.settings.ReadOnly),
			flag("fahrenheit", false),
			num("boolFormat", 1),
			num("enumFormat", 1),
		}},
	}}
	for i, d := range snap.Devices {
		st := &snap.States[i]
		di := deviceInfo{typ: d.Product.Type.String(), name: d.Product.Name, id: hexID(d.ID), brand: d.Brand,
			version: d.Version, productID: int(d.Product.ID)}
		for j := range d.Entities {
			if d.Registered(st, j) && (st.Values[j].Set || d.Entities[j].Type == devices.Command) {
				di.entities++
			}
		}
		if !handlers {
			info.devices = append(info.devices, di)
			continue
		}
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

func hexID(id byte) string { return fmt.Sprintf("0x%02X", id) }

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

var memSample = []metrics.Sample{{Name: "/memory/classes/total:bytes"}}

// memUsedKB is the memory the Go runtime has mapped, in KB.
func memUsedKB() int64 {
	s := make([]metrics.Sample, 1)
	copy(s, memSample)
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return int64(s[0].Value.Uint64() / 1024)
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
// one productid and one entities sample per device.
func (info *systemInfo) appendMetrics(b []byte) []byte {
	return appendFamilies(b, info.families(nil, ""))
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
		l := []byte(`type="`)
		l = appendLabelValue(l, d.typ)
		l = append(l, `",name="`...)
		l = appendLabelValue(l, d.name)
		l = append(l, `",deviceid="`...)
		l = append(l, d.id...)
		if d.brand != "" {
			l = append(l, `",brand="`...)
			l = appendLabelValue(l, d.brand)
		}
		l = append(l, `",version="`...)
		l = appendLabelValue(l, d.version)
		l = append(l, '"')
		add("emsesp_device_productid", "productID", string(l), int64(d.productID))
		add("emsesp_device_entities", "entities", string(l), int64(d.entities))
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
	b = append(b, "# HELP "...)
	b = append(b, name...)
	b = append(b, ' ')
	b = appendHelp(b, help)
	b = append(b, "\n# TYPE "...)
	b = append(b, name...)
	return append(b, " gauge\n"...)
}
