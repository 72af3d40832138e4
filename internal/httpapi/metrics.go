package httpapi

import (
	"strings"
	"sync"

	"github.com/emsd/emsd/internal/devices"
	"github.com/emsd/emsd/internal/store"
)

// A plan is the pre-rendered shape of one metrics endpoint: every family's
// HELP and TYPE lines and every sample's name and labels, built once per
// store layout. A scrape only appends values.
type plan struct {
	layout   uint64
	families []family
}

type family struct {
	header  []byte
	samples []sample
}

type sample struct {
	dev, slot int
	prefix    []byte // `emsesp_seltemp{circuit="hc1"} `
}

// planKey selects what an endpoint exports.
type planKey struct {
	typ         devices.Type // devices.Unknown: every type (/metrics)
	tag         devices.Tag  // 0: every circuit
	deviceLabel bool         // add device="<type>" (/metrics)
}

// gatewayLabels names, per device of a merged snapshot, the bridged gateway
// it belongs to (a fleet's /metrics); nil for one bus or gateway.
type gatewayLabels []string

// plans caches one plan per endpoint and rebuilds it when the store layout changes.
type plans struct {
	mu    sync.Mutex
	cache map[planKey]*plan
}

func (p *plans) get(key planKey, snap *store.Snapshot, gateways gatewayLabels) *plan {
	p.mu.Lock()
	defer p.mu.Unlock()
	if pl := p.cache[key]; pl != nil && pl.layout == snap.Layout {
		return pl
	}
	pl := buildPlan(key, snap, gateways)
	if p.cache == nil {
		p.cache = map[planKey]*plan{}
	}
	p.cache[key] = pl
	return pl
}

func exportable(t devices.Type) bool {
	_, ok := devices.TypeByName(t.String())
	return ok
}

func buildPlan(key planKey, snap *store.Snapshot, gateways gatewayLabels) *plan {
	type series struct {
		dev, slot int
		name      string
	}
	var all []series
	seriesCount := map[string]int{} // name + labels without deviceid
	gatewayOf := func(dev int) string {
		if gateways == nil {
			return ""
		}
		return gateways[dev]
	}
	labelKey := func(name string, dev int, d *devices.Device, e *devices.Entity) string {
		return name + "\x00" + gatewayOf(dev) + "\x00" + d.Product.Type.String() + "\x00" + e.Tag.String()
	}
	for di, d := range snap.Devices {
		if key.typ == devices.Unknown && !exportable(d.Product.Type) || key.typ != devices.Unknown && d.Product.Type != key.typ {
			continue
		}
		st := &snap.States[di]
		for i := range d.Entities {
			e := &d.Entities[i]
			if !e.Exported() || !d.Registered(st, i) || key.tag != 0 && e.Tag != key.tag {
				continue
			}
			name := metricName(e.Short)
			all = append(all, series{di, i, name})
			seriesCount[labelKey(name, di, d, e)]++
		}
	}
	pl := &plan{layout: snap.Layout}
	index := map[string]int{}
	for _, s := range all {
		d := snap.Devices[s.dev]
		e := &d.Entities[s.slot]
		fi, ok := index[s.name]
		if !ok {
			fi = len(pl.families)
			index[s.name] = fi
			pl.families = append(pl.families, family{header: familyHeader(s.name, e)})
		}
		var b []byte
		b = append(b, s.name...)
		var labels []string
		if gateways != nil {
			labels = append(labels, "gateway", gateways[s.dev])
		}
		if key.deviceLabel {
			labels = append(labels, "device", d.Product.Type.String())
		}
		if e.Tag != devices.TagDevice {
			labels = append(labels, "circuit", e.Tag.String())
		}
		if seriesCount[labelKey(s.name, s.dev, d, e)] > 1 {
			labels = append(labels, "deviceid", hexID(d.ID))
		}
		for i := 0; i < len(labels); i += 2 {
			if i == 0 {
				b = append(b, '{')
			} else {
				b = append(b, ',')
			}
			b = append(b, labels[i]...)
			b = append(b, '=', '"')
			b = appendLabelValue(b, labels[i+1])
			b = append(b, '"')
		}
		if len(labels) > 0 {
			b = append(b, '}')
		}
		b = append(b, ' ')
		pl.families[fi].samples = append(pl.families[fi].samples, sample{s.dev, s.slot, b})
	}
	return pl
}

// familyHeader is "# HELP <name> <full name>, <kind>, <flags>" and the TYPE line.
func familyHeader(name string, e *devices.Entity) []byte {
	var help strings.Builder
	help.WriteString(e.Full)
	switch {
	case e.Type == devices.Bool:
		help.WriteString(", boolean")
	case e.Type == devices.Enum:
		help.WriteString(", enum, (")
		for i, o := range e.Options {
			if i > 0 {
				help.WriteString("; ")
			}
			help.WriteString(itoa(i))
			help.WriteString(": ")
			help.WriteString(o)
		}
		help.WriteString(")")
	case e.UOM != devices.NoUnit:
		help.WriteString(", ")
		help.WriteString(e.UOM.String())
	}
	help.WriteString(", readable")
	if e.Writeable {
		help.WriteString(", writeable")
	}
	help.WriteString(", visible")
	b := append([]byte("# HELP "), name...)
	b = append(b, ' ')
	b = appendHelp(b, help.String())
	b = append(b, "\n# TYPE "...)
	b = append(b, name...)
	return append(b, " gauge\n"...)
}

// render appends the plan's samples that have a value.
func (pl *plan) render(b []byte, snap *store.Snapshot) []byte {
	for fi := range pl.families {
		f := &pl.families[fi]
		start := len(b)
		b = append(b, f.header...)
		n := 0
		for si := range f.samples {
			s := &f.samples[si]
			v := snap.States[s.dev].Values[s.slot]
			if !v.Set {
				continue
			}
			e := &snap.Devices[s.dev].Entities[s.slot]
			if e.Type == devices.Enum && (v.Num < 0 || v.Num >= int64(len(e.Options))) {
				continue
			}
			b = append(b, s.prefix...)
			b = appendMetricValue(b, metricValue(e, v))
			b = append(b, '\n')
			n++
		}
		if n == 0 {
			b = b[:start]
		}
	}
	return b
}
