package sim

import (
	"math"
	"time"

	"github.com/emsd/emsd/internal/telegram"
)

// broadcasts are the telegrams the simulated devices send unasked, and how
// often; everything else in block is sent only on request.
var broadcasts = []struct {
	src   byte
	typ   uint16
	every time.Duration
}{
	{boilerID, 0x18, 10 * time.Second},       // UBAMonitorFast
	{boilerID, 0x34, 10 * time.Second},       // UBAMonitorWW
	{boilerID, 0x19, 60 * time.Second},       // UBAMonitorSlow
	{thermostatID, 0x02A5, 60 * time.Second}, // RC300Monitor hc1
	{thermostatID, 0x02A6, 60 * time.Second}, // RC300Monitor hc2
	{thermostatID, 0x06, 60 * time.Second},   // RCTime
	{mixerID, 0x02D8, 15 * time.Second},      // MM100 status, hc2
	{solarID, 0x0362, 30 * time.Second},      // SM100 temperatures
	{solarID, 0x0364, 30 * time.Second},      // SM100 pump modulation
	{solarID, 0x036A, 30 * time.Second},      // SM100 pump and valves
}

// heatPumpBroadcasts are what a heat-pump boiler sends besides.
var heatPumpBroadcasts = []struct {
	src   byte
	typ   uint16
	every time.Duration
}{
	{boilerID, 0x048D, 10 * time.Second}, // HpPower
	{boilerID, 0x0494, 60 * time.Second}, // UBAEnergySupplied
	{boilerID, 0x0495, 60 * time.Second}, // UBAInformation
}

// due returns the broadcasts that fell due by the simulated clock.
func (s *Sim) due() []telegram.Telegram {
	var out []telegram.Telegram
	all := broadcasts
	if s.opt.HeatPump {
		all = append(all[:len(all):len(all)], heatPumpBroadcasts...)
	}
	for _, b := range all {
		if next, ok := s.nextDue[b.typ]; ok && s.clock.Before(next) {
			continue
		}
		s.nextDue[b.typ] = s.clock.Add(b.every)
		data, _ := s.block(b.src, b.typ)
		// A block longer than one telegram goes out in parts at rising offsets.
		limit := telegram.MaxDataEMS
		if b.typ > 0xFF {
			limit = telegram.MaxDataEMSPlus
		}
		for off := 0; off == 0 || off < len(data); off += limit {
			part := data[off:min(off+limit, len(data))]
			out = append(out, telegram.Telegram{Src: b.src, Dest: telegram.Broadcast, Type: b.typ, Offset: byte(off), Data: part})
		}
	}
	return out
}

// answer is a device's reply to a read request: the asked-for part of the
// telegram's data, or an empty telegram when the device does not know the type.
func (s *Sim) answer(req telegram.Telegram) telegram.Telegram {
	reply := telegram.Telegram{Src: req.Dest, Dest: req.Src, Type: req.Type, Offset: req.Offset, Data: []byte{}}
	data, ok := s.block(req.Dest, req.Type)
	if !ok || int(req.Offset) >= len(data) {
		return reply
	}
	limit := telegram.MaxDataEMS
	if reply.IsEMSPlus() {
		limit = telegram.MaxDataEMSPlus
	}
	n := min(len(data)-int(req.Offset), limit, int(req.Length))
	reply.Data = data[req.Offset : int(req.Offset)+n]
	return reply
}

func u16(v float64) (byte, byte) {
	x := int16(math.Round(v * 10))
	return byte(uint16(x) >> 8), byte(x)
}

func u24(v int) (byte, byte, byte) { return byte(v >> 16), byte(v >> 8), byte(v) }

func b2i(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// block is the whole data block of one telegram of one simulated device.
func (s *Sim) block(dev byte, typ uint16) ([]byte, bool) {
	switch dev {
	case boilerID:
		return s.boilerBlock(typ)
	case thermostatID:
		return s.thermostatBlock(typ)
	case mixerID:
		return s.mixerBlock(typ)
	case solarID:
		return s.solarBlock(typ)
	}
	return nil, false
}

func u32(v float64) []byte {
	x := uint32(v)
	return []byte{byte(x >> 24), byte(x >> 16), byte(x >> 8), byte(x)}
}

func (s *Sim) boilerBlock(typ uint16) ([]byte, bool) {
	if s.opt.HeatPump {
		if b, ok := s.heatPumpBlock(typ); ok || typ == 0x04 {
			return b, ok // a heat pump has no burner factory data
		}
	}
	switch typ {
	case 0x02: // version: product 123, 01.00
		return []byte{123, 0x01, 0x00}, true
	case 0x07: // devices present: 0x08, 0x0B (the gateway), 0x10, 0x21, 0x30
		return []byte{0x09, 0x01, 0, 0x02, 0, 0x01, 0, 0, 0, 0, 0, 0, 0}, true
	case 0x14:
		a, b, c := u24(int(s.uptimeMin))
		return []byte{a, b, c}, true
	case 0x15: // maintenance by date
		return []byte{0x02, 0x0F, 0x1D, 0x0B, 0x1A}, true
	case 0x16:
		return []byte{0xFF, 75, 100, 20, 6, 0xFA, 10, 0, 3, 100, 30, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 45}, true
	case 0x18:
		fh, fl := u16(s.flow)
		rh, rl := u16(s.ret)
		sh, sl := u16(s.dhwTemp)
		state := byte(0)
		if s.burnerOn {
			state |= 0x08
			if s.dhwHeating {
				state |= 0x02
			} else {
				state |= 0x01
			}
		}
		bits := b2i(s.burnerOn) | b2i(s.burnerOn)<<2 | b2i(s.burnerOn && !s.dhwHeating)<<5 | b2i(s.dhwHeating)<<6
		flame := 0.0
		if s.burnerOn {
			flame = 4 + s.modulation/40
		}
		ch, cl := u16(flame)
		sel := byte(0)
		if s.burnerOn {
			sel = byte(math.Round(s.flowTarget()))
		}
		pressure := byte(math.Round((1.5 + 0.1*math.Sin(float64(s.clock.Unix())/3600)) * 10))
		return []byte{sel, fh, fl, 100, byte(s.modulation), state, 0, bits,
			0, sh, sl, 0x80, 0x00, rh, rl, ch, cl, pressure, '-', 'H', 0, 200, 0, 0, 0}, true
	case 0x19:
		oh, ol := u16(s.outdoor)
		bh, bl := u16(s.flow - 2)
		eh, el := u16(s.flow + 10)
		a1, a2, a3 := u24(s.burnStarts)
		w1, w2, w3 := u24(int(s.burnMinutes))
		h1, h2, h3 := u24(int(s.heatMinutes))
		pump := byte(0)
		if s.burnerOn && !s.dhwHeating {
			pump = 70
		}
		return []byte{oh, ol, bh, bl, eh, el, 0, 0, 0, pump,
			a1, a2, a3, w1, w2, w3, 0, 0, 0, h1, h2, h3, a1, a2, a3}, true
	case 0x1C: // no maintenance message
		return []byte{0, 0, 0, 0, 0, 0, 0, 0}, true
	case 0x33:
		return []byte{0x08, 0xFF, 55, 0xFB, 0, 40, 0xFF, 1, 70, 0, 0}, true
	case 0x34:
		th, tl := u16(s.dhwTemp)
		flags := b2i(s.dhwHeating)<<3 | b2i(s.dhwTemp >= 55)<<5 | b2i(s.tapping)<<6
		flow := byte(0)
		if s.tapping {
			flow = byte(60 + s.rng.IntN(30))
		}
		m1, m2, m3 := u24(int(s.dhwMin))
		n1, n2, n3 := u24(s.dhwStarts)
		return []byte{55, th, tl, 0x80, 0x00, flags, 0, 0, 3, flow,
			m1, m2, m3, n1, n2, n3, 0, 0x80, 0x00}, true
	case 0x04: // factory data: 24 kW nominal power
		return []byte{0x13, 0x96, 0x09, 0x81, 24, 0x0A, 0x64, 0x35, 0x05, 0x64}, true
	}
	return nil, false
}

func (s *Sim) thermostatBlock(typ uint16) ([]byte, bool) {
	switch typ {
	case 0x02: // version: product 158 (RC310), 19.03, brand Buderus
		return []byte{158, 0x13, 0x03, 0, 0, 0, 0, 0, 0, 3}, true
	case 0x06:
		c := s.clock
		return []byte{byte(c.Year() - 2000), byte(c.Month()), byte(c.Hour()), byte(c.Day()), byte(c.Minute()),
			byte(c.Second()), byte((int(c.Weekday()) + 6) % 7), 0}, true
	case 0x023A:
		oh, ol := u16(s.outdoor)
		return []byte{oh, ol}, true
	case 0x0240:
		return []byte{0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 2, 0xF6, 0, 0, 0}, true
	case 0x02A6: // hc2, the floor
		rh, rl := u16(s.floorRoom)
		mode := byte(0x01)
		if s.comfort() {
			mode = 0x03
		}
		flow := byte(0)
		if s.mixPump {
			flow = byte(math.Round(s.floorTarget()))
		}
		sp := byte(s.setpoint() * 2)
		return []byte{rh, rl, 0x01, sp, flow, 0, sp, sp, 0, 0, mode,
			0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, true
	case 0x02BA:
		return []byte{0xFF, 0, 42, 0, 34, 2, 0, 0, 0xFF, 5, 40, 1, 0xE1,
			0, 0, 0, 0, 42, 0, 1, 4, 0, 0, 0, 4, 0, 0, 0, 0}, true
	case 0x02B0:
		return []byte{2, 10, 0, 0, 45, 35, 17, 1, 25, 0, 0}, true
	case 0x029C: // floor heating
		return []byte{1, 3, 0, 0, 0xFF, 1, 5, 45, 50}, true
	case 0x02A5:
		rh, rl := u16(s.room)
		mode := byte(0x01)
		if s.comfort() {
			mode = 0x03
		}
		flow := byte(0)
		if s.burnerOn && !s.dhwHeating {
			flow = byte(math.Round(s.flowTarget()))
		}
		sp := byte(s.setpoint() * 2)
		return []byte{rh, rl, 0x01, sp, flow, 0, sp, sp, 0, 0, mode,
			0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, true
	case 0x02B9:
		return []byte{0xFF, 0, 42, 0, 34, 2, 0, 0, 0xFF, 5, 40, 1, 0xE1,
			0, 0, 0, 0, 42, 0, 1, 4, 0, 0, 0, 4, 0, 0, 0, 0}, true
	case 0x02AF:
		return []byte{3, 10, 0, 0, 60, 0, 17, 1, 25, 0, 0}, true
	case 0x029B:
		return []byte{1, 1, 0, 0, 0xFF, 1, 5, 48, 75}, true
	case 0x02F5:
		return []byte{1, 0, 3, 2, 0, 0, 8, 1, 0, 0, 8, 0}, true
	case 0x031B:
		return []byte{55, 45}, true
	case 0x0291:
		return []byte{0, 0, 0, 0, 0, 0}, true
	}
	return nil, false
}

func (s *Sim) mixerBlock(typ uint16) ([]byte, bool) {
	switch typ {
	case 0x02: // version: product 160 (MM100), 02.01
		return []byte{160, 0x02, 0x01}, true
	case 0x02D8: // status of hc2: pump @0 bit 0, valve @2, flow @3-4, setpoint @5
		fh, fl := u16(s.mixFlow)
		set := byte(0)
		if s.mixPump {
			set = byte(math.Round(s.floorTarget()))
		}
		return []byte{b2i(s.mixPump), 0, byte(math.Round(s.valve)), fh, fl, set, 0, 0, 0, 0x01, 0x90}, true
	case 0x02CE: // configuration of hc2: activated, valve run time 120 s, offset 5 K, no dhw priority
		return []byte{0xFF, 12, 5, 0, 0, 0, 0, 0, 0, 4}, true
	}
	return nil, false
}

func (s *Sim) solarBlock(typ uint16) ([]byte, bool) {
	switch typ {
	case 0x02: // version: product 163 (SM100), 02.03
		return []byte{163, 0x02, 0x03}, true
	case 0x0362: // collector @0, cylinder bottom @2; sensors not fitted report 0x8000
		ch, cl := u16(s.collector)
		bh, bl := u16(s.cylBottom)
		b := []byte{ch, cl, bh, bl}
		for len(b) < 26 {
			b = append(b, 0x80, 0x00)
		}
		return b, true
	case 0x0364: // @3 bit 1 cylinder heated, @9 pump modulation
		return []byte{0, 0, 0, b2i(s.cylBottom > 60) << 1, 0, 0, 0, 0, 0, byte(s.solarMod), 0, 0, 0, 0, 0}, true
	case 0x036A: // @10 solar pump: 4 on, 3 off
		pump := byte(3)
		if s.solarPump {
			pump = 4
		}
		return []byte{3, 3, 0, 0, 3, 0, 0, 3, 0, 0, pump, 3}, true
	case 0x038E: // energy: last hour (Wh/10), today (Wh), total (kWh/10)
		a := uint32(s.solarWhHour * 10)
		b := uint32(s.solarWhToday)
		c := uint32(s.solarWhTotal / 100)
		return []byte{byte(a >> 24), byte(a >> 16), byte(a >> 8), byte(a), byte(b >> 24), byte(b >> 16), byte(b >> 8), byte(b),
			byte(c >> 24), byte(c >> 16), byte(c >> 8), byte(c)}, true
	case 0x0391: // pump working time @1
		x, y, z := u24(int(s.solarPumpMin))
		return []byte{0, x, y, z}, true
	}
	return nil, false
}

// heatPumpBlock has the telegrams of a heat-pump boiler (product 172).
func (s *Sim) heatPumpBlock(typ uint16) ([]byte, bool) {
	switch typ {
	case 0x02: // version: product 172, 02.04
		return []byte{172, 0x02, 0x04}, true
	case 0x048D: // compressor on @3 bit 4, circulation pump @4, activity @7, power @10-11 (0.1 kW), speed @17
		activity, comp := byte(0), byte(0)
		if s.burnerOn {
			comp = 0x10
			activity = 1
			if s.dhwHeating {
				activity = 3
			}
		}
		power := uint16(80 * s.modulation / 100)
		b := make([]byte, 23)
		b[3], b[4], b[7], b[10], b[11], b[17] = comp, byte(s.modulation*0.8), activity, byte(power>>8), byte(power), byte(s.modulation)
		return b, true
	case 0x0494: // energy supplied (kWh): total @4, dhw @8, heating @12
		b := append(u32(s.uptimeMin), u32((s.hpHeatWh+s.hpDhwWh)/1000)...)
		b = append(b, u32(s.hpDhwWh/1000)...)
		b = append(b, u32(s.hpHeatWh/1000)...)
		return append(b, make([]byte, 8)...), true
	case 0x0495: // compressor starts @20, energy consumed (kWh) total @64
		b := make([]byte, 84)
		copy(b[20:], u32(float64(s.burnStarts)))
		copy(b[64:], u32(s.hpElecWh/1000))
		return b, true
	}
	return nil, false
}
