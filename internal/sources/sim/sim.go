// Package sim is a simulated heating system: a gas boiler (product 123) and
// an RC310 thermostat (product 158) with one heating circuit and hot water.
// Plausible physics driven by a seeded random generator produce real
// telegram bytes, framed as a serial EMS interface would deliver them.
package sim

import (
	"context"
	"math"
	"math/rand/v2"
	"time"

	"github.com/emsd/emsd/internal/telegram"
)

// Bus IDs of the simulated devices.
const (
	boilerID     = telegram.BoilerID
	thermostatID = 0x10
)

// Options configure a simulation.
type Options struct {
	Seed  uint64
	Speed float64   // simulated seconds per real second; 1 = real time
	Start time.Time // simulated wall clock at the start; zero = now
	Tick  time.Duration
}

// Sim holds the state of the simulated installation.
type Sim struct {
	opt   Options
	rng   *rand.Rand
	clock time.Time // simulated time
	buf   []byte

	outdoor, room, flow, ret, dhwTemp float64
	burnerOn, tapping, dhwHeating     bool
	modulation                        float64
	burnerSince, tapUntil             time.Time
	burnStarts, dhwStarts             int
	burnMinutes, heatMinutes, dhwMin  float64
	uptimeMin                         float64
	nextDue                           map[string]time.Time
}

// New returns a simulation; Run drives it.
func New(opt Options) *Sim {
	if opt.Speed <= 0 {
		opt.Speed = 1
	}
	if opt.Start.IsZero() {
		opt.Start = time.Now()
	}
	if opt.Tick <= 0 {
		opt.Tick = 200 * time.Millisecond
	}
	rng := rand.New(rand.NewPCG(opt.Seed, opt.Seed^0x9E3779B97F4A7C15))
	s := &Sim{opt: opt, rng: rng, clock: opt.Start, nextDue: map[string]time.Time{}}
	s.outdoor = s.outdoorTarget()
	s.room = 20 + rng.Float64()
	s.flow, s.ret, s.dhwTemp = 35, 30, 50+5*rng.Float64()
	s.burnStarts = 20000 + rng.IntN(50000)
	s.dhwStarts = 5000 + rng.IntN(20000)
	s.burnMinutes = float64(100000 + rng.IntN(400000))
	s.heatMinutes = s.burnMinutes * 0.8
	s.dhwMin = s.burnMinutes * 0.2
	s.uptimeMin = s.burnMinutes * 3
	return s
}

// Run emits stream bytes to feed until ctx ends. The first telegrams, the
// device discovery among them, are emitted at once.
func (s *Sim) Run(ctx context.Context, feed func([]byte)) error {
	feed(s.discovery())
	feed(s.Advance(0))
	t := time.NewTicker(s.opt.Tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			feed(s.Advance(time.Duration(float64(s.opt.Tick) * s.opt.Speed)))
		}
	}
}

// discovery is what a gateway hears first: the boiler's device list and
// each device's version. (On a real bus the versions come only on request.)
func (s *Sim) discovery() []byte {
	s.buf = s.buf[:0]
	s.send(boilerID, telegram.Broadcast, 0x07, 0, []byte{0x09, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	s.send(boilerID, telegram.DefaultBusID, 0x02, 0, []byte{123, 0x01, 0x00})
	s.send(thermostatID, telegram.DefaultBusID, 0x02, 0, []byte{158, 0x13, 0x03, 0, 0, 0, 0, 0, 0, 3})
	return s.buf
}

func (s *Sim) send(src, dest byte, typ uint16, offset byte, data []byte) {
	var frame [telegram.MaxFrameLen]byte
	f := telegram.Append(frame[:0], telegram.Telegram{Src: src, Dest: dest, Type: typ, Offset: offset, Data: data})
	s.buf = telegram.AppendFrame(s.buf, f)
}

// Advance moves simulated time forward by d and returns the telegrams that
// fell due, in the stream encoding.
func (s *Sim) Advance(d time.Duration) []byte {
	s.buf = s.buf[:0]
	for d > 0 {
		step := min(d, time.Second)
		s.step(step.Seconds())
		d -= step
		s.emitDue()
	}
	if len(s.buf) == 0 {
		s.emitDue()
	}
	return s.buf
}

// outdoorTarget is the day's temperature curve: coldest before dawn.
func (s *Sim) outdoorTarget() float64 {
	h := float64(s.clock.Hour()) + float64(s.clock.Minute())/60
	return 6 + 5*math.Sin(2*math.Pi*(h-9)/24)
}

// setpoint is the RC310's programme: comfort by day, eco by night.
func (s *Sim) setpoint() float64 {
	if h := s.clock.Hour(); h >= 6 && h < 22 {
		return 21
	}
	return 17
}

func (s *Sim) comfort() bool { return s.setpoint() > 20 }

// flowTarget is the heating curve: warmer flow on colder days.
func (s *Sim) flowTarget() float64 {
	return math.Max(25, math.Min(75, 22+1.6*(s.setpoint()-s.outdoor)+2*(s.setpoint()-s.room)))
}

func (s *Sim) step(dt float64) {
	s.clock = s.clock.Add(time.Duration(dt * float64(time.Second)))
	s.uptimeMin += dt / 60
	s.outdoor += (s.outdoorTarget()-s.outdoor)*dt/1800 + s.rng.NormFloat64()*0.01*math.Sqrt(dt)

	// Hot water is tapped a few times a day; a cooled cylinder is reheated.
	if !s.tapping && s.rng.Float64() < dt/7200 {
		s.tapping, s.tapUntil = true, s.clock.Add(time.Duration(60+s.rng.IntN(480))*time.Second)
		s.dhwStarts++
	}
	if s.tapping && s.clock.After(s.tapUntil) {
		s.tapping = false
	}
	if s.tapping {
		s.dhwTemp -= 0.02 * dt
	} else {
		s.dhwTemp -= 0.0004 * dt
	}
	switch {
	case s.dhwTemp < 45:
		s.dhwHeating = true
	case s.dhwTemp >= 55:
		s.dhwHeating = false
	}

	// The burner runs for hot water first, else when the room needs heat.
	demand := s.dhwHeating || s.room < s.setpoint()-0.2 || s.burnerOn && s.room < s.setpoint()+0.3
	if demand && !s.burnerOn && s.clock.Sub(s.burnerSince) > 3*time.Minute {
		s.burnerOn, s.burnerSince = true, s.clock
		s.burnStarts++
	} else if !demand && s.burnerOn && s.clock.Sub(s.burnerSince) > 5*time.Minute {
		s.burnerOn, s.burnerSince = false, s.clock
	}
	target := s.flowTarget()
	if s.dhwHeating {
		target = 70
	}
	if s.burnerOn {
		s.modulation = math.Max(20, math.Min(100, 30+4*(target-s.flow)+s.rng.NormFloat64()*2))
		s.flow += (target - s.flow) * dt / 120
		s.burnMinutes += dt / 60
		if s.dhwHeating {
			s.dhwMin += dt / 60
			s.dhwTemp += 0.03 * dt
		} else {
			s.heatMinutes += dt / 60
		}
	} else {
		s.modulation = 0
		s.flow += (s.room - s.flow) * dt / 900 // the water cools towards the house
	}
	s.ret = s.flow - (s.flow-s.room)*0.25

	// The room gains from the radiators while the pump runs (with the burner
	// and for a few minutes after it) and loses heat to the outside.
	pump := !s.dhwHeating && (s.burnerOn || s.clock.Sub(s.burnerSince) < 5*time.Minute)
	gain := 0.0
	if pump && s.flow > s.room {
		gain = (s.flow - s.room) * 0.00003
	}
	s.room += (gain - (s.room-s.outdoor)*0.000015) * dt
}

// schedule says how often each telegram goes out, in simulated time.
var schedule = []struct {
	name  string
	every time.Duration
}{
	{"uba-fast", 10 * time.Second}, {"uba-ww", 10 * time.Second}, {"uba-slow", 60 * time.Second},
	{"uba-uptime", 60 * time.Second}, {"uba-params", 5 * time.Minute}, {"uba-ww-params", 5 * time.Minute},
	{"rc-monitor", 15 * time.Second}, {"rc-outdoor", 60 * time.Second}, {"rc-time", 60 * time.Second},
	{"rc-set", 5 * time.Minute}, {"rc-summer", 5 * time.Minute}, {"rc-curve", 5 * time.Minute},
	{"rc-dhw", 5 * time.Minute}, {"rc-dhw-temp", 5 * time.Minute},
}

func (s *Sim) emitDue() {
	for _, e := range schedule {
		if due, ok := s.nextDue[e.name]; ok && s.clock.Before(due) {
			continue
		}
		s.nextDue[e.name] = s.clock.Add(e.every)
		s.emit(e.name)
	}
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

func (s *Sim) emit(name string) {
	switch name {
	case "uba-fast":
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
		s.send(boilerID, telegram.Broadcast, 0x18, 0, []byte{sel, fh, fl, 100, byte(s.modulation), state, 0, bits,
			0, sh, sl, 0x80, 0x00, rh, rl, ch, cl, pressure, '-', 'H', 0, 200, 0, 0, 0})
	case "uba-slow":
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
		s.send(boilerID, telegram.Broadcast, 0x19, 0, []byte{oh, ol, bh, bl, eh, el, 0, 0, 0, pump,
			a1, a2, a3, w1, w2, w3, 0, 0, 0, h1, h2, h3, a1, a2, a3})
	case "uba-uptime":
		a, b, c := u24(int(s.uptimeMin))
		s.send(boilerID, telegram.DefaultBusID, 0x14, 0, []byte{a, b, c})
	case "uba-ww":
		th, tl := u16(s.dhwTemp)
		flags := b2i(s.dhwHeating)<<3 | b2i(s.dhwTemp >= 55)<<5 | b2i(s.tapping)<<6
		flow := byte(0)
		if s.tapping {
			flow = byte(60 + s.rng.IntN(30))
		}
		m1, m2, m3 := u24(int(s.dhwMin))
		n1, n2, n3 := u24(s.dhwStarts)
		s.send(boilerID, telegram.Broadcast, 0x34, 0, []byte{55, th, tl, 0x80, 0x00, flags, 0, 0, 3, flow,
			m1, m2, m3, n1, n2, n3, 0, 0x80, 0x00})
	case "uba-params":
		s.send(boilerID, telegram.DefaultBusID, 0x16, 0, []byte{0xFF, 75, 100, 20, 6, 0xFA, 10, 0, 3, 100, 30, 0, 0, 0})
	case "uba-ww-params":
		s.send(boilerID, telegram.DefaultBusID, 0x33, 0, []byte{0x08, 0xFF, 55, 0xFB, 0, 40, 0xFF, 1, 70, 0, 0})
	case "rc-monitor":
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
		s.send(thermostatID, telegram.Broadcast, 0x02A5, 0, []byte{rh, rl, 0x01, sp, flow, 0, sp, sp, 0, 0, mode,
			0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	case "rc-outdoor":
		oh, ol := u16(s.outdoor)
		s.send(thermostatID, telegram.Broadcast, 0x023A, 0, []byte{oh, ol})
	case "rc-time":
		c := s.clock
		s.send(thermostatID, telegram.Broadcast, 0x06, 0, []byte{byte(c.Year() - 2000), byte(c.Month()), byte(c.Hour()),
			byte(c.Day()), byte(c.Minute()), byte(c.Second()), byte((int(c.Weekday()) + 6) % 7), 0})
	case "rc-set":
		s.send(thermostatID, telegram.DefaultBusID, 0x02B9, 0, []byte{0xFF, 0, 42, 0, 34, 2, 0, 0, 0xFF, 5, 40, 1, 0xE1,
			0, 0, 0, 0, 42, 0, 1, 4, 0, 0, 0, 4, 0, 0, 0, 0})
	case "rc-summer":
		s.send(thermostatID, telegram.DefaultBusID, 0x02AF, 0, []byte{3, 10, 0, 0, 60, 0, 17, 1, 25, 0, 0})
	case "rc-curve":
		s.send(thermostatID, telegram.DefaultBusID, 0x029B, 0, []byte{1, 1, 0, 0, 0xFF, 1, 5, 48, 75})
	case "rc-dhw":
		s.send(thermostatID, telegram.DefaultBusID, 0x02F5, 0, []byte{1, 0, 3, 2, 0, 0, 8, 1, 0, 0, 8, 0})
	case "rc-dhw-temp":
		s.send(thermostatID, telegram.DefaultBusID, 0x031B, 0, []byte{55, 45})
	}
}
