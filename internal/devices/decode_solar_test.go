package devices

import "testing"

// SM10 (product 73): config and monitor frames from solar.cpp's comments.
func TestSM10Vectors(t *testing.T) {
	d, s := decodeHex(t, 0x30, 73, "01.00",
		"30 0B 96 00 FF 18 19 0A 02 5A 27 0A 05 2D 1E 0F 64 28 0A",
		"30 00 97 00 00 00 00 22 00 00 D2 01 00 F6 2A 00 00",
	)
	expect(t, d, s, map[string]any{
		"solarenabled": 1.0, "pumpminmod": 25.0, "cylmaxtemp": 90.0, "dhw.mintemp": 39.0,
		"turnondiff": 10.0, "turnoffdiff": 5.0, "maxflow": 3.0,
		"collectorshutdown": 0.0, "cylheated": 0.0, "collectortemp": 3.4, "solarpumpmod": 0.0,
		"cylbottomtemp": 21.0, "solarpump": 0.0, "pumpworktime": 63018.0,
		"solarpower": 0.0, "energylasthour": 0.0, // pump off: no power
	})
}

// sm10Monitor builds a broadcast SM10Monitor with collector 60.0 °C,
// cylinder bottom 30.0 °C and the given pump modulation.
func sm10Monitor(dest string, mod byte) string {
	return "30 " + dest + " 97 00 0C 00 02 58 " + hexByte(mod) + " 01 2C 02 00 00 10"
}

func hexByte(b byte) string {
	const digits = "0123456789ABCDEF"
	return string([]byte{digits[b>>4], digits[b&15]})
}

// The SM10's power estimate: (600 - 300) * mod * 30 * 10 / 1665 W per
// broadcast; energylasthour sums the last 60 samples / 6 (0.1 Wh). A jump
// of the modulation from 0 to 100 % is a boost, shown as pumpminmod.
func TestSM10Power(t *testing.T) {
	d, s := decodeHex(t, 0x30, 73, "01.00",
		"30 0B 96 00 FF 18 19 0A 02 5A 27 0A 05 2D 1E 0F 64 28 0A", // pumpminmod 25
		sm10Monitor("00", 0),   // 0 W
		sm10Monitor("00", 100), // boost: 25 % -> 1351 W
		sm10Monitor("00", 50),  // 2702 W
		sm10Monitor("0B", 100), // an answer to a read: no new sample, no boost (50 -> 100)
	)
	expect(t, d, s, map[string]any{
		"collectorshutdown": 1.0, "cylheated": 1.0, "collectortemp": 60.0, "cylbottomtemp": 30.0,
		"solarpump": 1.0, "pumpworktime": 16.0, "solarpumpmod": 100.0,
		"solarpower": 2702.0, "energylasthour": 67.5, // (0 + 1351 + 2702) / 6 = 675
	})

	// One sample of 2702 W, then 59 of 0 W: still in the hour; the 61st pushes it out.
	frames := []string{sm10Monitor("00", 50)}
	for i := 0; i < 59; i++ {
		frames = append(frames, sm10Monitor("00", 0))
	}
	d, s = decodeHex(t, 0x30, 73, "01.00", frames...)
	expect(t, d, s, map[string]any{"solarpower": 0.0, "energylasthour": 45.0}) // 2702 / 6 = 450
	d, s = decodeHex(t, 0x30, 73, "01.00", append(frames, sm10Monitor("00", 0))...)
	expect(t, d, s, map[string]any{"energylasthour": 0.0})

	// Without a collector temperature nothing is estimated.
	d, s = decodeHex(t, 0x30, 73, "01.00", "30 00 97 04 32")
	expect(t, d, s, map[string]any{"solarpumpmod": 50.0, "solarpower": nil, "energylasthour": nil})
}

// SM100 (product 163): ems-bus.md §6 vectors 11-14 and frames from
// solar.cpp's comments.
func TestSM100Vectors(t *testing.T) {
	d, s := decodeHex(t, 0x30, 163, "01.00",
		"B0 0B FF 00 02 62 00 44 02 7A 80 00 80 00 80 00 80 00 80 00 80 00 00 7C 80 00 80 00 80 00 80", // 11
		"B0 00 FF 18 02 62 80 00", // 12
		"B0 00 FF 00 02 63 01 E1 01 6B 00 00 01 5D 02 8E 80 00 0F 80 00",
		"B0 0B FF 00 02 5A 64 05 00 58 14 01 01 32 64 00 00 00 5A",
		"30 00 FF 00 02 64 00 00 00 04 00 00 FF 00 00 1E 0B 09 64 00 00 00 00", // 13
		"B0 00 FF 00 02 6A 04 03 03 03 04 03 03 04 03 03 03 04",
		"30 00 FF 0A 02 6A 04", // 14
		"B0 0B FF 00 02 58 FF 00 FF 00 FF 00 00 00 00 00 00 FF 00 00 FF 00 00 00 00 FF 00 FF 01 01 00",
		"B0 0B FF 00 02 5C 1E E2",
		"B0 0B FF 00 02 5D 01 00 00 00 50",
		"B0 0B FF 00 02 5F 00 00 41 01 1E 0A 0C 19 00 3C 19",
		"B0 0B FF 00 02 80 5A 3B 00 00 41 02 00 2D 02",
		"30 00 FF 00 02 8E 00 00 01 79 00 00 22 3D 00 00 09 31",
		"B0 0B FF 00 02 91 00 00 2A 13 00 00 00 00 00 00 70 13 00 00 00 00 00 00 24 7E 00 00 00 00 00",
		"B0 0B FF 18 02 91 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 12 4A 00",
		"B0 00 FF 00 02 66 01 62 00 13 40 14",
		"B0 0B FF 00 02 61 1E",
	)
	expect(t, d, s, map[string]any{
		// 0x0362
		"collectortemp": 6.8, "cylbottomtemp": 63.4, "cyl2bottomtemp": 12.4, "collector2temp": nil,
		"cylmiddletemp": nil, "retheatassist": nil, "heatexchangertemp": nil, "ts8": nil, "cyl3bottomtemp": nil,
		// 0x0363
		"heatcntflowtemp": 48.1, "heatcntrettemp": 36.3, "swaprettemp": 34.9, "swapflowtemp": 65.4,
		"cyltoptemp": nil, "heatcnt": 15.0, "ts16": nil,
		// 0x035A
		"collectormaxtemp": 100.0, "cylmaxtemp": 88.0, "collectormintemp": 20.0, "solarpumpmode": "pwm",
		"pumpminmod": 5.0, "turnoffdiff": 5.0, "turnondiff": 10.0, "solarpumpkick": 0.0,
		"plainwatermode": 0.0, "doublematchflow": 0.0,
		// 0x0364
		"solarpumpmod": 30.0, "cylpumpmod": 0.0, "solarpump2mod": 0.0, "cylheated": 0.0,
		"collectorshutdown": 0.0, "heatassistpower": 0.0, "transferpumpmod": 0.0,
		// 0x036A
		"vs1status": 1.0, "solarpump2": 0.0, "valvestatus": 1.0, "heatassistvalve": 1.0,
		"solarpump": 1.0, "transferpump": 1.0, "vs3status": nil,
		// 0x0358
		"heattransfersystem": 0.0, "externalcyl": 0.0, "thermaldisinfect": 0.0, "heatmetering": 1.0, "activated": 1.0,
		// 0x035C, 0x035D, 0x035F
		"heatassiston": 3.0, "heatassistoff": -3.0, "pump2kick": 1.0, "turnondiff2": 8.0, "cylpriority": "cyl 2",
		// 0x0380
		"climatezone": 90.0, "collector1area": 6.5, "collector2area": 4.5, "collector2type": "vacuum",
		"collector1type": nil,
		// 0x038E, 0x0391
		"energylasthour": 37.7, "energytoday": 8765.0, "energytotal": 235.3,
		"pumpworktime": 10771.0, "pump2worktime": 9342.0, "m1worktime": 4682.0,
	})

	// Vector 14, pump off; vector 12 leaves earlier values alone.
	d, s = decodeHex(t, 0x30, 163, "01.00", "30 00 FF 0A 02 6A 04", "30 00 FF 0A 02 6A 03",
		"B0 0B FF 00 02 62 01 44 03 30 80 00 80 00 80 00 80 00 80 00 80 00 80 00 80 00 80 00 80 00 80",
		"B0 00 FF 18 02 62 80 00")
	expect(t, d, s, map[string]any{"solarpump": 0.0, "collectortemp": 32.4, "cylbottomtemp": 81.6, "cyl3bottomtemp": nil})
}

// SM100 pump boosts and the hidden second collector.
func TestSM100Specials(t *testing.T) {
	d, s := decodeHex(t, 0x30, 164, "01.00",
		"B0 0B FF 00 02 5A 64 05 00 58 14 01 04 32 64 00 00 00 5A",             // pumpminmod 4 -> 20 %
		"30 00 FF 00 02 64 00 00 00 04 00 00 FF 00 00 1E 0B 09 64 00 00 00 00", // 30 %, cylinder and pump 2 at 0
		"30 00 FF 08 02 64 64 64", // cylinder pump boost (0 -> 100): 20 %; solar pump 30 -> 100: real
		"30 00 FF 04 02 64 64",    // pump 2 boost: 20 %
		"30 00 FF 0D 02 64 FF",    // no value
		"B0 0B FF 00 02 80 5A 3B 00 00 41 02 00 2D 02",
		"B0 0B FF 00 02 80 50 64 00 00 29 01 00 00 01", // collector 2 area 0: hidden
	)
	expect(t, d, s, map[string]any{
		"cylpumpmod": 20.0, "solarpumpmod": 100.0, "solarpump2mod": 20.0, "heatassistpower": nil,
		"climatezone": 80.0, "collector1area": 4.1, "collector2area": nil, "collector2type": nil,
	})
}

// ISM1/ISM2 (Junkers): frames from solar.cpp's comments and built ones.
func TestISMVectors(t *testing.T) {
	d, s := decodeHex(t, 0x30, 101, "01.00",
		"B0 00 FF 00 00 03 32 00 00 00 00 13 00 D6 00 00 00 FB D0",
	)
	expect(t, d, s, map[string]any{
		"energylasthour": 0.0, "collectortemp": 1.9, "cylbottomtemp": 21.4, "solarpump": 0.0,
		"collectorshutdown": 0.0, "cylheated": 0.0, "pumpworktime": 64464.0,
	})
	d, s = decodeHex(t, 0x30, 103, "01.00",
		"B0 0B FF 00 00 03 00 00 01 2C 02 58 01 C2 01 05 00 10 00",
		"B0 00 FF 00 00 04 01 A9 01 22 27 0F 27 0F 27 0F 27 0F 27 0F 27 0F",
		"B0 00 FF 10 00 04 01 01 00 00 00 00 00 27 0F 27 0F",
		"B0 0B FF 00 00 01 00 00 00 00 00 00 3C",
	)
	expect(t, d, s, map[string]any{
		"energylasthour": 300.0, "collectortemp": 60.0, "cylbottomtemp": 45.0, "solarpump": 1.0,
		"collectorshutdown": 1.0, "cylheated": 1.0, "pumpworktime": 4096.0,
		"cylmiddletemp": 42.5, "retheatassist": 29.0, "heatassistvalve": 1.0, "cylmaxtemp": 60.0,
	})
}

// Every solar product binds its table.
func TestSolarLayoutsBind(t *testing.T) {
	for _, pid := range []byte{73, 101, 103, 162, 163, 164} {
		p, ok := Identify(0x30, pid, "01.00")
		if !ok || p.Type != Solar {
			t.Fatalf("product %d: %+v", pid, p)
		}
		d := NewDevice(0x30, p, "01.00", "")
		if len(d.Entities) == 0 || len(d.Handlers) == 0 {
			t.Errorf("product %d: %d entities, %d handlers", pid, len(d.Entities), len(d.Handlers))
		}
	}
}
