package devices

import (
	"fmt"

	"github.com/emsd/emsd/internal/telegram"
)

// Special cases of the solar modules (tables solar-sm10, solar-sm100).
func init() {
	registerSpecials(map[string]specialFunc{
		"sm10PumpMod":      boostMasked(4, "solarpumpmod", 1),
		"sm10Power":        sm10Power,
		"sm100CylPumpMod":  boostMasked(8, "cylpumpmod", 5),
		"sm100PumpMod":     boostMasked(9, "solarpumpmod", 5),
		"sm100Pump2Mod":    boostMasked(4, "solarpump2mod", 5),
		"collector2Hidden": collector2Hidden,
	})
}

// boostMasked reads a pump modulation byte at off. A pump starting with a
// boost jumps from 0 straight to 100 %; that jump is shown as the minimum
// modulation instead (pumpminmod, whose raw value times minMul is percent).
func boostMasked(off int, short string, minMul int64) specialFunc {
	return func(d *Device, s *State, t *telegram.Telegram, _ Tag) {
		if !t.Covers(off, 1) {
			return
		}
		b := t.At(off)
		if b == 0xFF {
			d.clear(s, TagDevice, short)
			return
		}
		mod := int64(b)
		prev, prevOK := d.num(s, TagDevice, short)
		if minMod, ok := d.num(s, TagDevice, "pumpminmod"); ok && minMod > 0 && mod == 100 && prevOK && prev == 0 {
			mod = minMod * minMul
		}
		d.setNum(s, TagDevice, short, mod)
	}
}

// sm10Samples is how many one-minute power samples make an hour.
const sm10Samples = 60

// Names under which sm10Power remembers its samples.
var (
	memoSM10Sample = func() (n [sm10Samples]string) {
		for i := range n {
			n[i] = fmt.Sprintf("sm10 power sample %d", i)
		}
		return n
	}()
	memoSM10Count = "sm10 power samples" // samples stored, up to sm10Samples
	memoSM10Next  = "sm10 power next"    // ring index of the next sample
)

// sm10Power estimates the SM10's solar power (W) from each broadcast
// SM10Monitor, as EMS-ESP does for 40 % glycol:
// (collectortemp - cylbottomtemp) * solarpumpmod * maxflow * 10 / 1665,
// all raw, truncated to int16. energylasthour (0.1 Wh) is the sum of the
// last 60 samples (one a minute) divided by 6, or 0 if that sum is not
// positive. Without all four inputs nothing is computed.
func sm10Power(d *Device, s *State, t *telegram.Telegram, _ Tag) {
	if t.Dest != 0 {
		return // only the module's own broadcast, once a minute, counts
	}
	col, ok1 := d.num(s, TagDevice, "collectortemp")
	bottom, ok2 := d.num(s, TagDevice, "cylbottomtemp")
	mod, ok3 := d.num(s, TagDevice, "solarpumpmod")
	flow, ok4 := d.num(s, TagDevice, "maxflow")
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return
	}
	power := int64(int16((col - bottom) * mod * flow * 10 / 1665))
	d.setNum(s, TagDevice, "solarpower", power)

	n, _ := s.recall(memoSM10Count, TagDevice)
	next, _ := s.recall(memoSM10Next, TagDevice)
	s.remember(memoSM10Sample[next], TagDevice, power)
	s.remember(memoSM10Next, TagDevice, (next+1)%sm10Samples)
	n = min(n+1, sm10Samples)
	s.remember(memoSM10Count, TagDevice, n)
	var sum int64
	for i := int64(0); i < n; i++ {
		v, _ := s.recall(memoSM10Sample[i], TagDevice)
		sum += v
	}
	d.setNum(s, TagDevice, "energylasthour", max(sum, 0)/6)
}

// collector2Hidden hides collector 2 (area and type) of SM100CollectorConfig
// while its area @6 is 0.
func collector2Hidden(d *Device, s *State, t *telegram.Telegram, _ Tag) {
	if t.Covers(6, 2) && t.At(6) == 0 && t.At(7) == 0 {
		d.clear(s, TagDevice, "collector2area")
		d.clear(s, TagDevice, "collector2type")
	}
}
