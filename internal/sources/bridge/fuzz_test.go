package bridge

import (
	"encoding/json"
	"testing"

	"github.com/emsd/emsd/internal/devices"
)

// FuzzIngest: whatever JSON a gateway answers, ingesting it never panics
// and never stores an enum index outside the entity's options.
func FuzzIngest(f *testing.F) {
	f.Add([]byte(`{"curflowtemp":{"name":"curflowtemp","value":60.2},"dhw.comfort":{"index":1,"value":"eco"},"heatingactive":{"bool":true}}`))
	f.Add([]byte(`{"hc1":{"seltemp":21.5,"mode":"auto"},"curflowtemp":"hot","dhw":{"comfort":7}}`))
	f.Add([]byte(`{"hc9.seltemp":{"value":1e308},"x.y":{"index":-5},"":{}}`))
	boiler, _ := devices.Identify(0x08, 123, "01.00")
	thermostat, _ := devices.Identify(0x10, 158, "01.00")
	f.Fuzz(func(t *testing.T, doc []byte) {
		for _, p := range []devices.Product{boiler, thermostat} {
			d := devices.NewDevice(0x08, p, "01.00", "")
			s := d.NewState()
			var entities map[string]json.RawMessage
			if json.Unmarshal(doc, &entities) == nil {
				ingestEntities(d, &s, entities)
			}
			var values map[string]any
			if json.Unmarshal(doc, &values) == nil {
				ingestValues(d, &s, values)
			}
			for i, v := range s.Values {
				e := &d.Entities[i]
				if v.Set && e.Type == devices.Enum && (v.Num < 0 || v.Num >= int64(len(e.Options))) {
					t.Fatalf("%s holds enum index %d", e.Key(), v.Num)
				}
			}
		}
	})
}
