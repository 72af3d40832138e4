package devices

import (
	"testing"
	"time"

	"github.com/emsd/emsd/internal/telegram"
)

// FuzzDecode sends arbitrary telegrams to a device of every product of
// every table: the decoder must never panic, never index outside the state,
// and never store an enum index outside the entity's options.
func FuzzDecode(f *testing.F) {
	fleet := fuzzFleet()
	if len(fleet) > 256 {
		f.Fatalf("%d devices: more than the fuzzer's index reaches", len(fleet))
	}
	f.Add(uint8(0), uint8(0x08), uint16(0x18), uint8(0), []byte{0, 2, 0x5A, 0x73, 0x3D, 0x0A, 0x10, 0x65})
	f.Add(uint8(1), uint8(0x10), uint16(0x02A5), uint8(0), []byte{0, 0xD3, 0x21, 0x22, 0, 0, 0x22, 0x27, 0, 0xEF, 1})
	f.Add(uint8(2), uint8(0x19), uint16(0x02B9), uint8(20), []byte{0xFF, 0xFF, 0xFF})
	f.Add(uint8(3), uint8(0x10), uint16(0x02F5), uint8(2), []byte{5})
	f.Fuzz(func(t *testing.T, which, src uint8, typ uint16, offset uint8, data []byte) {
		d := fleet[int(which)%len(fleet)]
		s := d.NewState()
		for _, h := range d.Handlers {
			if h.monitor { // give circuits something to write into
				monitor := telegram.Telegram{Src: d.ID, Type: h.Type, Data: make([]byte, 25)}
				d.Decode(&s, &monitor, testTime)
			}
		}
		if len(data) > telegram.MaxDataEMS {
			data = data[:telegram.MaxDataEMS]
		}
		tg := telegram.Telegram{Src: src & 0x7F, Type: typ, Offset: offset, Data: data}
		d.Decode(&s, &tg, testTime)
		d.Decode(&s, &tg, testTime.Add(time.Minute)) // time-dependent specials see it twice
		for i, v := range s.Values {
			e := &d.Entities[i]
			if v.Set && e.Type == Enum && (v.Num < 0 || v.Num >= int64(len(e.Options))) {
				t.Fatalf("%s of %s holds enum index %d of %d options", e.Key(), d.Product.Name, v.Num, len(e.Options))
			}
		}
	})
}

// fuzzFleet is a device of every product of every table at its usual bus
// ID, and at the IDs that change what a device is: an RC20 master at 0x17
// or remote at 0x18, a mixer of hc2, water stations of dhw2 and dhw3.
func fuzzFleet() []*Device {
	var fleet []*Device
	for _, t := range loadLibrary().order {
		l := t.layout()
		ids := []byte{catalogueIDs[l.typ]}
		switch l.typ {
		case Thermostat:
			ids = append(ids, 0x17, 0x18)
		case Mixer:
			ids = append(ids, 0x21)
		case Water:
			ids = append(ids, 0x29, 0x2A)
		}
		for _, prod := range l.products {
			for _, id := range ids {
				p, _ := Identify(catalogueIDs[l.typ], prod.id, "01.00")
				p.Type, p.Name = l.typ, prod.name
				fleet = append(fleet, NewDevice(id, p, "01.00", ""))
			}
		}
	}
	return fleet
}
