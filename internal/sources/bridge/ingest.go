package bridge

import (
	"encoding/json"
	"math"
	"strings"

	"github.com/emsd/emsd/internal/devices"
)

// entityJSON is the part of an EMS-ESP entity object the bridge reads.
type entityJSON struct {
	Name    string          `json:"name"`
	Circuit string          `json:"circuit"`
	Value   json.RawMessage `json:"value"`
	Index   *int64          `json:"index"`
	Bool    *bool           `json:"bool"`
}

// ingestEntities sets the device's values from /api/<device>/entities:
// keys "<circuit>.<short>" or "<short>", values as EMS-ESP shows them.
// Entities emsd's library does not know for the product are skipped;
// entities without a value are cleared.
func ingestEntities(d *devices.Device, s *devices.State, entities map[string]json.RawMessage) {
	for key, raw := range entities {
		var e entityJSON
		if json.Unmarshal(raw, &e) != nil {
			continue // one malformed entity spoils nothing else
		}
		tag, short := splitKey(key)
		slot, ok := d.Slot(tag, short)
		if !ok {
			continue
		}
		markCircuit(s, tag)
		ent := &d.Entities[slot]
		switch {
		case e.Bool != nil && ent.Type == devices.Bool:
			s.Values[slot] = devices.Value{Num: boolNum(*e.Bool), Set: true}
		case e.Index != nil && ent.Type == devices.Enum && *e.Index >= 0 && *e.Index < int64(len(ent.Options)):
			s.Values[slot] = devices.Value{Num: *e.Index, Set: true}
		case len(e.Value) == 0:
			s.Values[slot] = devices.Value{}
		default:
			var v any
			if json.Unmarshal(e.Value, &v) != nil {
				continue
			}
			s.Values[slot] = convert(ent, v)
		}
	}
}

// ingestValues sets the device's values from /api/<device>: short names,
// nested by circuit, typed by emsd's library.
func ingestValues(d *devices.Device, s *devices.State, values map[string]any) {
	for key, v := range values {
		if nested, ok := v.(map[string]any); ok {
			if tag, ok := devices.TagByName(key); ok {
				markCircuit(s, tag)
				for short, v := range nested {
					if slot, ok := d.Slot(tag, short); ok {
						s.Values[slot] = convert(&d.Entities[slot], v)
					}
				}
			}
			continue
		}
		if slot, ok := d.Slot(devices.TagDevice, key); ok {
			s.Values[slot] = convert(&d.Entities[slot], v)
		}
	}
}

// splitKey splits "hc1.seltemp" into its circuit and short name.
func splitKey(key string) (devices.Tag, string) {
	if prefix, short, ok := strings.Cut(key, "."); ok {
		if tag, ok := devices.TagByName(prefix); ok {
			return tag, short
		}
	}
	return devices.TagDevice, key
}

// markCircuit makes a heating circuit the gateway reports exist here too.
func markCircuit(s *devices.State, tag devices.Tag) {
	if tag >= devices.TagHC1 && tag < devices.TagDHW {
		s.Circuits |= 1 << tag
	}
}

func boolNum(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// convert turns a value as EMS-ESP's JSON shows it back into the raw value
// the store keeps. A value of the wrong kind is no value.
func convert(e *devices.Entity, v any) devices.Value {
	switch e.Type {
	case devices.Bool:
		switch x := v.(type) {
		case bool:
			return devices.Value{Num: boolNum(x), Set: true}
		case string:
			switch strings.ToLower(x) {
			case "on", "true", "1":
				return devices.Value{Num: 1, Set: true}
			case "off", "false", "0":
				return devices.Value{Num: 0, Set: true}
			}
		case float64:
			return devices.Value{Num: boolNum(x != 0), Set: true}
		}
	case devices.Enum:
		switch x := v.(type) {
		case string:
			for i, o := range e.Options {
				if o == x {
					return devices.Value{Num: int64(i), Set: true}
				}
			}
		case float64:
			if i := int64(x); float64(i) == x && i >= 0 && i < int64(len(e.Options)) {
				return devices.Value{Num: i, Set: true}
			}
		}
	case devices.String:
		if x, ok := v.(string); ok && x != "" {
			return devices.Value{Str: x, Set: true}
		}
	case devices.Command:
	default: // numbers: undo the operator
		x, ok := v.(float64)
		if !ok || math.IsNaN(x) || math.Abs(x) > 1e15 {
			break // not a number an EMS value can be
		}
		switch {
		case e.Scale > 0:
			x *= float64(e.Scale)
		case e.Scale < 0:
			x /= float64(-e.Scale)
		}
		return devices.Value{Num: int64(math.Round(x)), Set: true}
	}
	return devices.Value{}
}
