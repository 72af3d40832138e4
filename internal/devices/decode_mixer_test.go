package devices

import "testing"

// EMS+ mixer at 0x20 (hc1): ems-bus.md §6 vector 15, then a full status
// and the config telegram.
func TestMixerMMPlusVectors(t *testing.T) {
	d, s := decodeHex(t, 0x20, 160, "01.00",
		"A0 0B FF 00 01 D7 00 00 00 80 00 00 00 00 03", // 15
	)
	expect(t, d, s, map[string]any{
		"hc1.pumpstatus": 0.0, "hc1.valvestatus": 0.0, "hc1.flowtemphc": nil, "hc1.flowsettemp": 0.0,
		"hc1.flow": nil, // @9-10 not covered
	})
	d, s = decodeHex(t, 0x20, 160, "01.00",
		"A0 00 FF 00 01 D7 01 00 32 01 C2 28 00 00 00 01 F4",
		"A0 0B FF 00 01 CD FF 0E 05 FF 1E 00 00 00 00 06",
	)
	expect(t, d, s, map[string]any{
		"hc1.pumpstatus": 1.0, "hc1.valvestatus": 50.0, "hc1.flowtemphc": 45.0, "hc1.flowsettemp": 40.0,
		"hc1.flow": 500.0, "hc1.activated": 1.0, "hc1.valvesettime": 140.0, "hc1.flowtempoffset": 5.0,
		"hc1.dhwprio": 1.0, "hc1.setdiffpress": 300.0,
	})
	if s.Circuits != 1<<TagHC1 {
		t.Errorf("circuits %b, want only hc1", s.Circuits)
	}
}

// The module at 0x21 serves hc2 with types 0x02D8 and 0x02CE; hc1's types
// create nothing. The HM210 (product 248 at a mixer ID) reads the same.
func TestMixerMMPlusCircuit2(t *testing.T) {
	for _, pid := range []byte{160, 248} {
		d, s := decodeHex(t, 0x21, pid, "01.00",
			"A1 00 FF 00 01 D8 01 00 64 02 0D 37 00 00 00 00 00",
			"A1 0B FF 02 01 CE 03",                               // config @2 only
			"90 21 FF 00 01 D7 00 00 10 01 00 20 00 00 00 00 00", // hc1's type: no circuit
			"A1 0B FF 00 01 CD FF 0C",                            // hc1's config: no circuit
		)
		expect(t, d, s, map[string]any{
			"hc2.pumpstatus": 1.0, "hc2.valvestatus": 100.0, "hc2.flowtemphc": 52.5, "hc2.flowsettemp": 55.0,
			"hc2.flow": 0.0, "hc2.flowtempoffset": 3.0, "hc2.activated": nil, "hc2.valvesettime": nil,
			"hc1.flowtemphc": nil, "hc1.activated": nil,
		})
		if s.Circuits != 1<<(TagHC1+1) {
			t.Errorf("product %d: circuits %b, want only hc2", pid, s.Circuits)
		}
	}
}

// MM10 at 0x21 (hc2): vector 16 and the config 0xAA from mixer.cpp; at
// 0x20 the same types belong to hc1, and the valve reads signed.
func TestMixerMM10Vectors(t *testing.T) {
	d, s := decodeHex(t, 0x21, 69, "01.00",
		"21 00 AB 00 2D 01 BE 64 04 01 00", // 16
		"10 21 AA 00 FF 0C 0A 11 0A 32",
		"10 21 AC 00 1E 64 01", // set message: known, decodes nothing
	)
	expect(t, d, s, map[string]any{
		"hc2.flowsettemp": 45.0, "hc2.flowtemphc": 44.6, "hc2.pumpstatus": 1.0, "hc2.valvestatus": 4.0,
		"hc2.activated": 1.0, "hc2.valvesettime": 120.0, "hc1.flowsettemp": nil,
	})
	d, s = decodeHex(t, 0x20, 69, "01.00",
		"20 00 AB 00 19 00 FA 00 9C 01 00",
		"10 20 AA 00 00 06",
	)
	expect(t, d, s, map[string]any{
		"hc1.flowsettemp": 25.0, "hc1.flowtemphc": 25.0, "hc1.pumpstatus": 0.0, "hc1.valvestatus": -100.0,
		"hc1.activated": 0.0, "hc1.valvesettime": 60.0,
	})
	if d.Handler(0xAA) == nil || !d.Handler(0xAA).Fetch || d.Handler(0xAB).Fetch {
		t.Error("MM10: 0xAA should be fetched, 0xAB broadcast")
	}
}

// IPM at 0x21 (hc2): vector 17 (mixed), then an unmixed and an inactive
// circuit and a fragment without @0; at 0x20 mixer.cpp's unmixed example.
func TestMixerIPMVectors(t *testing.T) {
	d, s := decodeHex(t, 0x21, 100, "01.00",
		"A1 00 FF 00 00 0C 02 04 00 01 1D 00", // 17
	)
	expect(t, d, s, map[string]any{
		"hc2.flowtemphc": 28.5, "hc2.valvestatus": 0.0, "hc2.pumpstatus": 0.0, "hc2.flowsettemp": 0.0,
		"hc2.flowtempvf": nil,
	})
	d, s = decodeHex(t, 0x21, 102, "01.00",
		"A1 00 FF 00 00 0C 02 05 3C 01 F4 32", // mixed
		"A1 00 FF 00 00 0C 01 00 00 00 00 2D", // unmixed: valve and flow temperature stay
		"A1 00 FF 00 00 0C 00 01 00 00 00 14", // off: nothing changes
		"A1 00 FF 05 00 0C 1E",                // no @0: nothing changes
		"A1 00 FF 00 00 1E 01 D8",
	)
	expect(t, d, s, map[string]any{
		"hc2.flowtemphc": 50.0, "hc2.valvestatus": 60.0, "hc2.pumpstatus": 0.0, "hc2.flowsettemp": 45.0,
		"hc2.flowtempvf": 47.2,
	})
	d, s = decodeHex(t, 0x20, 100, "01.00",
		"A0 00 FF 00 00 0C 01 00 00 00 00 00",
	)
	expect(t, d, s, map[string]any{
		"hc1.pumpstatus": 0.0, "hc1.flowsettemp": 0.0, "hc1.flowtemphc": nil, "hc1.valvestatus": nil,
	})
}

// MM100 as dhw station at 0x28: status from water.cpp's comment, and a
// config telegram.
func TestWaterMMPlusVectors(t *testing.T) {
	d, s := decodeHex(t, 0x28, 160, "01.00",
		"A8 00 FF 00 02 31 02 35 00 3C 00 3C 3C 46 02 03 03 00 3C",
		"A8 0B FF 00 02 13 00 00 00 00 3C 0F 00 FB 00 46 50",
	)
	expect(t, d, s, map[string]any{
		"dhw.temp": 56.5, "dhw.pump": 0.0, "dhw.tempstatus": 0.0,
		"dhw.requiredtemp": 60.0, "dhw.redtemp": 15.0, "dhw.difftemp": -5.0, "dhw.disinfectiontemp": 70.0,
		"dhw.maxtemp": 80.0, "dhw.circ": nil, "dhw.circmode": nil,
	})
	d, s = decodeHex(t, 0x28, 161, "01.00", "A8 00 FF 00 02 31 01 F4 01 00 00 00 00 00 00 00 00 FF")
	expect(t, d, s, map[string]any{"dhw.temp": 50.0, "dhw.pump": 1.0, "dhw.tempstatus": -1.0})
	// The station at 0x29 serves dhw2, with types one above.
	d, s = decodeHex(t, 0x29, 160, "01.00",
		"A9 00 FF 00 02 32 01 F4 01 00 00 00 00 00 00 00 00 FF",
		"A9 0B FF 00 02 14 00 00 00 00 3C 0F 00 FB 00 46 50",
	)
	expect(t, d, s, map[string]any{
		"dhw2.temp": 50.0, "dhw2.pump": 1.0, "dhw2.requiredtemp": 60.0, "dhw2.maxtemp": 80.0,
	})
}

// IPM as dhw station at 0x41: the telegrams of water.cpp's comments.
func TestWaterIPMVectors(t *testing.T) {
	d, s := decodeHex(t, 0x41, 100, "01.00",
		"41 00 34 00 37 02 1E 02 1D 08 00 00 00",
		"41 08 1E 00 01 D8",
		"41 0B 33 00 08 FF 46 FB FF 28 FF 02 46 00 FF 00",
	)
	expect(t, d, s, map[string]any{
		"dhw.seltemp": 55.0, "dhw.temp": 54.2, "dhw.curtemp2": 54.1, "dhw.pump": 1.0, "dhw.hydrTemp": 47.2,
		"dhw.hyston": -5.0, "dhw.hystoff": -1.0, "dhw.flowtempoffset": 40.0, "dhw.circ": 1.0,
		"dhw.circmode": "auto", "dhw.disinfectiontemp": 70.0,
	})
	// circmode 7 (as in water.cpp's example) is beyond the option list: no value.
	d, s = decodeHex(t, 0x41, 100, "01.00", "41 0B 33 00 08 FF 46 FB FF 28 00 07 46 00 FF 00")
	expect(t, d, s, map[string]any{"dhw.circmode": nil, "dhw.circ": 0.0})
}

// SM100 as dhw station at 0x2A serves dhw3: water.cpp's example telegrams,
// completed where they stop short of a field.
func TestWaterSM100Vectors(t *testing.T) {
	d, s := decodeHex(t, 0x2A, 163, "01.00",
		"2A 00 FF 00 06 D6 01 C1 00 00 02 5B 01 AF 01 AD 80 00 01 90 01 2C",
		"2A 00 FF 00 06 AA 64 00 04 00 03 00 28 01 0F",
		"2A 0B FF 00 06 A6 FF 05 0F 5F 00 01 3C 3D 3E 3F 28 12 46 01 3C 1E 03 07 3C 01 0F 00 05",
		"2A 0B FF 00 06 E0 00 00 46 00 00 01 06 0E 06 0E 00 00 00 00 00 03 03 03 03",
		"2A 0B FF 00 06 A5 FF 00 00 07 01",
		"2A 0B FF 00 06 AE FF",
		"2A 0B FF 00 06 AD 00 32",
		"2A 0B FF 00 06 AC 00 0A",
		"10 2A FF 00 06 AB 01 00 01", // command: known, decodes nothing
	)
	expect(t, d, s, map[string]any{
		"dhw3.temp": 44.9, "dhw3.flow": 0.0, "dhw3.storagetemp1": 60.3, "dhw3.coldtemp": 43.1, "dhw3.temp5": 42.9,
		"dhw3.rettemp": 30.0, "dhw3.pump": 1.0,
		"dhw3.dailytemp": 60.0, "dhw3.hottemp": 61.0, "dhw3.maxtemp": 62.0, "dhw3.seltemp": 63.0, "dhw3.redtemp": 40.0,
		"dhw3.disinfectiontemp": 70.0, "dhw3.errordisp": "normal",
		"dhw3.status2": "heat request", "dhw3.pumpmod": 14.0,
		"dhw3.circ": 1.0, "dhw3.circmode": "continuous", "dhw3.circtc": 1.0, "dhw3.keepwarm": 1.0,
		"dhw3.valvereturn": 50.0, "dhw3.deltatret": 10.0,
	})
}
