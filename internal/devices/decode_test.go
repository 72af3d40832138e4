package devices

import (
	"encoding/hex"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/emsd/emsd/internal/telegram"
)

// testTime is when the telegrams of a test arrive.
var testTime = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// decodeHex feeds telegrams written as hex without CRC to a fresh device.
func decodeHex(t *testing.T, id, productID byte, version string, frames ...string) (*Device, *State) {
	t.Helper()
	p, ok := Identify(id, productID, version)
	if !ok {
		t.Fatalf("product %d at 0x%02X not identified", productID, id)
	}
	d := NewDevice(id, p, version, "")
	s := d.NewState()
	feedHex(t, d, &s, frames...)
	return d, &s
}

// feedHex feeds more telegrams (hex without CRC) to a device's state.
func feedHex(t *testing.T, d *Device, s *State, frames ...string) {
	t.Helper()
	for _, h := range frames {
		b, err := hex.DecodeString(strings.ReplaceAll(h, " ", ""))
		if err != nil {
			t.Fatal(err)
		}
		tg, err := telegram.Parse(append(b, telegram.CRC(b)))
		if err != nil {
			t.Fatalf("%s: %v", h, err)
		}
		if !d.Decode(s, &tg, testTime) {
			t.Fatalf("%s: type 0x%02X not known to %s", h, tg.Type, d.Product.Name)
		}
	}
}

// scaled is the value as the API reports it: the operator applied.
func scaled(e *Entity, v Value) float64 {
	switch {
	case e.Scale > 0:
		return float64(v.Num) / float64(e.Scale)
	case e.Scale < 0:
		return float64(v.Num) * float64(-e.Scale)
	}
	return float64(v.Num)
}

// expect checks values by key; nil means "no value", a string a text or an
// enum option, a float64 a number after the operator.
func expect(t *testing.T, d *Device, s *State, want map[string]any) {
	t.Helper()
	for key, w := range want {
		i, ok := d.slot(key)
		if !ok {
			t.Errorf("%s: no such entity", key)
			continue
		}
		e, v := &d.Entities[i], s.Values[i]
		switch w := w.(type) {
		case nil:
			if v.Set {
				t.Errorf("%s = %+v, want no value", key, v)
			}
		case string:
			got := v.Str
			if e.Type == Enum && v.Set {
				got = e.Options[v.Num]
			}
			if !v.Set || got != w {
				t.Errorf("%s = %q (set %v), want %q", key, got, v.Set, w)
			}
		case float64:
			if !v.Set || math.Abs(scaled(e, v)-w) > 1e-9 {
				t.Errorf("%s = %v (set %v), want %v", key, scaled(e, v), v.Set, w)
			}
		default:
			t.Fatalf("bad expectation %T", w)
		}
	}
}

// Vectors from ems-bus.md §6, by number.
func TestBoilerVectors(t *testing.T) {
	d, s := decodeHex(t, 0x08, 123, "01.00",
		"08 0B 14 00 3C 1F AC 70", // 2
		"08 00 18 00 00 02 5A 73 3D 0A 10 65 40 02 1A 80 00 01 E1 01 76 0E 3D 48 00 C9 44 02 00", // 3
		"08 0B 33 00 08 FF 34 FB 00 28 00 00 46 00 FF FF 00",                                     // 4
		"08 00 34 00 36 01 A5 80 00 21 00 00 01 00 01 3E 8D 03 77 91 00 80 00",                   // 20
	)
	expect(t, d, s, map[string]any{
		"ubauptime": 3940268.0, "selflowtemp": 0.0, "curflowtemp": 60.2, "selburnpow": 115.0, "curburnpow": 61.0,
		"burngas": 1.0, "burngas2": 0.0, "fanwork": 1.0, "ignwork": 0.0, "heatingpump": 1.0, "dhw.3wayvalve": 1.0,
		"dhw.circ": 0.0, "dhw.storagetemp1": 53.8, "dhw.storagetemp2": nil, "rettemp": 48.1, "flamecurr": 37.4,
		"syspress": 1.4, "servicecode": "=H", "servicecodenumber": 201.0, "dhw.chargepump": 0.0,
		"heatingactive": 0.0, "tapwateractive": 1.0,
		"dhw.activated": 1.0, "dhw.seltemp": 52.0, "dhw.hyston": -5.0, "dhw.chargeoptimization": 0.0,
		"dhw.flowtempoffset": 40.0, "dhw.circpump": 0.0, "dhw.circmode": "off", "dhw.disinfectiontemp": 70.0,
		"dhw.comfort": "hot", "dhw.chargetype": "3-way valve",
		"dhw.settemp": 54.0, "dhw.curtemp": 42.1, "dhw.curtemp2": nil, "dhw.tempok": 1.0, "dhw.onetime": 0.0,
		"dhw.type": "flow", "dhw.curflow": 0.0, "dhw.workm": 81549.0, "dhw.starts": 227217.0, "dhw.solartemp": nil,
		"outdoortemp": nil, // never received
	})
}

func TestBoilerEMSPlusVectors(t *testing.T) {
	d, s := decodeHex(t, 0x08, 123, "01.00",
		"88 00 E3 00 04 00 00 00 00 01 00 00 00 00 00 02 22 2B 64 46 01 00 00",                         // 22
		"08 00 E9 00 37 01 F6 01 ED 00 00 00 00 41 3C 00 00 00 00 00 00 00 00 00 00 00 00 37 00 00 00", // 23
		"88 0B E6 00 01 46 00 00 46 0A 00 01 06 FA 0A 01 02 64 01 00 00 1E 00 3C 01 00 00 00 01 00",    // 24
		"08 0B 15 00 02 0F 1D 0B 19",                                  // maintenance by date, 1500 h
		"08 0B 10 00 36 41 00 E3 18 03 0A 0F 1E 00 05 08",             // error log record
		"08 0B 2E 00 00 01 E2 40 00 00 B2 6E 00 01 D4 C0 00 00 AF C8", // meters
	)
	expect(t, d, s, map[string]any{
		"absburnpow": 43.0, "dhw.settemp": 55.0, "dhw.curtemp": 50.2, "dhw.curtemp2": 49.3, "dhw.curflow": 0.0,
		"dhw.workm": 0.0, "dhw.starts": 0.0, "heatingactivated": 1.0, "heatingtemp": 70.0, "burnmaxpower": 70.0,
		"burnminpower": 10.0, "boilhystoff": 6.0, "boilhyston": -6.0, "burnminperiod": 10.0, "pumpmodmax": 100.0,
		"pumpmodmin": 1.0, "pumpcharacter": "proportional", "emergencyops": 0.0, "emergencytemp": 60.0,
		"maintenance": "date", "maintenancetime": 1500.0, "maintenancedate": "29.11.2025",
		"lastcode":     "6A(227) 15.03.2024 10:30 (5 min)",
		"gasmeterheat": 12345.6, "dhw.gasmeter": 4567.8, "meterheat": 12000.0, "dhw.meter": 4500.0,
	})
}

func TestRC300Vectors(t *testing.T) {
	d, s := decodeHex(t, 0x10, 158, "19.03",
		"10 0B FF 00 01 A5 00 D3 21 22 00 00 22 27 00 EF 01 01 03 00 EF 01 4B 00 00 11 01 04 08 42 00", // 6
		"90 00 FF 19 01 A5 01 04 00 00 00 00 FF 64 2A 00 3C 01 FF",                                     // 9
		"90 0B FF 00 01 B9 00 2E 26 26 1B 03 00 FF FF 05 28 01 E1 20 01 0F 05 2A",                      // 10
		"90 0B 06 00 14 06 17 08 03 22 00 01 10 FF 00",                                                 // 25
	)
	expect(t, d, s, map[string]any{
		"hc1.currtemp": 21.1, "hc1.seltemp": 17.0, "hc1.targetflowtemp": 0.0, "hc1.modetype": "eco",
		"hc1.summermode": "winter", "hc1.haclimate": "roomTemp", "hc1.vacationmode": 0.0,
		"hc1.curroominfl": 0.0, "hc1.currsolarinfl": 0.0, "hc1.coolingon": 0.0,
		"hc1.mode": "manual", "hc1.comforttemp": 19.0, "hc1.ecotemp": 13.5, "hc1.reducemode": "reduce",
		"hc1.manualtemp": 20.0, "hc1.program": "prog 1", "hc1.noreducetemp": -31.0, "hc1.reducetemp": 5.0,
		"datetime":         "08.06.2020 23:03",
		"hc1.tempautotemp": -1.0, // 0xFF: inactive
		"hc2.seltemp":      nil,  // hc2 was never announced
	})
	if !s.HasCircuit(TagHC1) || s.HasCircuit(TagHC1+1) {
		t.Errorf("circuits %b, want only hc1", s.Circuits)
	}
}

// EMS+ boilers: activity from 0xE4 @11, error log 0xC2 (vector 29), the
// exhaust fallback of 0xE5 and the comfort fallback of 0xEA @13.
func TestBoilerEMSPlusSpecials(t *testing.T) {
	d, s := decodeHex(t, 0x08, 123, "01.00",
		"08 0B C2 00 08 AC 00 10 31 48 30 31 15 80 95 0B 0E 10 38 00 7F FF FF FF", // 29
		"08 00 E4 00 00 00 00 00 00 00 28 01 90 32 20 03 00 00 00 00 00 00 00 00", // @11: flame, heating pump
		"08 00 E5 00 00 00 00 00 00 00 01 C2",                                     // exhaust 45.0 @6
		"08 0B EA 00 00 00 00 00 00 00 00 00 00 00 00 00 00 D8",                   // @13 = eco, @26 not sent
	)
	expect(t, d, s, map[string]any{
		"lastcode": "H01(5504) 16.11.2021 14:56 - now", "heatingactive": 1.0, "tapwateractive": 0.0,
		"burngas": 1.0, "exhausttemp": 45.0, "dhw.comfort1": "eco",
	})
	// Once 0xE4 has given an exhaust temperature, 0xE5 no longer counts.
	d2, s2 := decodeHex(t, 0x08, 123, "01.00",
		"08 00 E4 1F 01 F4", // @31: exhaust 50.0
		"08 00 E5 00 00 00 00 00 00 00 01 C2",
	)
	expect(t, d2, s2, map[string]any{"exhausttemp": 50.0})
}

// EMS 1.0 boilers read none of the EMS+ telegrams.
func TestBoilerModelFilter(t *testing.T) {
	p, _ := Identify(0x08, 72, "01.00")
	d := NewDevice(0x08, p, "01.00", "")
	if d.Handler(0xE4) != nil || d.Handler(0x2A) != nil || d.Handler(0x18) == nil {
		t.Errorf("EMS boiler handlers: E4 %v, 2A %v, 18 %v", d.Handler(0xE4), d.Handler(0x2A), d.Handler(0x18))
	}
}

// A room unit at 0x18 speaks for hc1 (ems-bus.md §6 vector 7), a partial
// telegram changes only what it covers, and a set telegram cannot create a
// circuit.
func TestRC300Circuits(t *testing.T) {
	d, s := decodeHex(t, 0x18, 157, "01.00",
		"98 00 FF 00 01 A5 00 CF 21 2E 00 00 2E 24 03 25 03 03 01 03 25 00 C8 00 00 11 01 03 13", // 7
		"98 00 FF 01 01 A5 01",                      // @1 alone does not hold currtemp (@0-1): no change
		"98 00 FF 03 01 A5 30",                      // @3: seltemp only
		"98 0B FF 00 01 BA 00 2E 26 26 1B 03 00 FF", // hc2 set: ignored, hc2 does not exist
	)
	expect(t, d, s, map[string]any{"hc1.currtemp": 20.7, "hc1.seltemp": 24.0, "hc1.modetype": "comfort", "hc2.comforttemp": nil})
	if s.HasCircuit(TagHC1 + 1) {
		t.Error("a set telegram created hc2")
	}
}

// The product table: lookup order, the boiler rule and the overrides of
// ems-bus.md §3.4.
func TestIdentify(t *testing.T) {
	for _, tc := range []struct {
		id, product byte
		version     string
		typ         Type
		name        string
		model       Flags
	}{
		{0x08, 123, "01.00", Boiler, "GB*72, Trendline, Cerapur, Greenstar Si", 0},
		{0x10, 158, "19.03", Thermostat, "RC3*0, Moduline 3000/1010H, CW400, Sense II, HPC410", ModelRC300},
		{0x10, 158, "73.01", Thermostat, "RC3*0, Moduline 3000/1010H, CW400, Sense II, HPC410", ModelHMC310},
		{0x18, 157, "21.00", Thermostat, "CR120", ModelCR120},
		{0x09, 95, "01.00", Controller, "", 0},
		{0x08, 95, "01.00", Boiler, "Condens, Logamax/Logomatic, Cerapur Top, Greenstar, Generic HT3", ModelHT3},
		{0x70, 123, "01.00", Heatsource, "GB*72, Trendline, Cerapur, Greenstar Si", 0},
		{0x28, 160, "01.00", Water, "MM100", ModelMMPlus},
		{0x08, 0, "", Boiler, "Generic Boiler", ModelHeatPump},
		{0x30, 250, "01.00", Generic, "unknown", 0},
	} {
		p, ok := Identify(tc.id, tc.product, tc.version)
		if !ok || p.Type != tc.typ || (tc.name != "" && p.Name != tc.name) || p.Flags.Model() != tc.model {
			t.Errorf("Identify(0x%02X, %d, %q) = %+v, %v; want %v %q model %d", tc.id, tc.product, tc.version, p, ok, tc.typ, tc.name, tc.model)
		}
	}
	if len(products) != 128 {
		t.Errorf("%d products, want EMS-ESP's 128 firmware rows", len(products))
	}
}

// Every table parses and every field names an entity of its layout; the
// per-circuit blocks repeat the same entities.
func TestLayoutsBind(t *testing.T) {
	for _, pid := range []byte{123, 158, 157, 4, 172} {
		id := byte(0x10)
		if pid == 123 {
			id = 0x08
		}
		p, _ := Identify(id, pid, "01.00")
		d := NewDevice(id, p, "01.00", "")
		if len(d.Entities) == 0 || len(d.Handlers) == 0 {
			t.Errorf("product %d: %d entities, %d handlers", pid, len(d.Entities), len(d.Handlers))
		}
		for i := 0; i < d.hcStride; i++ {
			a, b := d.Entities[d.hcBase+i], d.Entities[d.hcBase+d.hcStride+i]
			if a.Short != b.Short || a.Tag != TagHC1 || b.Tag != TagHC1+1 {
				t.Fatalf("product %d: circuit blocks differ at %d: %s/%s", pid, i, a.Key(), b.Key())
			}
		}
	}
}

// RC35 circuit telegrams step by 0x0A: 0x48 is hc2's monitor.
func TestRC35SecondCircuit(t *testing.T) {
	d, s := decodeHex(t, 0x10, 86, "01.00",
		"10 00 48 00 00 02 2A 00 D7 00 00 00 00 00 00 00 00 00 32", // hc2: 21.0 set, 21.5 room, flow 50 @14
	)
	expect(t, d, s, map[string]any{"hc2.seltemp": 21.0, "hc2.currtemp": 21.5, "hc2.targetflowtemp": 50.0, "hc1.seltemp": nil})
	if !s.HasCircuit(TagHC1+1) || s.HasCircuit(TagHC1) {
		t.Errorf("circuits %b, want hc2 only", s.Circuits)
	}
}

// The burner's energy: modulation × nominal power × time, split by what the
// burner served, in 0.01 kWh. A 24 kW boiler at 50% for an hour of heating
// makes 12 kWh; at 100% for half an hour of tap water another 12 kWh.
func TestBurnerEnergy(t *testing.T) {
	d, s := decodeHex(t, 0x08, 123, "01.00", "08 0B 04 00 13 96 09 81 18 64 64 35")
	at := func(minutes int, frame string) {
		t.Helper()
		b, _ := hex.DecodeString(strings.ReplaceAll(frame, " ", ""))
		tg, err := telegram.Parse(append(b, telegram.CRC(b)))
		if err != nil {
			t.Fatal(err)
		}
		d.Decode(s, &tg, testTime.Add(time.Duration(minutes)*time.Minute))
	}
	heating50 := "08 00 18 00 3C 02 5A 40 32 09 00 00"
	tap100 := "08 00 18 00 3C 02 5A 64 64 0A 00 00"
	off := "08 00 18 00 3C 02 5A 00 00 00 00 00"
	at(0, heating50)
	expect(t, d, s, map[string]any{"nompower": 24.0, "nrgheat": 0.0, "nrgtotal": 0.0, "dhw.nrg": 0.0})
	at(30, heating50)
	at(60, tap100) // the hour before counts as heating at 50%
	expect(t, d, s, map[string]any{"heatingactive": 0.0, "tapwateractive": 1.0, "nrgheat": 12.0, "dhw.nrg": 0.0, "nrgtotal": 12.0})
	at(90, off)
	at(150, off) // an idle burner adds nothing
	expect(t, d, s, map[string]any{"nrgheat": 12.0, "dhw.nrg": 12.0, "nrgtotal": 24.0})
	at(140, heating50) // a clock that went back adds nothing either
	expect(t, d, s, map[string]any{"nrgheat": 12.0, "dhw.nrg": 12.0, "nrgtotal": 24.0})
}
