package devices

import (
	"fmt"

	"github.com/emsd/emsd/internal/telegram"
)

// Special cases of the EMS 1.0 thermostats: RC10, RC20, RC20_N/RC25, RC30,
// RC30_N, RC35, the Easy models and the CR11.
func init() {
	registerSpecials(map[string]specialFunc{
		"rc35FlowCurve":     rc35FlowCurve,
		"rc35SwitchTime1":   rcSwitchTime("switchtime1", false, false),
		"rc35SwitchTime2":   rcSwitchTime("switchtime2", false, false),
		"rc30SwitchTime":    rcSwitchTime("switchtime1", false, true),
		"rc20SwitchTime":    rcSwitchTime("switchtime", false, true),
		"dhwSwitchTime":     rcSwitchTime("switchtime", true, false),
		"dhwCircSwitchTime": rcSwitchTime("circswitchtime", true, false),
		"rc35HolidayDates":  rcHolidayDates(false),
		"dhwHolidayDates":   rcHolidayDates(true),
		"rc30Vacations":     rc30Vacations,
		"easyMonitor":       easyMonitor,
		"cr11Mode":          cr11Mode,
	})
}

// memoRC30Vacation holds the bytes of RC30Vacation (0xA9) seen so far; the
// tag of the memo key is the byte's offset (0..56), not a circuit.
const memoRC30Vacation = "RC30Vacation byte"

// rc35FlowCurve is RC35Set's design temperature and maximum flow
// temperature: @17 and @15, except on an RC35 heating a floor, which keeps
// them at @36 and @35.
func rc35FlowCurve(d *Device, s *State, t *telegram.Telegram, hc Tag) {
	if isFloor, _ := floor(d, s, hc); isFloor && d.Product.Flags.Model() == ModelRC35 {
		setU8(d, s, t, hc, "designtemp", 36)
		setU8(d, s, t, hc, "maxflowtemp", 35)
		return
	}
	setU8(d, s, t, hc, "designtemp", 17)
	setU8(d, s, t, hc, "maxflowtemp", 15)
}

// rcWeekdays are EMS-ESP's English day abbreviations, Monday first.
var rcWeekdays = [8]string{"mo", "tu", "we", "th", "fr", "sa", "su", "all"}

// rcSwitchTime renders a switch point of a timer telegram: two bytes per
// point, @2n = day << 5 | switch (bit 0 on/off, or bits 0-2 the level
// T1..T4 when level is set) and @2n+1 = time in 10 minutes, shown as
// "03 we 06:30 on" (day 7: "03 not_set"). Like EMS-ESP it takes a point
// written alone (two bytes at an even offset below 83), or the first point
// of a telegram from offset 0 while the entity has no value yet.
func rcSwitchTime(short string, dhw, level bool) specialFunc {
	return func(d *Device, s *State, t *telegram.Telegram, hc Tag) {
		tag := hc
		if dhw {
			tag = TagDHW
		}
		v := d.value(s, tag, short)
		if v == nil {
			return
		}
		off, n := int(t.Offset), len(t.Data)
		if !(n == 2 && off < 83 && off%2 == 0) && !(off == 0 && n > 1 && !v.Set) {
			return
		}
		no, day, at := off/2, t.Data[0]>>5, int(t.Data[1])
		var text string
		switch {
		case day == 7:
			text = fmt.Sprintf("%02d not_set", no)
		case level:
			text = fmt.Sprintf("%02d %s %02d:%02d T%d", no, rcWeekdays[day], at/6, 10*(at%6), t.Data[0]&7)
		default:
			state := "off"
			if t.Data[0]&1 != 0 {
				state = "on"
			}
			text = fmt.Sprintf("%02d %s %02d:%02d %s", no, rcWeekdays[day], at/6, 10*(at%6), state)
		}
		d.setText(s, tag, short, text)
	}
}

// rcHolidayDates reads the vacation @87-92 and holiday @93-98 periods of a
// timer telegram: start day, month, year - 2000, then the end, shown as
// "dd.mm.yyyy-dd.mm.yyyy".
func rcHolidayDates(dhw bool) specialFunc {
	return func(d *Device, s *State, t *telegram.Telegram, hc Tag) {
		tag := hc
		if dhw {
			tag = TagDHW
		}
		for _, p := range [2]struct {
			off   int
			short string
		}{{87, "vacations"}, {93, "holidays"}} {
			if t.Covers(p.off, 6) {
				d.setText(s, tag, p.short, rcDatePeriod(t, p.off))
			}
		}
	}
}

func rcDatePeriod(t *telegram.Telegram, off int) string {
	return fmt.Sprintf("%02d.%02d.%04d-%02d.%02d.%04d", t.At(off), t.At(off+1), 2000+int(t.At(off+2)),
		t.At(off+3), t.At(off+4), 2000+int(t.At(off+5)))
}

// rc30Vacations is RC30Vacation (0xA9, at most 57 bytes): seven-byte
// blocks, block n holding vacation n+1 (start day, month, year - 2000 @1-3,
// end @4-6). Fragments are merged; a block with day 0 is not set. The
// values belong to hc1, the RC30's only circuit.
func rc30Vacations(d *Device, s *State, t *telegram.Telegram, _ Tag) {
	if int(t.Offset)+len(t.Data) > 57 {
		return
	}
	for i, b := range t.Data {
		s.remember(memoRC30Vacation, Tag(int(t.Offset)+i), int64(b))
	}
	at := func(i int) int {
		v, _ := s.recall(memoRC30Vacation, Tag(i))
		return int(v)
	}
	for n := 0; n < 7; n++ {
		p := 7 * n
		if at(p+1) == 0 {
			continue
		}
		d.setText(s, TagHC1, fmt.Sprintf("vacations%d", n+1), fmt.Sprintf("%02d.%02d.%04d-%02d.%02d.%04d",
			at(p+1), at(p+2), 2000+at(p+3), at(p+4), at(p+5), 2000+at(p+6)))
	}
}

// easyMonitor is the Easy models' 0x0A: room temperature @8 and set
// temperature @10, s16 in 1/100 °C, read only when @8 is present and not 0.
func easyMonitor(d *Device, s *State, t *telegram.Telegram, hc Tag) {
	if !t.Covers(8, 2) {
		return
	}
	room := rcS16At(t, 8)
	if room == 0 {
		return
	}
	rcSetS16(d, s, hc, "currtemp", room)
	if t.Covers(10, 2) {
		rcSetS16(d, s, hc, "seltemp", rcS16At(t, 10))
	}
}

func rcS16At(t *telegram.Telegram, off int) int64 {
	return int64(int16(uint16(t.At(off))<<8 | uint16(t.At(off+1))))
}

// rcSetS16 stores a signed 16-bit reading, |v| >= 32000 being no value.
func rcSetS16(d *Device, s *State, hc Tag, short string, v int64) {
	if v > -32000 && v < 32000 {
		d.setNum(s, hc, short, v)
	} else {
		d.clear(s, hc, short)
	}
}

// cr11Mode derives the CR11's mode from its set temperature: off at 0,
// manual otherwise (also while the set temperature is unknown).
func cr11Mode(d *Device, s *State, _ *telegram.Telegram, hc Tag) {
	sel, ok := d.num(s, hc, "seltemp")
	d.setNum(s, hc, "mode", boolNum(!ok || sel != 0))
}
