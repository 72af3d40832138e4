package devices

import (
	"testing"

	"github.com/emsd/emsd/internal/telegram"
)

// FuzzDecode sends arbitrary telegrams to every device family with a table:
// the decoder must never panic, never index outside the state, and never
// store an enum index outside the entity's options.
func FuzzDecode(f *testing.F) {
	type dev struct {
		id, product byte
	}
	fleet := []dev{{0x08, 123}, {0x10, 158}, {0x18, 157}, {0x10, 4}, {0x10, 172}}
	f.Add(uint8(0), uint8(0x08), uint16(0x18), uint8(0), []byte{0, 2, 0x5A, 0x73, 0x3D, 0x0A, 0x10, 0x65})
	f.Add(uint8(1), uint8(0x10), uint16(0x02A5), uint8(0), []byte{0, 0xD3, 0x21, 0x22, 0, 0, 0x22, 0x27, 0, 0xEF, 1})
	f.Add(uint8(2), uint8(0x19), uint16(0x02B9), uint8(20), []byte{0xFF, 0xFF, 0xFF})
	f.Add(uint8(3), uint8(0x10), uint16(0x02F5), uint8(2), []byte{5})
	f.Fuzz(func(t *testing.T, which, src uint8, typ uint16, offset uint8, data []byte) {
		dv := fleet[int(which)%len(fleet)]
		p, _ := Identify(dv.id, dv.product, "01.00")
		d := NewDevice(dv.id, p, "01.00", "")
		s := d.NewState()
		monitor := telegram.Telegram{Src: dv.id, Type: 0x02A5, Data: make([]byte, 25)}
		d.Decode(&s, &monitor, testTime) // give thermostats a circuit to write into
		if len(data) > telegram.MaxDataEMS {
			data = data[:telegram.MaxDataEMS]
		}
		tg := telegram.Telegram{Src: src & 0x7F, Type: typ, Offset: offset, Data: data}
		d.Decode(&s, &tg, testTime)
		for i, v := range s.Values {
			e := &d.Entities[i]
			if v.Set && e.Type == Enum && (v.Num < 0 || v.Num >= int64(len(e.Options))) {
				t.Fatalf("%s holds enum index %d of %d options", e.Key(), v.Num, len(e.Options))
			}
		}
	})
}
