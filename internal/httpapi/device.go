package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/emsd/emsd/internal/devices"
	"github.com/emsd/emsd/internal/store"
)

// serveDevice answers /api/<device>/... for every device of one type.
func (s *Server) serveDevice(w http.ResponseWriter, r *http.Request, snap *store.Snapshot, typ devices.Type, segs []string) {
	device := typ.String()
	var tag devices.Tag
	// A circuit prefix is "hc1/seltemp" or "hc1.seltemp"; "hc1." alone means its values.
	if len(segs) > 0 {
		if prefix, rest, ok := strings.Cut(segs[0], "."); ok {
			if t, found := devices.TagByName(prefix); found {
				tag = t
				segs = append([]string{rest}, segs[1:]...)
				if rest == "" {
					segs = segs[1:]
				}
			}
		} else if t, found := devices.TagByName(segs[0]); found && len(segs) > 1 {
			tag, segs = t, segs[1:]
		}
	}
	cmd := "values"
	if len(segs) > 0 {
		cmd = segs[0]
	}
	// Lists take no further segment and an entity at most an attribute.
	switch {
	case len(segs) > 2, len(segs) == 2 && listCommands[cmd]:
		s.fail(w, http.StatusNotFound, "no '"+strings.Join(segs, "/")+"' in "+device)
		return
	}
	b := s.buffer()
	switch cmd {
	case "values", "info":
		*b = appendValues(*b, snap, typ, tag, cmd == "info")
		s.write(w, contentTypeJSON, b)
		return
	case "entities":
		*b = appendEntities(*b, snap, typ, tag)
		s.write(w, contentTypeJSON, b)
		return
	case "commands":
		*b = appendCommands(*b, snap, typ)
		s.write(w, contentTypeJSON, b)
		return
	case "metrics":
		s.bufs.Put(b)
		s.serveMetrics(w, r, snap, planKey{typ: typ, tag: tag}, device)
		return
	}
	s.bufs.Put(b)
	d, st, slot, ok := findEntity(snap, typ, tag, cmd)
	if !ok {
		s.fail(w, http.StatusNotFound, "no '"+cmd+"' in "+device)
		return
	}
	pairs := entityPairs(&d.Entities[slot], st.Values[slot])
	if len(segs) > 1 {
		s.serveAttribute(w, pairs, segs[1], cmd)
		return
	}
	out := s.buffer()
	*out = appendPairs(*out, pairs)
	s.write(w, contentTypeJSON, out)
}

// listCommands answer for the whole device (or one circuit).
var listCommands = map[string]bool{"values": true, "info": true, "entities": true, "commands": true, "metrics": true}

// findEntity looks an entity up by circuit and short name; without a circuit
// the first device-level entity of that name wins, then the first in any circuit.
func findEntity(snap *store.Snapshot, typ devices.Type, tag devices.Tag, short string) (*devices.Device, *devices.State, int, bool) {
	for pass := 0; pass < 2; pass++ {
		for di, d := range snap.Devices {
			if d.Product.Type != typ {
				continue
			}
			st := &snap.States[di]
			for i := range d.Entities {
				e := &d.Entities[i]
				if !strings.EqualFold(e.Short, short) || !d.Registered(st, i) {
					continue
				}
				if e.Tag == tag || pass == 1 && tag == devices.TagDevice {
					return d, st, i, true
				}
			}
		}
	}
	return nil, nil, 0, false
}

// serveAttribute answers one key of an entity object as plain text.
func (s *Server) serveAttribute(w http.ResponseWriter, pairs []pair, attr, entity string) {
	for _, p := range pairs {
		if p.key != attr {
			continue
		}
		b := s.buffer()
		var text string
		if len(p.raw) > 0 && p.raw[0] == '"' && json.Unmarshal(p.raw, &text) == nil {
			*b = append(*b, text...)
		} else {
			*b = append(*b, p.raw...)
		}
		s.write(w, contentTypePlain, b)
		return
	}
	if attr == "value" {
		s.fail(w, http.StatusNotFound, "") // an entity without a value
		return
	}
	s.fail(w, http.StatusBadRequest, "no attribute '"+attr+"' in "+entity)
}

// pair is one key of a JSON object with its value already encoded.
type pair struct {
	key string
	raw []byte
}

func appendPairs(b []byte, pairs []pair) []byte {
	b = append(b, '{')
	for i, p := range pairs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, p.key)
		b = append(b, ':')
		b = append(b, p.raw...)
	}
	return append(b, '}')
}

// entityPairs is EMS-ESP's entity object, keys in its order.
func entityPairs(e *devices.Entity, v devices.Value) []pair {
	q := func(s string) []byte { return appendJSONString(nil, s) }
	full := e.Full
	if e.Tag != devices.TagDevice {
		full = e.Tag.String() + " " + full
	}
	ps := []pair{{"name", q(e.Short)}, {"fullname", q(full)}, {"circuit", q(e.Tag.String())}}
	typeName := e.Type.String()
	switch {
	case e.Type.Numeric() || e.Type == devices.Time:
		typeName = "number"
	case e.Type == devices.Command && len(e.Options) > 0:
		typeName = "enum"
	case e.Type == devices.Command:
		typeName = "command"
	}
	hasOptions := e.Type == devices.Enum || e.Type == devices.Command && len(e.Options) > 0
	options := func() []byte {
		b := []byte{'['}
		for i, o := range e.Options {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, o)
		}
		return append(b, ']')
	}
	switch {
	case !v.Set || e.Type == devices.Command:
		ps = append(ps, pair{"type", q(typeName)})
		if hasOptions {
			ps = append(ps, pair{"enum", options()})
		}
	case e.Type == devices.Bool:
		ps = append(ps, pair{"bool", []byte(strconv.FormatBool(v.Num != 0))},
			pair{"index", []byte(strconv.FormatInt(v.Num, 10))},
			pair{"value", appendJSONValue(nil, e, v)}, pair{"type", q(typeName)})
	case hasOptions:
		ps = append(ps, pair{"index", []byte(strconv.FormatInt(v.Num, 10))}, pair{"enum", options()},
			pair{"value", appendJSONValue(nil, e, v)}, pair{"type", q(typeName)})
	default:
		ps = append(ps, pair{"value", appendJSONValue(nil, e, v)}, pair{"type", q(typeName)})
	}
	if typeName == "number" {
		if e.Writeable && e.HasRange {
			ps = append(ps, pair{"min", []byte(strconv.FormatInt(e.Min, 10))}, pair{"max", []byte(strconv.FormatInt(e.Max, 10))})
		}
		if e.UOM != devices.NoUnit {
			ps = append(ps, pair{"uom", q(e.UOM.HA())})
		}
		icon, stateClass, deviceClass := haClasses(e)
		if icon != "" {
			ps = append(ps, pair{"icon", q(icon)})
		}
		if stateClass != "" {
			ps = append(ps, pair{"state_class", q(stateClass)})
		}
		if deviceClass != "" {
			ps = append(ps, pair{"device_class", q(deviceClass)})
		}
	}
	return append(ps, pair{"readable", []byte(strconv.FormatBool(e.Readable()))},
		pair{"writeable", []byte(strconv.FormatBool(e.Writeable))}, pair{"visible", []byte("true")})
}

// haClasses are the Home Assistant icon, state class and device class
// EMS-ESP derives from an entity's unit and type.
func haClasses(e *devices.Entity) (icon, stateClass, deviceClass string) {
	switch e.UOM {
	case devices.Celsius, devices.Kelvin:
		return "", "measurement", "temperature"
	case devices.Percent:
		return "mdi:percent-outline", "measurement", "power_factor"
	case devices.Seconds, devices.Minutes, devices.Hours:
		if e.Type == devices.Time {
			return "", "total_increasing", "duration"
		}
		return "", "measurement", "duration"
	case devices.KB:
		return "mdi:memory", "", "data_size"
	case devices.LitrePerMin, devices.LitrePerHour:
		return "mdi:water-boiler", "measurement", "volume_flow_rate"
	case devices.Wh:
		return "", "measurement", ""
	case devices.KWh:
		return "", "total_increasing", "energy"
	case devices.MicroAmp:
		return "mdi:lightning-bolt-circle", "measurement", ""
	case devices.Bar:
		return "", "measurement", "pressure"
	case devices.Watt, devices.KW:
		return "", "measurement", "power"
	case devices.DBm:
		return "", "measurement", "signal_strength"
	case devices.MilliVolt, devices.Volt:
		return "", "measurement", "voltage"
	case devices.MilliBar:
		return "", "measurement", "atmospheric_pressure"
	case devices.CentPerKWh:
		return "", "total_increasing", "monetary"
	case devices.Hertz:
		return "", "measurement", "frequency"
	case devices.CubicMetre, devices.Litre:
		return "", "total_increasing", "volume"
	case devices.SquareMetre:
		return "", "measurement", "area"
	}
	switch e.Type {
	case devices.UInt24, devices.UInt32:
		return "mdi:counter", "total_increasing", ""
	case devices.Int8, devices.UInt8, devices.Int16, devices.UInt16:
		return "mdi:counter", "measurement", ""
	}
	return "", "", ""
}

// appendJSONValue writes a value as /api/<device> shows it: booleans as
// on/off, enums as their option, numbers with their operator applied.
func appendJSONValue(b []byte, e *devices.Entity, v devices.Value) []byte {
	switch e.Type {
	case devices.Command: // commands show "", or null when they have a unit
		if e.UOM != devices.NoUnit {
			return append(b, "null"...)
		}
		return append(b, `""`...)
	case devices.Bool:
		if v.Num != 0 {
			return append(b, `"on"`...)
		}
		return append(b, `"off"`...)
	case devices.Enum:
		return appendJSONString(b, e.Options[v.Num])
	case devices.String:
		return appendJSONString(b, v.Str)
	}
	return appendJSONNumber(b, e, v.Num)
}

// hasJSONValue reports whether the values listing shows the entity.
func hasJSONValue(e *devices.Entity, v devices.Value) bool {
	if e.Type == devices.Command {
		return true
	}
	return v.Set && (e.Type != devices.Enum || v.Num >= 0 && v.Num < int64(len(e.Options)))
}

// appendValues writes /api/<device> (short names, nested by circuit) or
// /info (verbose names, flat), merging every device of the type. With a
// circuit, only that circuit's values, flat.
func appendValues(b []byte, snap *store.Snapshot, typ devices.Type, only devices.Tag, verbose bool) []byte {
	b = append(b, '{')
	switch {
	case only != devices.TagDevice:
		b, _ = appendTagValues(b, snap, typ, only, verbose, true)
	case verbose:
		b, _ = appendTagValues(b, snap, typ, anyTag, true, true)
	default:
		var first bool
		b, first = appendTagValues(b, snap, typ, devices.TagDevice, false, true)
		registered := registeredTags(snap, typ)
		for t := devices.TagHC1; t < 52; t++ {
			if registered&(1<<t) == 0 {
				continue
			}
			if !first {
				b = append(b, ',')
			}
			first = false
			b = appendJSONString(b, t.String())
			b = append(b, ':', '{')
			b, _ = appendTagValues(b, snap, typ, t, false, true)
			b = append(b, '}')
		}
	}
	return append(b, '}')
}

// anyTag selects every circuit in appendTagValues.
const anyTag = devices.Tag(255)

// appendTagValues writes the members for one circuit (or anyTag), in
// registration order; first says whether nothing has been written to the
// enclosing object yet.
func appendTagValues(b []byte, snap *store.Snapshot, typ devices.Type, tag devices.Tag, verbose, first bool) ([]byte, bool) {
	for di, d := range snap.Devices {
		if d.Product.Type != typ {
			continue
		}
		st := &snap.States[di]
		for i := range d.Entities {
			e := &d.Entities[i]
			v := st.Values[i]
			if tag != anyTag && e.Tag != tag || !d.Registered(st, i) || !hasJSONValue(e, v) {
				continue
			}
			if !first {
				b = append(b, ',')
			}
			first = false
			if !verbose {
				b = appendJSONString(b, e.Short)
				b = append(b, ':')
				b = appendJSONValue(b, e, v)
				continue
			}
			label := e.Full + " (" + e.Short + ")"
			if e.Tag != devices.TagDevice {
				label = e.Tag.String() + " " + label
			}
			b = appendJSONString(b, label)
			b = append(b, ':')
			if e.Type == devices.Time && v.Set {
				b = appendJSONString(b, formatMinutes(v.Num))
			} else {
				b = appendJSONValue(b, e, v)
			}
		}
	}
	return b, first
}

// registeredTags has bit t set when a device of the type has an entity in
// circuit t: such a circuit shows as an object, empty or not.
func registeredTags(snap *store.Snapshot, typ devices.Type) uint64 {
	var tags uint64
	for di, d := range snap.Devices {
		if d.Product.Type != typ {
			continue
		}
		for i := range d.Entities {
			if t := d.Entities[i].Tag; tags&(1<<t) == 0 && d.Registered(&snap.States[di], i) {
				tags |= 1 << t
			}
		}
	}
	return tags
}

// formatMinutes is how EMS-ESP's /info shows durations.
func formatMinutes(m int64) string {
	return fmt.Sprintf("%d days %d hours %d minutes", m/1440, m/60%24, m%60)
}

// appendEntities writes /api/<device>/entities: every registered entity.
func appendEntities(b []byte, snap *store.Snapshot, typ devices.Type, only devices.Tag) []byte {
	b = append(b, '{')
	first := true
	for di, d := range snap.Devices {
		if d.Product.Type != typ {
			continue
		}
		st := &snap.States[di]
		for i := range d.Entities {
			e := &d.Entities[i]
			if !d.Registered(st, i) || only != devices.TagDevice && e.Tag != only {
				continue
			}
			if !first {
				b = append(b, ',')
			}
			first = false
			key := e.Key()
			if only != devices.TagDevice {
				key = e.Short
			}
			b = appendJSONString(b, key)
			b = append(b, ':')
			b = appendPairs(b, entityPairs(e, st.Values[i]))
		}
	}
	return append(b, '}')
}

// appendCommands lists the device's commands and writeable entities.
func appendCommands(b []byte, snap *store.Snapshot, typ devices.Type) []byte {
	b = append(b, `{"info":"list all values (verbose)","values":"list all values","commands":"list all commands","entities":"list all entities","metrics":"Prometheus metrics"`...)
	seen := map[string]bool{}
	for di, d := range snap.Devices {
		if d.Product.Type != typ {
			continue
		}
		for i := range d.Entities {
			e := &d.Entities[i]
			key := e.Key()
			if !e.Writeable || seen[key] || !d.Registered(&snap.States[di], i) {
				continue
			}
			seen[key] = true
			b = append(b, ',')
			b = appendJSONString(b, key)
			b = append(b, ':')
			b = appendJSONString(b, e.Full)
		}
	}
	return append(b, '}')
}
