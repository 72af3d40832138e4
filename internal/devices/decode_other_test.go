package devices

import "testing"

// The smaller device families at their usual bus IDs: each product must be
// identified as the device type its table describes.
func TestOtherIdentify(t *testing.T) {
	for _, tc := range []struct {
		id, product byte
		typ         Type
	}{
		{0x53, 248, Heatpump}, {0x53, 16, Heatpump}, {0x38, 252, Heatpump},
		{0x60, 228, Heatsource}, {0x51, 231, Ventilation}, {0x11, 71, Switch}, {0x12, 74, Alert},
		{0x15, 243, Extension}, {0x16, 220, Extension}, {0x11, 204, Pool}, {0x50, 17, Connect},
		{0x09, 240, Controller},
	} {
		p, ok := Identify(tc.id, tc.product, "01.00")
		if !ok || p.Type != tc.typ || layoutFor(p) == nil {
			t.Errorf("Identify(0x%02X, %d) = %+v, %v (table %v); want %v", tc.id, tc.product, p, ok, layoutFor(p) != nil, tc.typ)
		}
	}
}

// Heat pump manager: frames from heatpump.cpp's comments where they exist.
func TestHeatpumpVectors(t *testing.T) {
	d, s := decodeHex(t, 0x53, 248, "01.00",
		"53 00 FF 00 03 7B 0C 34", // HP2
		"53 0B FF 00 08 98 00 00 0B 00 00 1F 01 00 01 01 16 06 00 04 02 FF 00 01 7C 01",             // HPSettings
		"53 0B FF 00 08 99 01 00 32 00 00 00 01 28 00 01 00",                                        // HPFunctionTest
		"53 00 FF 00 08 A0 02 23 01 3E 01 39 00 5D 01 DE 01 38 00 40 00 5E 00 58 00 3F 01 34 00 02", // HPTemperature
		"53 00 FF 00 08 9B 80 00 80 00 01 3C 01 38 80 00 80 00 80 00 01 37 00 00 00 00 64",          // HPFlowTemp
		"53 00 FF 0F 08 9C 2D", // HPComp @15 only
		"53 0B FF 00 03 AE 00 00 BD C4 00 00 5B 6A 00 00 00 24 00 00 62 59 00 00 00 00 00 00 00 00", // HPEnergy
		"53 0B FF 00 03 AF 00 00 48 B2 00 00 48 55 00 00 00 5D 00 00 01 78 00 00 00 00 00 00 07 61", // HPMeters
		"53 0B FF 18 03 AF 00 00 24 B0 00 00 00 12 00 00 23 A5 00 00 00 4B 00 00 00 00 00 00 00 00", // HPMeters @24
		"53 00 FF 00 08 9A 05 00 00 00 00 00 00 37 00 00 1D 00 00 52 00 00 13 01 00 01 7C",          // HPStarts
		"53 00 FF 00 00 2E 00 00 00 00 00 30 39 00 00 01 F4 00 00 27 10 00 00 03 E8",                // HPEnergy1
		"53 00 FF 00 00 3B 00 00 00 00 00 00 64 FF FF FF 00",                                        // HPEnergy2
	)
	expect(t, d, s, map[string]any{
		"dewtemperature": 12.0, "airhumidity": 52.0,
		"hybridstrategy": "cost optimized", "dhw.hybriddhw": "eco", "energypricegas": 11.0, "energypriceel": 31.0,
		"energyfeedpv": 1.0, "lownoisemode": "reduced output", "lownoisestart": 22.0, "lownoisestop": 6.0,
		"switchovertemp": 2.0,
		"airpurgemode":   1.0, "heatpumpoutput": 50.0, "coolingcircuit": 1.0, "compstartmod": 40.0,
		"heatdrainpan": 1.0, "heatcable": 0.0,
		"hptr6": 54.7, "hptl2": 9.3, "hptr1": 47.8, "hptr3": 31.2, "hptr4": 6.4, "hptr5": 9.4, "hpta4": 8.8,
		"hppl1": 6.3, "hpph1": 30.8,
		"curflowtemp": 31.6, "rettemp": 31.2, "sysrettemp": 31.1, "heatingpumpmod": 0.0, "hpcompspd": 45.0,
		"nrgtotal": 485.8, "nrgheat": 234.02, "dhw.nrg": 251.77,
		"metertotal": 186.1, "metercomp": 185.17, "metereheat": 0.93, "meterheat": 93.92, "dhw.meter": 91.25,
		"heatingstarts": 82.0, "dhw.startshp": 19.0,
		"fuelheat": 1234.5, "dhw.fueldhw": 50.0, "elheat": 1000.0, "dhw.eldhw": 100.0,
		"elgenheat": 10.0, "dhw.elgendhw": nil, // FF FF FF 00: no value
	})
	// The HP module at 0x38 (heatpump.cpp's own example).
	d, s = decodeHex(t, 0x38, 252, "01.00", "38 10 FF 00 03 7B 08 24 00 4B")
	expect(t, d, s, map[string]any{"dewtemperature": 8.0, "airhumidity": 36.0})
}

// AM200 at 0x60 (ahs1): temperatures and settings from heatsource.cpp's comments.
func TestHeatsourceVectors(t *testing.T) {
	d, s := decodeHex(t, 0x60, 228, "01.00",
		"60 00 FF 00 04 4D 01 03 01 08 80 00 00 C6 01 27 02 05 80 00 02 00 00 00 80 00",
		"60 00 FF 00 04 4E 32 21 64 00 28 50",
		"60 0B FF 00 04 4F 00 00 00 00 00 00 00",
		"60 00 FF 18 04 50 1E 0A",
		"60 0B FF 00 04 4C 00 01 01 00 01 00 41 4B 00 5A 00 5A 00 01 05 3C 00 00 5A 00 01 23 00",
	)
	expect(t, d, s, map[string]any{
		"ahs1.sysflowtemp": 25.9, "ahs1.sysrettemp": 26.4, "ahs1.fluegastemp": nil, "ahs1.altflowtemp": 19.8,
		"ahs1.altrettemp": 29.5, "ahs1.cyltoptemp": 51.7, "ahs1.cylcentertemp": nil, "ahs1.cylbottomtemp": 51.2,
		"ahs1.apumpmod": 50.0, "ahs1.burner": 1.0, "ahs1.apump": 1.0, "ahs1.heatrequest": 100.0,
		"ahs1.valvereturn": 40.0, "ahs1.valvebuffer": 80.0,
		"ahs1.blockremain": 30.0, "ahs1.blockremaindhw": 10.0,
		"ahs1.ahsactivated": 0.0, "ahs1.temprise": 1.0, "ahs1.bufbypass": "mixer", "ahs1.apumpsignal": "off",
		"ahs1.apumpconfig": 1.0, "ahs1.setreturntemp": 65.0, "ahs1.setflowtemp": 75.0, "ahs1.mixruntime": 90.0,
		"ahs1.bufmixruntime": 90.0, "ahs1.vr2config": "off", "ahs1.blockhyst": 5.0, "ahs1.releasewait": 60.0,
		"ahs1.blockmode": "off", "ahs1.blockterm": "n_o", "ahs1.bufconfig": "monovalent", "ahs1.apumpmin": 35.0,
	})
	// AmExtra as captured (CRCs 4A and 39 check): 25 bytes, then @25..27.
	d, s = decodeHex(t, 0x60, 228, "01.00",
		"60 00 FF 00 04 50 00 FF 00 FF FF 00 0D 00 01 00 00 00 00 01 03 01 00 03 00 2D 19 C8 02 94 00",
		"60 00 FF 19 04 50 00 FF FF",
	)
	expect(t, d, s, map[string]any{"ahs1.blockremain": 0.0, "ahs1.blockremaindhw": 0.0})
}

func TestVentilationVectors(t *testing.T) {
	d, s := decodeHex(t, 0x51, 231, "01.00",
		"51 0B FF 00 04 6B FF",
		"51 00 FF 00 04 85 46 3C 00 00",
		"51 00 FF 00 04 83 00 C8 00 00 00 00 00 00 DC 00 00 00 00 FF F6 00 FA",
		"51 00 FF 00 04 D9 03 9C FF",
		"51 00 FF 00 04 87 00 00 64 00 64 0A 00 01 54 01 00 01 00 00 00 46 00 00 00 02 00 A3 00 A3",
		"51 0B FF 00 04 5C 08 01 11 17",
	)
	expect(t, d, s, map[string]any{
		"ventmode": "auto", "ventoutspeed": 70.0, "ventinspeed": 60.0,
		"outexhaust": 20.0, "inexhaust": 22.0, "outfresh": -1.0, "infresh": 25.0,
		"airquality": 924.0, "airhumidity": nil, "bypass": 1.0,
	})
	for raw, want := range map[string]string{"00": "off", "03": "L3", "05": "demand", "0A": "fireplace"} {
		d, s := decodeHex(t, 0x51, 231, "01.00", "51 0B FF 00 04 6B "+raw)
		expect(t, d, s, map[string]any{"ventmode": want})
	}
}

// WM10 (switch.cpp's example frames) and the EM10 alert module.
func TestSwitchAlertVectors(t *testing.T) {
	d, s := decodeHex(t, 0x11, 71, "01.00",
		"11 00 9C 00 01 BA FF 01 00",
		"10 11 9D 00 01",
	)
	expect(t, d, s, map[string]any{"flowtemphc": 44.2, "status": -1.0, "activated": 1.0})
	d, s = decodeHex(t, 0x11, 71, "01.00", "11 08 1E 00 01 C2")
	expect(t, d, s, map[string]any{"flowtemphc": 45.0, "status": nil})

	d, s = decodeHex(t, 0x12, 74, "01.00", "12 08 1A 00 2D 64 00 00")
	expect(t, d, s, map[string]any{"setflowtemp": 45.0, "setburnpow": 100.0})
}

// EM100 at 0x15, frames from extension.cpp's comments.
func TestExtensionVectors(t *testing.T) {
	d, s := decodeHex(t, 0x15, 243, "01.00",
		"15 0B FF 00 08 35 00 00 64 50 14",
		"15 00 FF 01 08 36 00 00 00 00 28 00",
		"15 00 FF 00 08 37 01 5E",
		"15 00 FF 00 08 38 01 62",
		"15 00 FF 00 08 39 64 4E 00 00",
		"15 00 FF 00 08 3A 00 00 00 00 00 00 00 00 00 03 01",
	)
	expect(t, d, s, map[string]any{
		"minv": 0.0, "maxv": 10.0, "mint": 80.0, "maxt": 20.0, "outpow": 40.0, "flowtempvf": 35.0,
		"input": 9.8, "setpower": 100.0, "setpoint": 78.0, "mode": 3.0,
	})
	d, s = decodeHex(t, 0x15, 243, "01.00", "15 00 FF 00 08 37 80 00")
	expect(t, d, s, map[string]any{"flowtempvf": nil})
}

// MP100: the shunt status comes from @2 unless the shunt is fully open or closed.
func TestPoolVectors(t *testing.T) {
	d, s := decodeHex(t, 0x11, 204, "01.00", "11 0B FF 00 04 BA 00 FA 01 32")
	expect(t, d, s, map[string]any{"pooltemp": 25.0, "poolshunt": 50.0, "poolshuntstatus": "opening"})
	d, s = decodeHex(t, 0x11, 204, "01.00", "11 0B FF 00 04 BA 00 FA 01 32",
		"11 0B FF 03 04 BA 64")
	expect(t, d, s, map[string]any{"poolshunt": 100.0, "poolshuntstatus": "open"})
	d, s = decodeHex(t, 0x11, 204, "01.00", "11 0B FF 00 04 BA 00 FA 01 32",
		"11 0B FF 03 04 BA 00", "11 0B FF 02 04 BA 02")
	expect(t, d, s, map[string]any{"poolshunt": 0.0, "poolshuntstatus": "close"})
	d, s = decodeHex(t, 0x11, 204, "01.00", "11 0B FF 00 04 BA 00 FA 01 32",
		"11 0B FF 02 04 BA 02", "11 0B FF 03 04 BA 1E")
	expect(t, d, s, map[string]any{"poolshunt": 30.0, "poolshuntstatus": "closing"})
	d, s = decodeHex(t, 0x11, 204, "01.00", "11 0B FF 00 04 BA 80 00 FF FF")
	expect(t, d, s, map[string]any{"pooltemp": nil, "poolshunt": nil, "poolshuntstatus": nil})
}

// The IVT controller's clock has its month one too high; short or partial
// telegrams are ignored.
func TestControllerVectors(t *testing.T) {
	d, s := decodeHex(t, 0x09, 240, "01.00", "09 00 06 00 18 05 0E 1F 2D 00 00 00")
	expect(t, d, s, map[string]any{"datetime": "31.04.2024 14:45"})
	d, s = decodeHex(t, 0x09, 240, "01.00", "09 00 06 00 18 05 0E 1F", "09 00 06 01 05 0E 1F 2D 00")
	expect(t, d, s, map[string]any{"datetime": nil})
}

// The RF base at 0x50: outdoor temperature, clock and room unit 1 (frames
// after connect.cpp's comments).
func TestConnectVectors(t *testing.T) {
	d, s := decodeHex(t, 0x50, 17, "01.00",
		"50 00 D1 00 00 64",
		"50 00 06 00 18 03 0C 0F 1E 00 00 00 00 00",
		"50 00 FF 00 0A DD 00 E6 36 2A",
		"50 0B FF 00 0A 3D 01",
		"50 0B FF 01 0A 3D 00 4B 00 FC 00 63 00 68 00 65 00 00",
		"50 0B FF 00 0A B5 00 FF 00 24 01 FF 24 01",
	)
	expect(t, d, s, map[string]any{
		"outdoortemp": 10.0, "datetime": "15.03.2024 12:30",
		"src1.currtemp": 23.0, "src1.airhumidity": 54.0, "src1.seltemp": 21.0, "src1.dewtemperature": 13.1,
		"src1.icon": "mdi:chef-hat", "src1.name": "Küche", "src1.mode": "auto", "src1.childlock": 1.0,
	})
	// A one-character fragment changes only its character; modes map 3, 1, 0.
	d, s = decodeHex(t, 0x50, 17, "01.00",
		"50 0B FF 01 0A 3D 00 4B 00 FC 00 63 00 68 00 65 00 00",
		"50 0B FF 02 0A 3D 6B",
		"50 0B FF 00 0A B5 03",
		"50 00 06 00 18 03 0C 0F 1E", // too short for the RF base's clock
		"50 00 FF 00 0A DD 00 E6 00", // 0 % humidity: no dew point
	)
	expect(t, d, s, map[string]any{"src1.name": "küche", "src1.mode": "off", "datetime": nil,
		"src1.airhumidity": 0.0, "src1.dewtemperature": nil})
	d, s = decodeHex(t, 0x50, 17, "01.00", "50 0B FF 00 0A B5 01")
	expect(t, d, s, map[string]any{"src1.mode": "manual"})
}
