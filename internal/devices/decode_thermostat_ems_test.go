package devices

import (
	"math/rand/v2"
	"testing"

	"github.com/emsd/emsd/internal/telegram"
)

// RC35 frames built from the layouts of thermostat.cpp (ems-bus.md §5.4);
// EMS-ESP's sources hold no raw RC35 telegram.
var rc35Frames = []string{
	"10 00 3E 00 04 02 2A 00 D7 00 00 00 00 00 00 00 00 00 30 00", // hc1 monitor
	// hc1 set, two fragments: floor heating, the RC35's floor curve @35/@36
	"10 0B 3D 00 03 22 2A 1E 03 00 FE 02 00 00 00 00 00 00 00 4B 1E 37 00 FF 00 FF 11 05 00 01 02",
	"10 0B 3D 1B 00 01 00 00 00 00 01 00 2D 28 2C F6 05 03 03",
	"10 0B A5 00 01 00 FB 00 00 F6 01 00 00 00 00 00 02 00 00 00 00 00 00 00 00 FF",
	"10 0B 37 00 FF 00 02 01 00 01 02 00 3C 00",
	"10 00 A3 00 FD 00 00 00 D2 80 00",
	"10 0B 06 00 14 06 17 08 03 22 00 01 10 FF 00",                   // ems-bus.md vector 25, from 0x10
	"10 00 A2 00 41 32 32 03 30 00 02 00 00 00 00 00 00 02",          // thermostat.cpp comment
	"10 0B 12 00 32 32 03 30 95 0A 0A 15 18 00 01 19 32 32 03 30 95", // thermostat.cpp comment
}

func TestRC35Vectors(t *testing.T) {
	frames := append(append([]string(nil), rc35Frames...),
		"10 0B 3F 00 01 24 20 84", // first switch point of a whole timer: mo 06:00 on
		"10 0B 3F 02 41 2D",       // point 1 written alone: we 07:30 on
		"10 0B 3F 51 00 00 00 02 00 03 0F 07 18 1C 07 18 18 0C 18 1A 0C 18",
		"10 0B 42 00 E7 90", // day 7: not set
		"10 0B 38 00 C1 30 C0 90",
		"10 0B 38 57 01 08 18 0F 08 18",
		"10 0B 39 00 00 36",
	)
	d, s := decodeHex(t, 0x10, 86, "01.00", frames...)
	expect(t, d, s, map[string]any{
		"hc1.holidaymode": 0.0, "hc1.summermode": "winter", "hc1.modetype": "day", "hc1.seltemp": 21.0,
		"hc1.currtemp": 21.5, "hc1.targetflowtemp": 48.0, "hc1.haclimate": "roomTemp",
		"hc1.heatingtype": "floor", "hc1.nighttemp": 17.0, "hc1.daytemp": 21.0, "hc1.holidaytemp": 15.0,
		"hc1.roominfluence": 3.0, "hc1.offsettemp": -1.0, "hc1.mode": "auto", "hc1.minflowtemp": 30.0,
		"hc1.designtemp": 40.0, "hc1.maxflowtemp": 45.0, // floor: @36, @35
		"hc1.switchonoptimization": 1.0, "hc1.dhwprio": 1.0, "hc1.summertemp": 17.0, "hc1.nofrosttemp": 5.0,
		"hc1.flowtempoffset": 0.0, "hc1.reducemode": "reduce", "hc1.control": "RC3x", "hc1.nofrostmode": "outdoor",
		"hc1.controlmode": "room", "hc1.tempautotemp": 22.0, "hc1.noreducetemp": -10.0, "hc1.reducetemp": 5.0,
		"hc1.vacreducetemp": 3.0, "hc1.vacreducemode": "outdoor",
		"intoffset": -0.5, "minexttemp": -10.0, "building": "medium", "damping": 1.0,
		"dhw.progmode": "own prog", "dhw.circprog": "std prog", "dhw.mode": "auto", "dhw.circmode": "on",
		"dhw.disinfecting": 0.0, "dhw.disinfectday": "tu", "dhw.disinfecthour": 2.0, "dhw.maxtemp": 60.0,
		"dhw.onetimekey":    0.0,
		"dampedoutdoortemp": -3.0, "inttemp1": 21.0, "inttemp2": nil,
		"datetime": "08.06.2020 23:03", "errorcode": "A22(816)", "lastcode": "22(816) 21.10.2021 10:24 (1 min)",
		"hc1.switchtime1": "01 we 07:30 on", "hc1.switchtime2": "00 not_set",
		"hc1.program": "morning", "hc1.pause": 0.0, "hc1.party": 3.0,
		"hc1.vacations": "15.07.2024-28.07.2024", "hc1.holidays": "24.12.2024-26.12.2024",
		"dhw.switchtime": "00 su 08:00 on", "dhw.vacations": "01.08.2024-15.08.2024",
		"dhw.circswitchtime": "00 mo 09:00 off",
		"hc2.seltemp":        nil,
	})
	if !s.HasCircuit(TagHC1) || s.HasCircuit(TagHC1+1) {
		t.Errorf("circuits %b, want only hc1", s.Circuits)
	}
	// A set telegram alone cannot create the circuit.
	_, s2 := decodeHex(t, 0x10, 86, "01.00", rc35Frames[1])
	if s2.HasCircuit(TagHC1) {
		t.Error("RC35Set created hc1")
	}
	// A monitor without a room temperature (0, or cut short before @4) is an
	// unused circuit's; 7D00 (no sensor) is an active one.
	_, s3 := decodeHex(t, 0x10, 86, "01.00",
		"10 00 48 00 04 02 2A 00 00 00 00 00 00 00 00 00 00 00 30 00", // hc2, room temperature 0
		"10 00 52 00 04 02 2A", // hc3, cut short
		"10 00 5C 00 04 02 2A 7D 00 00 00 00 00 00 00 00 00 00 30 00", // hc4, no sensor
	)
	if s3.Circuits != 1<<(TagHC1+3) {
		t.Errorf("circuits %b, want only hc4", s3.Circuits)
	}
}

// The RC30 (ES73) reads the same telegrams; its flow curve stays at @15/@17
// for floors, and 0xA5 adds display, language and clock offset.
func TestRC30NVectors(t *testing.T) {
	d, s := decodeHex(t, 0x10, 76, "01.00", rc35Frames...)
	expect(t, d, s, map[string]any{
		"hc1.heatingtype": "floor", "hc1.designtemp": 55.0, "hc1.maxflowtemp": 75.0, "hc1.currtemp": 21.5,
		"display": "internal setpoint", "language": "german", "clockoffset": 2.0, "intoffset": -0.5,
		"dampedoutdoortemp": -3.0, "datetime": "08.06.2020 23:03",
	})
}

// RC20 master at 0x17: ems-bus.md vectors 18 and 19, frames from
// thermostat.cpp comments.
func TestRC20Vectors(t *testing.T) {
	d, s := decodeHex(t, 0x17, 77, "01.00",
		"17 00 91 00 90 2A 00 D5 1A 00 00 05 00 5A 04 00 D6 00",
		"17 0B 91 05 44 45 46 47", // 19: @5..@8 only, nothing decoded
		"17 0B A8 00 01 00 FF F6 01 06 00 01 0D 01 00 FF FF 01 02 02 02 00 00 05 1F 05 1F 02 0E 00 FF", // 18
		"17 0B A8 1B 00 00 26 02",
		"17 0B 90 00 00 00 00 20 24 28 2A",
		"17 0B 8F 00 04 5D 01 78 24 5D 21 6E",
		"17 0B 06 00 14 06 17 08 03 22 00 01 10 FF 00",
	)
	expect(t, d, s, map[string]any{
		"hc1.seltemp": 21.0, "hc1.currtemp": 21.3, "hc1.haclimate": "roomTemp",
		"hc1.mode": "auto", "hc1.offtemp": 7.0, "hc1.manualtemp": 19.0,
		"hc1.nighttemp": 16.0, "hc1.daytemp2": 18.0, "hc1.daytemp3": 20.0, "hc1.daytemp4": 21.0,
		"hc1.switchtime": "00 mo 15:30 T4", "datetime": "08.06.2020 23:03",
	})
}

// Away from 0x17 an RC20 is a remote: it neither has nor is asked for the
// master's telegrams, and the master has no remote telegram.
func TestRC20RemoteTypes(t *testing.T) {
	for _, pid := range []byte{77, 66} {
		p, ok := Identify(0x17, pid, "01.00")
		if !ok {
			t.Fatalf("product %d not identified", pid)
		}
		master, remote := NewDevice(0x17, p, "01.00", ""), NewDevice(0x18, p, "01.00", "")
		for _, typ := range []uint16{0x91, 0xA8, 0x90, 0x8F, 0xAE, 0xAD} {
			if remote.Handler(typ) != nil {
				t.Errorf("%s at 0x18 has type 0x%02X", p.Name, typ)
			}
		}
		if master.Handler(0xAF) != nil || remote.Handler(0xAF) == nil {
			t.Errorf("%s: RC20Remote at 0x17 %v, at 0x18 %v; want only the remote", p.Name,
				master.Handler(0xAF) != nil, remote.Handler(0xAF) != nil)
		}
		if master.Handler(0x06) == nil || remote.Handler(0x06) == nil {
			t.Errorf("%s: the clock telegram is for both", p.Name)
		}
	}
}

// RC20_N and RC25 at 0x17, frames from thermostat.cpp comments.
func TestRC20NVectors(t *testing.T) {
	d, s := decodeHex(t, 0x17, 66, "01.00",
		"17 00 AE 00 80 12 2E 00 D0 00 00 64",
		"17 00 AD 00 01 27 29 01 4B 05 01 FF 28 19 0A 02 00 00",
	)
	expect(t, d, s, map[string]any{
		"hc1.modetype": "day", "hc1.summermode": "winter", "hc1.seltemp": 23.0, "hc1.currtemp": 20.8,
		"hc1.haclimate": "roomTemp", "hc1.heatingtype": "radiator", "hc1.nighttemp": 19.5, "hc1.daytemp": 20.5,
		"hc1.mode": "day", "hc1.program": "morning", "hc1.tempautotemp": 0.0,
	})
	d, s = decodeHex(t, 0x17, 151, "01.00",
		"17 00 AE 00 80 12 2E 00 D0 00 00 64",
		"17 00 AD 00 01 27 2D 00 44 05 01 FF 28 19 0A 07 00 00 F6 12 5A 11 00 28 05 05 00",
	)
	expect(t, d, s, map[string]any{
		"hc1.daytemp": 22.5, "hc1.mode": "night", "hc1.program": "singles", "minexttemp": -10.0,
		"hc1.minflowtemp": 18.0, "hc1.maxflowtemp": 90.0, "hc1.summertemp": 17.0,
	})
}

// RC30 "Moduline 400": frames from thermostat.cpp comments where there are
// any.
func TestRC30Vectors(t *testing.T) {
	d, s := decodeHex(t, 0x10, 78, "01.00",
		"10 00 41 00 00 2A 00 D7",
		"10 0B A7 00 01 00 FF F6 01 06 00 01 0D 00 00 FF FF 01 02 02 02 00 00 05 1F 05 1F 01 0E 00 FF",
		"10 0B A7 1B 00 00 20 02",
		"10 0B 40 00 01 01 02 20 24 28 2A 1E 0E 00 01 5A 32 05 4B 2D 00 28 00 3C FF 11 00 05 00",
		"10 0B 3F 00 02 24 E7 90",
		"10 0B 3F 54 01 00 04",
		"10 0B A9 00 00 18 0C 18 1F 0C 18 00 00 00 00 00 00 00 00 01 06 19 0F 06 19 00 0A 08 19 14 08",
		"10 0B A9 1B 19 00",
		"10 0B 3A 00 02 FF 00 07 03",
	)
	expect(t, d, s, map[string]any{
		"hc1.seltemp": 21.0, "hc1.currtemp": 21.5, "hc1.haclimate": "roomTemp",
		"language": "dutch", "intoffset": 0.0, "autodst": 1.0, "building": "medium", "clockoffset": 0.0,
		"backlight": 1.0, "mixingvalves": 0.0, "brightness": 0.0, "hc1.mode": "manual", "hc1.offtemp": 7.0,
		"heatingpid": "fast", "preheating": 1.0, "hc1.manualtemp": 16.0,
		"hc1.heatingtype": "radiator", "hc1.controlmode": "room", "hc1.nighttemp": 16.0, "hc1.daytemp2": 18.0,
		"hc1.daytemp3": 20.0, "hc1.daytemp4": 21.0, "hc1.holidaytemp": 15.0,
		"hc1.switchtime1": "00 mo 06:00 T2", "hc1.program": "family", "hc1.pause": 0.0, "hc1.party": 4.0,
		"hc1.vacations1": "24.12.2024-31.12.2024", "hc1.vacations2": nil, "hc1.vacations3": "01.06.2025-15.06.2025",
		"hc1.vacations4": "10.08.2025-20.08.2025",
		"dhw.mode":       "auto", "dhw.whenmodeoff": 1.0, "dhw.disinfecting": 0.0, "dhw.disinfectday": "all",
		"dhw.disinfecthour": 3.0,
	})
}

// RC10 at 0x17, frames from thermostat.cpp comments.
func TestRC10Vectors(t *testing.T) {
	d, s := decodeHex(t, 0x17, 79, "01.00",
		"17 00 B1 00 04 23 00 BA 00 00 00 BA",
		"17 0B B0 00 00 FF 00 1C 20 08 01",
	)
	expect(t, d, s, map[string]any{
		"hc1.mode": "day", "hc1.seltemp": 17.5, "hc1.currtemp": 18.6, "hc1.reduceminutes": 0.0,
		"intoffset": 0.0, "backlight": 1.0, "dhw.mode": "on", "hc1.nighttemp": 14.0, "hc1.daytemp": 16.0,
		"hc1.reducehours": 8.0, "heatingpid": "medium",
	})
}

// Easy (TC100) at 0x18 for hc1 and 0x19 for hc2: 0x0A in 1/100 °C (the
// all-zero frame is EMS-ESP's "tc100" test), 0x02A5 scaled to match.
func TestEasyVectors(t *testing.T) {
	zero := "98 0B 0A 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
	d, s := decodeHex(t, 0x18, 202, "01.00", zero)
	if !s.HasCircuit(TagHC1) {
		t.Error("0x0A from 0x18 did not create hc1")
	}
	expect(t, d, s, map[string]any{"hc1.currtemp": nil, "hc1.seltemp": nil})
	d, s = decodeHex(t, 0x18, 202, "01.00", "98 0B 0A 00 00 00 00 00 00 00 00 00 08 5C 08 34")
	expect(t, d, s, map[string]any{"hc1.currtemp": 21.4, "hc1.seltemp": 21.0, "hc1.haclimate": "roomTemp"})
	d, s = decodeHex(t, 0x18, 202, "01.00", "98 00 FF 00 01 A5 00 D3 21 22 00 00 22")
	expect(t, d, s, map[string]any{"hc1.currtemp": 21.1, "hc1.seltemp": 17.0})
	d, s = decodeHex(t, 0x19, 202, "01.00", "99 0B 0A 00 00 00 00 00 00 00 00 00 08 5C 08 34")
	expect(t, d, s, map[string]any{"hc2.currtemp": 21.4, "hc1.currtemp": nil})
	if d.Handler(0x06) != nil || d.Handler(0x0A) == nil {
		t.Error("Easy: 0x06 must be unknown and 0x0A known")
	}
	p, _ := Identify(0x18, 200, "01.00") // RC100H: common telegrams only
	if d := NewDevice(0x18, p, "01.00", ""); d.Handler(0x0A) != nil || d.Handler(0x06) == nil {
		t.Error("RC100H: 0x0A must be unknown and 0x06 known")
	}
}

// CR11 as room unit at 0x18 (ems-bus.md vector 7 frame); the mode follows
// the set temperature.
func TestCR11Vectors(t *testing.T) {
	d, s := decodeHex(t, 0x18, 10, "01.00",
		"98 00 FF 00 01 A5 00 CF 21 2E 00 00 2E 24 03 25 03 03 01 03 25 00 C8 00 00 11 01 03 13",
		"98 00 FF 00 01 9B 01 03",
		"98 0B FF 00 01 B9 00",
	)
	expect(t, d, s, map[string]any{
		"hc1.currtemp": 20.7, "hc1.targetflowtemp": 0.0, "hc1.seltemp": 23.0, "hc1.mode": "manual",
		"hc1.heatingtype": "floor", "hc1.haclimate": "roomTemp",
	})
	d, s = decodeHex(t, 0x18, 165, "01.00", "98 00 FF 06 01 A5 00")
	expect(t, d, s, map[string]any{"hc1.seltemp": 0.0, "hc1.mode": "off"})
}

// CRF radio thermostat: a room unit at 0x18 is hc1; at 0x10 the type
// (0x02A6) names the circuit.
func TestCRFVectors(t *testing.T) {
	d, s := decodeHex(t, 0x18, 216, "01.00", "98 00 FF 00 01 A5 00 CF 21 2E 00 00 2E")
	expect(t, d, s, map[string]any{
		"hc1.currtemp": 20.7, "hc1.modetype": "on", "hc1.mode": "auto", "hc1.targetflowtemp": 0.0,
		"hc1.seltemp": 23.0,
	})
	d, s = decodeHex(t, 0x10, 215, "01.00", "90 00 FF 00 01 A6 00 C8 10 00 2D 00 28")
	expect(t, d, s, map[string]any{
		"hc2.currtemp": 20.0, "hc2.modetype": "off", "hc2.mode": "off", "hc2.targetflowtemp": 45.0,
		"hc2.seltemp": 20.0, "hc1.currtemp": nil,
	})
}

// Every handler of these tables survives arbitrary fragments from the
// device and from room units, and keeps enums inside their options.
func TestThermostatEMSRobust(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, pid := range []byte{86, 156, 67, 76, 77, 93, 66, 151, 78, 79, 202, 200, 94, 10, 165, 215} {
		for _, id := range []byte{0x10, 0x17, 0x18, 0x1B} {
			p, _ := Identify(id, pid, "01.00")
			d := NewDevice(id, p, "01.00", "")
			if len(d.Handlers) == 0 {
				t.Fatalf("product %d: no handlers", pid)
			}
			s := d.NewState()
			for round := 0; round < 300; round++ {
				h := d.Handlers[rng.IntN(len(d.Handlers))]
				data := make([]byte, rng.IntN(telegram.MaxDataEMS+1))
				for i := range data {
					data[i] = byte(rng.UintN(256))
				}
				tg := telegram.Telegram{Src: id, Type: h.Type, Offset: byte(rng.IntN(100)), Data: data}
				if round%3 == 0 {
					tg.Offset = byte(2 * rng.IntN(3))
				}
				d.Decode(&s, &tg, testTime)
			}
			for i, v := range s.Values {
				e := &d.Entities[i]
				if v.Set && e.Type == Enum && (v.Num < 0 || v.Num >= int64(len(e.Options))) {
					t.Fatalf("product %d: %s holds enum index %d", pid, e.Key(), v.Num)
				}
			}
		}
	}
}
