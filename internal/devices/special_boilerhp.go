package devices

import (
	"fmt"

	"github.com/emsd/emsd/internal/telegram"
)

// Special cases of heat-pump boilers and heat interface units
// (boiler-heatpump.tbl, boiler-hiu.tbl).
func init() {
	registerSpecials(map[string]specialFunc{
		"boilerStateKept":      boilerStateKept,
		"recheckActive":        recheckActive,
		"hpActivityState":      hpActivityState,
		"hiuState":             hiuState,
		"hiuDhwFlow":           hiuDhwFlow,
		"hpInputOptions":       hpInputOptions,
		"hpHeaterLimitsCS6800": hpHeaterLimitsCS6800,
	})
}

// memoBoilerState is the last burner state byte (bit 0 heat, bit 1 dhw,
// bit 3 flame) of a heat pump or HIU: UBAMonitorFastPlus does not carry
// one for them, but rechecks the activity with the last one.
const memoBoilerState = "boiler state byte"

// boilerStateKept is boilerState (UBAMonitorFast @5), the state also kept
// for later rechecks.
func boilerStateKept(d *Device, s *State, t *telegram.Telegram, hc Tag) {
	if t.Covers(5, 1) {
		state := t.At(5)
		if t.Covers(3, 5) && t.At(7)&1 != 0 && t.At(3) == 0 && t.At(4) == 0 {
			state |= 0x08
		}
		s.remember(memoBoilerState, TagDevice, int64(state))
	}
	boilerState(d, s, t, hc)
}

// recheckActive: UBAMonitorFastPlus reaching @10-11 rechecks heating and
// tap water activity with the last state, as a boiler's flow may have
// changed since.
func recheckActive(d *Device, s *State, t *telegram.Telegram, _ Tag) {
	if !t.Covers(10, 2) {
		return
	}
	if state, ok := s.recall(memoBoilerState, TagDevice); ok && state != 0xFF {
		checkActive(d, s, byte(state))
	}
}

// hpActivityState derives the state from the compressor activity of
// HpPower: heating (1) is heat with flame, hot water (3) is dhw with flame,
// anything else (also no activity known) is idle.
func hpActivityState(d *Device, s *State, _ *telegram.Telegram, _ Tag) {
	state := byte(0)
	switch act, _ := d.num(s, TagDevice, "hpactivity"); act {
	case 1:
		state = 0x09
	case 3:
		state = 0x0A
	}
	s.remember(memoBoilerState, TagDevice, int64(state))
	checkActive(d, s, state)
}

// hiuState is the HIU's state in UBAMonitorSlowPlus2: @2 = 1 is heating,
// @5 = 1 is tap water; a byte not in the telegram counts as off.
func hiuState(d *Device, s *State, t *telegram.Telegram, _ Tag) {
	state := byte(0)
	if t.Covers(2, 1) && t.At(2) == 1 {
		state |= 0x09
	}
	if t.Covers(5, 1) && t.At(5) == 1 {
		state |= 0x0A
	}
	s.remember(memoBoilerState, TagDevice, int64(state))
	checkActive(d, s, state)
}

// hiuDhwFlow is UBAMonitorWWPlus @11, the tap water flow, until HIUMonitor
// (0x0779) has been received: from then on that one reports it.
func hiuDhwFlow(d *Device, s *State, t *telegram.Telegram, _ Tag) {
	if h := d.byType[0x0779]; h != nil && s.Received[h.index] {
		return
	}
	setU8(d, s, t, TagDHW, "curflow", 11)
}

// Positions of the input options in HpInConfig (0x0486): inputs 1-3 have
// twelve flags at these offsets plus the input number - 1, and a
// modulation at 27 + that; input 4 has nine flags and a modulation at 48.
var (
	hpInputFlags  = []int{0, 3, 6, 9, 12, 15, 18, 21, 24, 39, 36, 30}
	hpInput4Flags = []int{42, 43, 44, 45, 46, 47, 52, 50, 49}
)

// hpInputOptions renders HpInConfig as the strings hpin1opt..hpin4opt: one
// character per flag ("1" when the byte is 1, else "0") and the modulation
// as three digits. Flags the telegram does not cover keep their last state.
func hpInputOptions(d *Device, s *State, t *telegram.Telegram, _ Tag) {
	for i := 0; i < 3; i++ {
		hpInputOption(d, s, t, fmt.Sprintf("hpin%dopt", i+1), hpInputFlags, i, 27+i)
	}
	hpInputOption(d, s, t, "hpin4opt", hpInput4Flags, 0, 48)
}

func hpInputOption(d *Device, s *State, t *telegram.Telegram, short string, flags []int, shift, mod int) {
	var prev string
	if v := d.value(s, TagDevice, short); v != nil && v.Set {
		prev = v.Str
	}
	b := make([]byte, 0, len(flags)+3)
	for j, off := range flags {
		on := j < len(prev) && prev[j] == '1'
		if t.Covers(off+shift, 1) {
			on = t.At(off+shift) == 1
		}
		b = append(b, '0'+byte(boolNum(on)))
	}
	m := 0
	for j := len(flags); j < len(prev) && prev[j] >= '0' && prev[j] <= '9'; j++ {
		m = m*10 + int(prev[j]-'0')
	}
	if t.Covers(mod, 1) {
		m = int(t.At(mod))
	}
	d.setText(s, TagDevice, short, fmt.Sprintf("%s%03d", b, m%1000))
}

// hpHeaterLimitsCS6800 is HpHeaterConfig (0x0492) of the CS6800 family,
// whose heat limits are coded: @2 compressor 0, 2, 4, 5 and @3 heating,
// @4 dhw 2, 4, 5 (the option's position). A code not in the list leaves
// the value standing.
func hpHeaterLimitsCS6800(d *Device, s *State, t *telegram.Telegram, _ Tag) {
	limit := func(tag Tag, short string, off int, codes ...byte) {
		if !t.Covers(off, 1) {
			return
		}
		for i, c := range codes {
			if t.At(off) == c {
				d.setNum(s, tag, short, int64(i))
				return
			}
		}
	}
	limit(TagDevice, "maxheatcomp", 2, 0, 2, 4, 5)
	limit(TagDevice, "maxheatheat", 3, 2, 4, 5)
	limit(TagDHW, "maxheat", 4, 2, 4, 5)
}
