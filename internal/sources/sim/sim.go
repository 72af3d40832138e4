// Package sim is a simulated heating system: a gas boiler (product 123) and
// an RC310 thermostat (product 158) with one heating circuit and hot water.
// Plausible physics driven by a seeded random generator produce real
// telegram bytes. The boiler is the bus master: it polls the gateway, and
// the devices broadcast what real ones broadcast and answer the rest only
// when asked.
package sim

import (
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
	Speed float64       // simulated seconds per real second; 1 = real time
	Start time.Time     // simulated wall clock at the start; zero = now
	Tick  time.Duration // real time between the master's polls; 20 ms when 0
}

// Sim holds the state of the simulated installation.
type Sim struct {
	opt   Options
	rng   *rand.Rand
	clock time.Time // simulated time

	outdoor, room, flow, ret, dhwTemp float64
	burnerOn, tapping, dhwHeating     bool
	modulation                        float64
	burnerSince, tapUntil             time.Time
	burnStarts, dhwStarts             int
	burnMinutes, heatMinutes, dhwMin  float64
	uptimeMin                         float64
	nextDue                           map[uint16]time.Time
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
		opt.Tick = 20 * time.Millisecond
	}
	rng := rand.New(rand.NewPCG(opt.Seed, opt.Seed^0x9E3779B97F4A7C15))
	s := &Sim{opt: opt, rng: rng, clock: opt.Start, nextDue: map[uint16]time.Time{}}
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

// Advance moves simulated time forward by d, in steps of at most a second.
func (s *Sim) Advance(d time.Duration) {
	for d > 0 {
		step := min(d, time.Second)
		s.step(step.Seconds())
		d -= step
	}
}

// Clock is the simulated time.
func (s *Sim) Clock() time.Time { return s.clock }

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
