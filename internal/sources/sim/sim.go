// Package sim is a simulated heating system: a gas boiler (product 123), an
// RC310 thermostat (product 158) with a radiator circuit (hc1) and a floor
// circuit (hc2) behind an MM100 mixer, hot water, and an SM100 solar module.
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
	mixerID      = 0x21 // MM100 for hc2, the floor heating
	solarID      = 0x30 // SM100
)

// Options configure a simulation.
type Options struct {
	Seed  uint64
	Speed float64       // simulated seconds per real second; 1 = real time
	Start time.Time     // simulated wall clock at the start; zero = now
	Tick  time.Duration // real time between the master's polls; 20 ms when 0
	// HeatPump makes the heat source a heat pump (product 172) instead of a
	// gas boiler (product 123): the same house, compressor telegrams.
	HeatPump bool
}

// Sim holds the state of the simulated installation.
type Sim struct {
	opt   Options
	rng   *rand.Rand
	clock time.Time // simulated time

	outdoor, room, flow, ret, dhwTemp float64
	burnerOn, tapping, dhwHeating     bool
	floorRoom, mixFlow, valve         float64 // hc2: floor heating behind the mixer
	mixPump                           bool
	collector, cylBottom, clouds      float64 // solar
	solarPump                         bool
	solarMod                          float64
	solarWhToday, solarWhHour         float64
	solarWhTotal, solarPumpMin        float64
	solarDay                          int
	hpHeatWh, hpDhwWh, hpElecWh       float64 // heat pump energy counters
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
	s.floorRoom = 20 + rng.Float64()
	s.mixFlow, s.collector, s.cylBottom = 25, s.outdoor, 30
	s.solarWhTotal = float64(2000000 + rng.IntN(2000000))
	s.solarPumpMin = float64(50000 + rng.IntN(100000))
	s.solarDay = s.clock.YearDay()
	s.flow, s.ret, s.dhwTemp = 35, 30, 50+5*rng.Float64()
	s.burnStarts = 20000 + rng.IntN(50000)
	s.dhwStarts = 5000 + rng.IntN(20000)
	s.burnMinutes = float64(100000 + rng.IntN(400000))
	s.heatMinutes = s.burnMinutes * 0.8
	s.dhwMin = s.burnMinutes * 0.2
	s.uptimeMin = s.burnMinutes * 3
	s.hpHeatWh, s.hpDhwWh = s.heatMinutes*8000/60*0.5, s.dhwMin*8000/60*0.5
	s.hpElecWh = (s.hpHeatWh + s.hpDhwWh) / 3.5
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
	demand := s.dhwHeating || s.room < s.setpoint()-0.2 || s.burnerOn && s.room < s.setpoint()+0.3 ||
		s.floorRoom < s.setpoint()-0.3
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
		heat := 8000 * s.modulation / 100 * dt / 3600 // Wh at 8 kW nominal output
		if s.dhwHeating {
			s.hpDhwWh += heat
		} else {
			s.hpHeatWh += heat
		}
		s.hpElecWh += heat / s.cop()
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
	pump := !s.dhwHeating && s.room < s.setpoint()+0.3 && (s.burnerOn || s.clock.Sub(s.burnerSince) < 5*time.Minute)
	gain := 0.0
	if pump && s.flow > s.room {
		gain = (s.flow - s.room) * 0.00003
	}
	s.room += (gain - (s.room-s.outdoor)*0.000015) * dt
	s.stepFloor(dt)
	s.stepSolar(dt)
}

// cop is the heat pump's coefficient of performance: better on mild days
// and at low flow temperatures.
func (s *Sim) cop() float64 {
	return math.Max(1.8, 6-0.05*(s.flow-s.outdoor))
}

// floorTarget is the mixer's heating curve for hc2: low flow temperatures.
func (s *Sim) floorTarget() float64 {
	return math.Max(24, math.Min(40, 24+0.7*(s.setpoint()-s.outdoor)+3*(s.setpoint()-s.floorRoom)))
}

// stepFloor runs hc2: the mixer blends boiler water down to the floor's
// flow temperature while the floor needs heat; the floor is slow.
func (s *Sim) stepFloor(dt float64) {
	s.mixPump = s.floorRoom < s.setpoint()+0.2
	target := math.Min(s.floorTarget(), s.flow)
	if !s.mixPump {
		target = s.floorRoom
	}
	s.mixFlow += (target - s.mixFlow) * dt / 300
	if s.mixPump && s.flow > s.floorRoom {
		s.valve = math.Max(0, math.Min(100, 100*(s.mixFlow-s.floorRoom)/(s.flow-s.floorRoom+0.1)))
	} else {
		s.valve = 0
	}
	gain := 0.0
	if s.mixPump && s.mixFlow > s.floorRoom {
		gain = (s.mixFlow - s.floorRoom) * 0.00002
	}
	s.floorRoom += (gain - (s.floorRoom-s.outdoor)*0.00001) * dt
}

// stepSolar runs the collector: warm in the sun, and its pump loads the
// cylinder's bottom while the collector is warmer than the water there.
func (s *Sim) stepSolar(dt float64) {
	if d := s.clock.YearDay(); d != s.solarDay {
		s.solarDay, s.solarWhToday = d, 0
	}
	h := float64(s.clock.Hour()) + float64(s.clock.Minute())/60
	sun := math.Max(0, math.Sin(math.Pi*(h-7)/12))
	s.clouds = math.Max(0, math.Min(1, s.clouds+s.rng.NormFloat64()*0.01*math.Sqrt(dt)))
	target := s.outdoor + 70*sun*(1-0.7*s.clouds)
	s.collector += (target - s.collector) * dt / 600
	switch {
	case s.collector > s.cylBottom+7:
		s.solarPump = true
	case s.collector < s.cylBottom+3:
		s.solarPump = false
	}
	// A 200 l cylinder holds about 840 kJ per kelvin, the collector 60 kJ.
	power := 0.0 // watts into the cylinder
	if s.solarPump {
		s.solarMod = math.Max(30, math.Min(100, 10*(s.collector-s.cylBottom)))
		power = 80 * (s.collector - s.cylBottom) * s.solarMod / 100
		s.collector -= power * dt / 60000
		s.solarPumpMin += dt / 60
	} else {
		s.solarMod = 0
	}
	s.cylBottom += (power/840000 - (s.cylBottom-20)*0.000005) * dt
	s.dhwTemp += power / 1680000 * dt
	wh := power * dt / 3600
	s.solarWhToday += wh
	s.solarWhTotal += wh
	s.solarWhHour = power // over the last hour, at the present power
}
