package devices

import (
	"testing"
)

// Junkers FW120 at 0x10 on an HT3 bus: ems-bus.md §6 vector 5 (three
// monitor telegrams create hc1..hc3), a set telegram, the dhw and display
// telegrams and the hybrid settings.
func TestJunkersVectors(t *testing.T) {
	d, s := decodeHex(t, 0x10, 192, "01.00",
		"90 00 FF 00 00 6F 03 02 00 CD 00 E4", // 5: hc1
		"90 00 FF 00 00 70 02 01 00 CE 00 E5", // 5: hc2
		"90 00 FF 00 00 71 01 02 00 CF 00 E6", // 5: hc3
		// JunkersSet hc1: mixed IPM, no remote, floor, 25/40/50 °C, factor 3 (30 %),
		// influence auto, sensor intern, summer 18 °C, prog b, mode auto,
		// nofrost 5 °C, eco 16 °C, heat 21.5 °C, heatup medium, holiday eco.
		"90 0B FF 00 00 65 03 00 04 19 28 32 03 03 00 02 00 24 00 02 04 0A 20 2B 02 02",
		"90 0B FF 01 00 66 01",                                                    // hc2 @1: controlled by an FB10
		"90 00 FF 00 00 70 02 01 00 CE 00 E5 00 D2",                               // hc2 again: room temperature now from @6
		"90 0B FF 00 00 67 00 00 00",                                              // hc3 set fragment @0..2
		"90 0B FF 00 00 68 00 00 00",                                              // hc4 set: ignored, hc4 does not exist
		"90 0B FF 00 00 D3 08 00 00",                                              // JunkersDhw: charge (bit 3)
		"90 0B FF 00 00 1E 00 02 00 03",                                           // JunkersDisp: display date, language dutch
		"90 0B BB 00 00 00 00 00 00 00 00 00 00 00 00 FF 02 0F 1E 0B 1A 00 14 03", // hybrid
		"90 0B 06 00 14 06 17 08 03 22 00 01 10 FF 00",                            // 25: time
		"90 0B A2 00 41 32 32 03 30",                                              // error A22(816)
	)
	expect(t, d, s, map[string]any{
		"hc1.seltemp": 20.5, "hc1.currtemp": 22.8, "hc1.modetype": "heat", "hc1.haclimate": "roomTemp",
		"hc2.seltemp": 20.6, "hc2.modetype": "eco",
		"hc3.seltemp": 20.7, "hc3.currtemp": 23.0, "hc3.modetype": "nofrost",
		"hc1.controlmode": "mixed IPM", "hc1.control": "off", "hc1.heatingtype": "floor",
		"hc1.minflowtemp": 25.0, "hc1.designtemp": 40.0, "hc1.maxflowtemp": 50.0, "hc1.roominflfactor": 30.0,
		"hc1.roominfluence": "auto", "hc1.roomsensor": "intern", "hc1.summertemp": 18.0, "hc1.program": "prog b",
		"hc1.mode": "auto", "hc1.nofrosttemp": 5.0, "hc1.ecotemp": 16.0, "hc1.heattemp": 21.5,
		"hc1.heatup": "medium", "hc1.holidaymode": "eco",
		"hc2.control": "FB10", "hc2.currtemp": 21.0,
		"hc3.controlmode": "off", "hc3.control": "off", "hc3.heatingtype": "off", "hc3.mode": nil,
		"hc4.mode":   nil,
		"dhw.charge": 1.0, "display": "date", "language": "dutch",
		"hybridstrategy": "cost optimized", "switchovertemp": 15.0, "energycostratio": 3.0,
		"fossilefactor": 1.1, "electricfactor": 2.6, "delayboiler": 20.0, "tempdiffboiler": 3.0,
		"datetime": "08.06.2020 23:03", "errorcode": "A22(816)",
		"hc1.targetflowtemp": nil,
	})
	if s.HasCircuit(TagHC1 + 3) {
		t.Error("a set telegram created hc4")
	}
}

// Older Junkers (FR100): the set telegram 0x0179, a clock flagged not
// valid (shown all the same: it cannot be set), and the command to the
// mixer at 0x21 that carries hc1's target flow temperature.
func TestJunkersOldVectors(t *testing.T) {
	d, s := decodeHex(t, 0x10, 107, "01.00",
		"90 00 FF 00 00 6F 02 00 00 C8 00 DC",
		"90 0B FF 00 00 79 02 00 00 3C 04 0A 20 2A 02 FF 03",
		"90 0B 06 00 14 06 17 08 03 22 00 0C", // @7 bits 2-3: not valid
		"90 21 23 00 2D",                      // to the mixer for hc1: 45 °C
		"90 22 23 00 30",                      // hc2 does not exist
	)
	expect(t, d, s, map[string]any{
		"hc1.modetype": "eco", "hc1.seltemp": 20.0, "hc1.currtemp": 22.0, "hc1.haclimate": "roomTemp",
		"hc1.controlmode": "unmixed IPM", "hc1.maxflowtemp": 60.0, "hc1.mode": "auto", "hc1.nofrosttemp": 5.0,
		"hc1.ecotemp": 16.0, "hc1.heattemp": 21.0, "hc1.holidaymode": "eco", "hc1.switchonoptimization": 1.0,
		"hc1.program": "prog c", "datetime": "08.06.2020 23:03", "hc1.targetflowtemp": 45.0,
		"hc2.targetflowtemp": nil,
	})
	if s.HasCircuit(TagHC1 + 1) {
		t.Error("the mixer command created hc2")
	}
	if d.Handler(0x0165) != nil || d.Handler(0x011E) != nil {
		t.Error("old Junkers must not read 0x0165 or 0x011E")
	}
	// The newer models ignore an invalid clock and have no 0x0179.
	d2, s2 := decodeHex(t, 0x10, 105, "01.00", "90 0B 06 00 14 06 17 08 03 22 00 0C")
	expect(t, d2, s2, map[string]any{"datetime": nil})
	if d2.Handler(0x0179) != nil {
		t.Error("FW100 must not read 0x0179")
	}
}

// Heat-pump boiler (product 172, model HeatPump): telegrams quoted in
// EMS-ESP's boiler.cpp comments (CRC and break byte removed), with the
// values worked out by hand from the table.
func TestHeatPumpBoilerVectors(t *testing.T) {
	d, s := decodeHex(t, 0x08, 172, "01.00",
		// UBAEnergySupplied 0x0494
		"08 00 FF 00 03 94 03 31 21 59 00 00 7C 70 00 00 15 B8 00 00 40 E3 00 00 27 23 FF FF FF FF",
		// UBAInformation 0x0495 in four fragments
		"08 00 FF 00 03 95 00 0F 8E C2 00 08 39 C8 00 00 18 7A 00 07 3C 80 00 00 00 00 00 00 00 E5",
		"08 00 FF 18 03 95 00 00 00 A1 00 00 00 00 00 00 00 44 00 00 00 00 00 00 00 0A 00 00 00 0A",
		"08 00 FF 30 03 95 00 00 00 00 00 00 00 00 00 00 02 10 00 00 00 00 00 00 02 1A 00 00 00 02",
		"08 00 FF 48 03 95 00 00 01 15 00 00 00 00 00 00 00 F9",
		// HpPower 0x048D: compressor on, activity pool
		"08 00 FF 00 03 8D 03 00 10 30 10 60 00 04 00 00 00 17 00 00 00 3C 38 0E 64 00 00 0C 33",
		// HPSilentMode 0x0484 @0 and @25
		"08 0B FF 00 03 84 00 00 14 28 0D 50 00 00 00 02 02 07 28 01 00 02 05 19 0A 0A 03 0D 07 00 0A",
		"08 0B FF 19 03 84 01 90 00 F6 28 14 64 00 00 E1 00 1E 00 1E 01 64 01 64 54 20 00 00",
		// HPPumps 0x048B, HPAdditionalHeater 0x0491, HPDhwSettings 0x0499
		"08 00 FF 00 03 8B 00 00 0A 1E 4E 00 1E 01 2C 00 01 64 55 05 12 50 50 50 00 00 1E 01 2C 00",
		"08 00 FF 00 03 91 03 01 00 00 00 02 64 00 00 14 01 2C 00 0A 00 1E 00 1E 00 00 1E 0A 1E 05 05",
		"08 00 FF 00 03 99 31 33 3F 3B 01",
		// HPEnergy 0x04AE, HPMeters 0x04AF @0 and @24, HPFan 0x04A5
		"08 0B FF 00 03 AE 00 00 BD C4 00 00 5B 6A 00 00 00 24 00 00 62 59 00 00 00 00 00 00 00 00",
		"08 0B FF 00 03 AF 00 00 48 B2 00 00 48 55 00 00 00 5D 00 00 01 78 00 00 00 00 00 00 07 61",
		"08 0B FF 18 03 AF 00 00 24 B0 00 00 00 12 00 00 23 A5 00 00 00 4B 00 00 00 00 00 00 00 00",
		"08 0B FF 00 03 A5 00 00 3C 1D 09 0A 0A 01 00 28 0A 00 01 00 00",
		// HpHeaterConfig 0x0492, HpPool 0x048A
		"08 0B FF 00 03 92 03 00 00 04 00",
		"08 00 FF 00 03 8A 01 4C 01 0C 00 00 0A 00 1E 00 00 01 00 04 4A 00",
		// Built from the layouts: HpTemperatures 0x048F (TR6 85.0, TC3 35.2,
		// TC1 34.0, TC0 -1.5 ... TR7 100.0), HPValve 0x0488, HPPump2 0x02D6,
		// HPPower2 0x04AA, HPPowerLimit 0x04A7, HPSettings2/3 0x049C/0x049D,
		// HpCooling 0x0485 @21, HPPressure 0x02CC.
		"08 00 FF 00 03 8F 03 52 01 60 01 54 FF F1 00 64 00 C8 FF 38 02 58 01 2C 00 FA 00 96 00 32",
		"08 00 FF 18 03 8F 00 0A 01 F4 00 1E 03 E8",
		"08 0B FF 00 03 88 00 00 00 00 00 00 00 F6 00 00 00 00 00 32",
		"08 0B FF 00 01 D6 01 00 00 00 00 00 00 00 00 02 EE",
		"08 0B FF 00 03 AA 0B B8",
		"08 0B FF 00 03 A7 0F A0",
		"08 0B FF 00 03 9C 00 00 00 01",
		"08 0B FF 00 03 9D 00 00 01 00 01 50",
		"08 0B FF 15 03 85 01",
		"08 0B FF 00 01 CC 00 00 00 01 00 00 00 00 00 05",
		// HpInConfig 0x0486 @0, @25, @51, then input 1's modulation @27
		"08 00 FF 00 03 86 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
		"08 00 FF 19 03 86 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01 01 00 00 00 00 00",
		"08 00 FF 33 03 86 00 00",
		"08 00 FF 1B 03 86 05",
	)
	expect(t, d, s, map[string]any{
		"uptimetotal": 53551449.0 / 60, "nrgsupptotal": 31856.0, "dhw.nrgsupp": 5560.0, "nrgsuppheating": 16611.0,
		"nrgsuppcooling": 10019.0,
		"uptimecontrol":  1019586.0 / 60, "dhw.uptimecomp": 539080.0 / 60, "uptimecompheating": 6266.0 / 60,
		"uptimecomppool": 474240.0 / 60, "uptimecompcooling": 0.0, "totalcompstarts": 229.0, "dhw.startshp": 161.0,
		"heatingstarts": 0.0, "poolstarts": 68.0, "coolingstarts": 0.0, "auxelecheatnrgconstotal": 10.0,
		"dhw.auxelecheatnrgcons": 10.0, "auxelecheatnrgconsheating": 0.0, "auxelecheatnrgconspool": 0.0,
		"nrgconscomptotal": 528.0, "nrgconstotal": 538.0, "nrgconscompheating": 2.0, "dhw.nrgconscomp": 277.0,
		"nrgconscompcooling": 0.0, "nrgconscomppool": 249.0,
		"hpswitchvalve": 0.0, "hp3way": 0.0, "vc0valve": 0.0, "hpin1": 0.0, "hpin4": 0.0, "elheatstep1": 0.0,
		"hpcompon": 1.0, "hpea0": 0.0, "hpcircspd": 16.0, "hpbrinepumpspd": 96.0, "auxheaterlevel": 0.0,
		"hpactivity": "pool", "auxheaterstatus": "off", "hppower": 2.3, "recvalve": 60.0, "expvalve": 56.0,
		"hpcompspd": 14.0, "fanspd": 0.0, "hptargetspd": 51.0, "heatingactive": 0.0, "tapwateractive": 0.0,
		"dhw.altopprioheat": 20.0, "dhw.altopprio": 40.0, "silentmode": "on", "mintempsilent": 7.0,
		"hpmaxpower": 100.0, "hphystpool": 1125.0, "hphystcool": 150.0, "hphystheat": 150.0, "dhw.hpcircpump": 0.0,
		"silentfrom": nil, "powerreduction": nil, // @52.. not received
		"tempdiffcool": 3.0, "tempdiffheat": 7.8, "hppumpmode": "auto",
		"auxheatersource": "parallel", "auxheateronly": 1.0, "auxheateroff": 0.0, "auxheatrmode": "eco",
		"tempparmode": 2.0, "auxmaxlimit": 0.0, "auxlimitstart": 3.0, "auxheaterdelay": 300.0,
		"dhw.ecooff": 49.0, "dhw.comfoff": 51.0, "dhw.ecoplusoff": nil,
		"nrgtotal": 485.8, "nrgheat": 234.02, "dhw.nrg": 251.77, "nrgcool": 0.0,
		"metertotal": 186.1, "metercomp": 185.17, "metereheat": 0.93, "meterheat": 93.92, "dhw.meter": 91.25,
		"metercool": 0.0, "fan": 40.0,
		"maxheatcomp": "0 kW", "maxheatheat": "6 kW", "dhw.maxheat": "0 kW", "poolsettemp": 38.0,
		"hptr6": 85.0, "hptc3": 35.2, "hptc1": 34.0, "hptc0": -1.5, "hpbrinein": 10.0, "hpbrineout": 20.0,
		"hptl2": -20.0, "hptr1": 60.0, "hptr3": 30.0, "hptr4": 25.0, "hptr5": 15.0, "hpta4": 5.0, "hptw1": 1.0,
		"hppl1": 50.0, "hpph1": 3.0, "hptr7": 100.0,
		"auxheatmix": -10.0, "pc1rate": 50.0, "pc1on": 1.0, "pc1flow": 750.0, "hpcurrpower": 3000.0,
		"hppowerlimit": 4000.0, "vpcooling": 1.0, "heatcable": 1.0, "primepump": 1.0, "primepumpmod": 80.0,
		"pvcooling": 1.0, "dhw.dhwprio": 1.0, "hpsetdiffpress": 250.0,
		"hpin1opt": "100000000000005", "hpin2opt": "000000001000000", "hpin3opt": "000000000100000",
		"hpin4opt":   "100000000000",
		"heatingoff": 0.0,
	})
}

// CS6800 family (product 8): coded heat limits, the aux-heater flag at @3,
// and activity: HpPower's compressor activity gives the state, and
// UBAMonitorFastPlus only rechecks it (its @11 is no burner state here),
// which matters once a flow-type dhw reports its flow.
func TestHeatPumpBoilerCS6800(t *testing.T) {
	d, s := decodeHex(t, 0x08, 8, "01.00",
		"08 0B FF 00 03 92 03 00 00 04 00", // compressor 0 kW, heating 6 kW, dhw code 0: unknown
		"08 0B FF 00 03 91 03 00 00 01",    // auxheateronly @3
		"08 00 FF 07 03 8D 01",             // activity heating
	)
	expect(t, d, s, map[string]any{
		"maxheatcomp": "0 kW", "maxheatheat": "6 kW", "dhw.maxheat": nil, "auxheateronly": 1.0,
		"auxheatersource": "parallel", "hpactivity": "heating", "heatingactive": 1.0, "tapwateractive": 0.0,
	})
	for _, step := range []struct {
		frame      string
		heat, tap  float64
		dhwMaxHeat any
	}{
		{"08 0B FF 04 03 92 05", 1, 0, "9 kW"},
		{"08 0B FF 04 03 92 01", 1, 0, "9 kW"}, // not a code: the limit stands
		{"08 00 FF 07 03 8D 03", 0, 1, "9 kW"}, // activity hot water
		{"08 00 E4 0A 00 03", 0, 1, "9 kW"},    // flame + pump bits: no burner state on a heat pump
		{"08 00 34 08 01 00", 0, 1, "9 kW"},    // dhw type flow, no flow yet
		{"08 00 34 09 05", 0, 1, "9 kW"},       // a flow
		{"08 00 E4 0A 00 03", 0, 1, "9 kW"},    // recheck: the dhw has a flow sensor
		{"08 00 34 09 00", 0, 1, "9 kW"},       // no flow; not rechecked yet
		{"08 00 E4 0A 00 03", 0, 0, "9 kW"},    // recheck: no flow, so no tap water
	} {
		feedHex(t, d, s, step.frame)
		expect(t, d, s, map[string]any{"heatingactive": step.heat, "tapwateractive": step.tap, "dhw.maxheat": step.dhwMaxHeat})
	}
	expect(t, d, s, map[string]any{"dhw.tapactivated": 1.0})
	if d.Handler(0x2E) != nil || d.Handler(0x04) != nil || d.Handler(0x28) != nil {
		t.Error("heat pumps read neither Meters, UBAFactory nor WeatherComp")
	}
}

// HIU (product 219): HIUMonitor as quoted in boiler.cpp, HIUSettings, the
// state from UBAMonitorSlowPlus2, and the dhw flow of UBAMonitorWWPlus that
// counts only until HIUMonitor has been received.
func TestHIUVectors(t *testing.T) {
	d, s := decodeHex(t, 0x08, 219, "01.00",
		"08 00 E9 0B 0C",                // flow 1.2 l/min
		"08 00 E3 00 00 00 01 00 00 00", // @2 = 1: heating
		"08 0B FF 00 06 72 00 37 2D",    // keep warm 55 °C, return 45 °C
		"08 0B 2E 00 00 01 E2 40 00 00 B2 6E 00 01 D4 C0 00 00 AF C8",
		"08 00 3B 00 00 00 30 39 00 00 11 D7", // energy 1234.5 / 456.7 kWh
	)
	expect(t, d, s, map[string]any{
		"dhw.curflow": 1.2, "heatingactive": 1.0, "tapwateractive": 0.0, "keepwarmtemp": 55.0, "setreturntemp": 45.0,
		"gasmeterheat": 12345.6, "dhw.gasmeter": 4567.8, "meterheat": 12000.0, "dhw.meter": 4500.0,
		"nrgheat2": 1234.5, "dhw.nrg2": 456.7, "heatingoff": 0.0,
	})
	feedHex(t, d, s,
		"08 00 FF 00 06 79 06 05 01 01 AD 02 EF FF FF 00 00 7F FF",
		"08 00 E9 0B 0C",                // HIUMonitor seen: @11 no longer counts
		"08 00 E3 00 00 00 00 00 00 01", // @5 = 1: tap water
		"08 00 E4 0A 00 03",             // heat bit set; no burner state, only a recheck
	)
	expect(t, d, s, map[string]any{
		"rettemp": 42.9, "netflowtemp": 75.1, "heatvalve": nil, "dhw.dhwvalve": nil, "dhw.curflow": 0.0,
		"heatingactive": 0.0, "tapwateractive": 1.0, "heating": 1.0, "dhw.3wayvalve": 0.0,
	})
	if d.Handler(0x04) != nil || d.Handler(0x0494) != nil || d.Handler(0x28) != nil {
		t.Error("an HIU reads neither UBAFactory, the heat-pump telegrams nor WeatherComp")
	}
}
