package devices

import (
	"fmt"

	"github.com/emsd/emsd/internal/telegram"
)

// specialFunc is a named special case: a value a plain field cannot
// express. It runs after the telegram's fields. hc is the heating circuit
// the telegram belongs to (0 for device level).
type specialFunc func(d *Device, s *State, t *telegram.Telegram, hc Tag)

// specials holds the named special cases. Family files add theirs with
// registerSpecials in an init function; tables are parsed after that.
var specials = map[string]specialFunc{
	// boiler
	"boilerState":        boilerState,
	"burnerEnergy":       burnerEnergy,
	"boilerStatePlus":    boilerStatePlus,
	"ubaErrorLog":        ubaErrorLog,
	"ubaErrorLogC2":      ubaErrorLogPlus(0),
	"ubaErrorLogC6":      ubaErrorLogPlus(1),
	"maintenanceDate":    maintenanceDate,
	"maintenanceMessage": maintenanceMessage,
	"nominalPower":       nominalPower,
	"exhaustPlus":        exhaustPlus,
	"exhaustFallback":    exhaustFallback,
	"dhwComfortPlus":     dhwComfortPlus,
	// thermostat
	"dateTime":      dateTime,
	"rcErrorCode":   rcErrorCode,
	"rcErrorLog":    rcErrorLog,
	"rc300ErrorLog": rc300ErrorLog,
	"vacationDates": vacationDates,
	"rc300Season":   rc300Season,
	"haClimate":     haClimate,
	"tempAutoTemp":  tempAutoTemp,
	"rc300Summer":   rc300Summer,
	"rc300Summer2":  rc300Summer2,
	"curveMaxFlow":  curveMaxFlow,
	"integralTimes": integralTimes,
}

// registerSpecials adds a family's special cases.
func registerSpecials(m map[string]specialFunc) {
	for name, fn := range m {
		if specials[name] != nil {
			panic("devices: special " + name + " registered twice")
		}
		specials[name] = fn
	}
}

// Names of what the special cases remember in State.memo.
const (
	memoFlowSensor    = "dhw flow sensor seen"  // a flow-type dhw has reported a flow
	memoLastCode      = "last error code date"  // minutes since 2000 of the newest error log entry
	memoExhaustPlus   = "exhaust in 0xE4"       // 0xE4 has given a valid exhaust temperature
	memoStatusByte    = "monitor status byte"   // RC300Monitor @2, per circuit
	memoRCLastCode    = "thermostat error date" // newest thermostat error log entry
	memoNoLastCode    = 1                       // a code without a valid date was shown
	floorHeating      = 3                       // heatingtype option "floor"
	heatingTypeEntity = "heatingtype"
)

func (s *State) recall(name string, tag Tag) (int64, bool) {
	v, ok := s.memo[memoKey{name, tag}]
	return v, ok
}

func (s *State) remember(name string, tag Tag, v int64) {
	if s.memo == nil {
		s.memo = map[memoKey]int64{}
	}
	s.memo[memoKey{name, tag}] = v
}

// value returns the entity's value in s, or nil when the device lacks it.
func (d *Device) value(s *State, tag Tag, short string) *Value {
	if i, ok := d.slots[slotKey{tag, short}]; ok {
		return &s.Values[i]
	}
	return nil
}

func (d *Device) setNum(s *State, tag Tag, short string, n int64) {
	if v := d.value(s, tag, short); v != nil {
		*v = Value{Num: n, Set: true}
	}
}

func (d *Device) clear(s *State, tag Tag, short string) {
	if v := d.value(s, tag, short); v != nil {
		*v = Value{}
	}
}

func (d *Device) setText(s *State, tag Tag, short, text string) {
	if v := d.value(s, tag, short); v != nil && (!v.Set || v.Str != text) {
		*v = Value{Str: text, Set: true}
	}
}

// num returns an entity's number and whether it has one.
func (d *Device) num(s *State, tag Tag, short string) (int64, bool) {
	if v := d.value(s, tag, short); v != nil && v.Set {
		return v.Num, true
	}
	return 0, false
}

func boolNum(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// minutes2000 orders dates: minutes since 2000 (months counted as 31 days).
func minutes2000(year, month, day, hour, minute int) int64 {
	return int64((year-2000)*535680 + month*44640 + day*1440 + hour*60 + minute)
}

// boilerState handles UBAMonitorFast's burner state @5 (bit 0 heat, bit 1
// dhw, bit 3 flame). A burning gas valve (@7 bit 0) with both power bytes
// @3, @4 at 0 means full power.
func boilerState(d *Device, s *State, t *telegram.Telegram, _ Tag) {
	if !t.Covers(3, 5) {
		return
	}
	state := t.At(5)
	if t.At(7)&1 != 0 && t.At(3) == 0 && t.At(4) == 0 {
		d.setNum(s, TagDevice, "selburnpow", 100)
		d.setNum(s, TagDevice, "curburnpow", 100)
		state |= 0x08
	}
	if state != 0xFF {
		checkActive(d, s, state)
	}
}

// boilerStatePlus derives the same state from UBAMonitorFastPlus @11
// (bit 0 flame, bit 1 heating pump, bit 2 3-way valve to dhw).
func boilerStatePlus(d *Device, s *State, t *telegram.Telegram, _ Tag) {
	if !t.Covers(11, 1) || t.At(11) == 0xFF {
		return
	}
	b := t.At(11)
	state := byte(0)
	if b&1 != 0 {
		state |= 0x08
	}
	if b&2 != 0 {
		state |= 0x01
	}
	if b&4 != 0 {
		state |= 0x02
	}
	checkActive(d, s, state)
}

// checkActive sets heating and tap water activity from the burner state.
// Once a flow-type dhw has reported a flow, tap water counts as active only
// while water flows.
func checkActive(d *Device, s *State, state byte) {
	d.setNum(s, TagDevice, "heatingactive", boolNum(state&0x09 == 0x09))
	kind, kindOK := d.num(s, TagDHW, "type")
	flow, flowOK := d.num(s, TagDHW, "curflow")
	if kindOK && kind == 1 {
		if v := d.value(s, TagDHW, "tapactivated"); v != nil && !v.Set {
			*v = Value{Num: 1, Set: true}
		}
		if flowOK && flow > 0 {
			s.remember(memoFlowSensor, TagDevice, 1)
		}
	}
	tap := state&0x0A == 0x0A
	if _, sensor := s.recall(memoFlowSensor, TagDevice); sensor {
		tap = tap && flowOK && flow > 0
	}
	d.setNum(s, TagDevice, "tapwateractive", boolNum(tap))
}

// burnerEnergy integrates what the burner delivered into nrgheat, dhw.nrg
// and nrgtotal (0.01 kWh), as EMS-ESP does for a boiler without a heat
// pump: the modulation since the last monitor telegram, split into heating
// and dhw by their activity then, times the nominal power and the time
// since. Without a nominal power (nompower 0) nothing accumulates. The sums
// start at 0, or where an earlier run left them (RestoreEnergy).
func burnerEnergy(d *Device, s *State, _ *telegram.Telegram, _ Tag) {
	slots, v := d.energy, s.Values
	if slots == nil || !v[slots.heating].Set || s.now.IsZero() {
		return
	}
	e, now := &s.energy, s.now.UnixMilli()
	if e.at > 0 && now > e.at && e.heatPower+e.dhwPower > 0 {
		nominal := v[slots.nominal].Num
		e.Heat += e.heatPower * nominal * (now - e.at)
		e.DHW += e.dhwPower * nominal * (now - e.at)
		d.showEnergy(s)
	}
	power, heating, tap := v[slots.power].Num, v[slots.heating].Num, v[slots.tap].Num
	if !v[slots.power].Set {
		power = 0
	}
	e.heatPower, e.dhwPower, e.at = power*heating*(1-tap), power*tap, now
}

// Energy is what a boiler's burner has delivered since emsd began counting,
// in % × kW × ms (3,600,000 make 0.01 kWh), for heating and for dhw.
type Energy struct {
	Heat, DHW int64
}

// Energy returns what the device has integrated; ok is false for devices
// that do not integrate energy.
func (d *Device) Energy(s *State) (e Energy, ok bool) {
	return s.energy.Energy, d.energy != nil
}

// RestoreEnergy continues from energy integrated before (by an earlier run
// of emsd), shown at once in nrgheat, dhw.nrg and nrgtotal.
func (d *Device) RestoreEnergy(s *State, e Energy) {
	if d.energy == nil {
		return
	}
	s.energy.Energy = e
	d.showEnergy(s)
}

func (d *Device) showEnergy(s *State) {
	const perHundredthKWh = 3_600_000
	e, v, slots := s.energy.Energy, s.Values, d.energy
	v[slots.heat] = Value{Num: (e.Heat + perHundredthKWh/2) / perHundredthKWh, Set: true}
	v[slots.dhw] = Value{Num: (e.DHW + perHundredthKWh/2) / perHundredthKWh, Set: true}
	v[slots.total] = Value{Num: (e.Heat + e.DHW + perHundredthKWh/2) / perHundredthKWh, Set: true}
}

// ubaErrorLog renders the first record of UBAErrorMessage1/2: code @0-1,
// number @2-3, year @4, month @5, hour @6, day @7, minute @8, duration @9-10.
// The newest entry of both telegrams wins.
func ubaErrorLog(d *Device, s *State, t *telegram.Telegram, _ Tag) {
	if !t.Covers(0, 11) || t.Offset != 0 {
		return
	}
	code := string([]byte{t.At(0), t.At(1)})
	number := int(t.At(2))<<8 | int(t.At(3))
	year, month, hour, day, minute := 2000+int(t.At(4)&0x7F), int(t.At(5)), int(t.At(6)), int(t.At(7)), int(t.At(8))
	duration := int(t.At(9))<<8 | int(t.At(10))
	last, seen := s.recall(memoLastCode, TagDevice)
	if day == 0 || day > 31 || month == 0 || month > 12 || !printable(code) {
		if !seen && printable(code) {
			d.setText(s, TagDevice, "lastcode", fmt.Sprintf("%s(%d)", code, number))
			s.remember(memoLastCode, TagDevice, memoNoLastCode)
		}
		return
	}
	date := minutes2000(year, month, day, hour, minute) + int64(duration)
	if date > last {
		s.remember(memoLastCode, TagDevice, date)
		d.setText(s, TagDevice, "lastcode", fmt.Sprintf("%s(%d) %02d.%02d.%d %02d:%02d (%d min)",
			code, number, day, month, year, hour, minute, duration))
	}
}

// ubaErrorLogPlus renders the EMS+ error log 0xC2 (shift 0) or 0xC6
// (shift 1): code @5-7, number @8-9, start @10-14 and end @15-19, each
// year, month, hour, day, minute with bit 7 of the year marking a valid
// date. Without a clock the boiler stores uptime minutes @11 and @16.
func ubaErrorLogPlus(shift int) specialFunc {
	return func(d *Device, s *State, t *telegram.Telegram, _ Tag) {
		at := func(i int) int { return int(t.At(i + shift)) }
		if t.Offset != 0 || !t.Covers(0, 20+shift) {
			return
		}
		code := string([]byte{byte(at(5)), byte(at(6)), byte(at(7))})
		if !printable(code) {
			return
		}
		number := at(8)<<8 | at(9)
		var text string
		var date int64
		if at(10)&0x80 != 0 {
			sy, sm, sh, sd, smin := 2000+at(10)&0x7F, at(11), at(12), at(13), at(14)
			start := fmt.Sprintf("%s(%d) %02d.%02d.%04d %02d:%02d", code, number, sd, sm, sy, sh, smin)
			if at(15)&0x80 != 0 {
				ey, em, eh, ed, emin := 2000+at(15)&0x7F, at(16), at(17), at(18), at(19)
				date = minutes2000(ey, em, ed, eh, emin)
				text = fmt.Sprintf("%s - %02d.%02d.%04d %02d:%02d", start, ed, em, ey, eh, emin)
			} else {
				date = minutes2000(sy, sm, sd, sh, smin)
				text = start + " - now"
			}
		} else {
			startMin, endMin := at(11)<<16|at(12)<<8|at(13), at(16)<<16|at(17)<<8|at(18)
			date = int64(startMin)
			text = fmt.Sprintf("%s(%d) @uptime %d - %d min", code, number, startMin, endMin)
		}
		if last, _ := s.recall(memoLastCode, TagDevice); date > last {
			s.remember(memoLastCode, TagDevice, date)
			d.setText(s, TagDevice, "lastcode", text)
		}
	}
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7E {
			return false
		}
	}
	return true
}

// maintenanceDate is UBAMaintenanceData @2 day, @3 month, @4 year - 2000.
func maintenanceDate(d *Device, s *State, t *telegram.Telegram, _ Tag) {
	if !t.Covers(2, 3) || t.At(2) == 0 || t.At(3) == 0 {
		return
	}
	d.setText(s, TagDevice, "maintenancedate", fmt.Sprintf("%02d.%02d.%04d", t.At(2), t.At(3), 2000+int(t.At(4))))
}

// maintenanceMessage is UBAMaintenanceStatus @5 shown as "H<nn>".
func maintenanceMessage(d *Device, s *State, t *telegram.Telegram, _ Tag) {
	if t.Covers(5, 1) && t.At(5) != 0xFF {
		d.setText(s, TagDevice, "maintenancemessage", fmt.Sprintf("H%02d", t.At(5)))
	}
}

// nominalPower takes UBAFactory @4 (kW) unless one is set already. The
// telegram must reach @7.
func nominalPower(d *Device, s *State, t *telegram.Telegram, _ Tag) {
	if !t.Covers(4, 4) || t.At(4) == 0 || t.At(4) == 0xFF {
		return
	}
	if v := d.value(s, TagDevice, "nompower"); v != nil && v.Num == 0 {
		*v = Value{Num: int64(t.At(4)), Set: true}
	}
}

// exhaustPlus is UBAMonitorFastPlus @31: a valid reading is kept, an
// invalid one leaves the last value standing.
func exhaustPlus(d *Device, s *State, t *telegram.Telegram, _ Tag) {
	if !t.Covers(31, 2) {
		return
	}
	if v := int64(t.At(31))<<8 | int64(t.At(32)); v < 32000 {
		d.setNum(s, TagDevice, "exhausttemp", v)
		s.remember(memoExhaustPlus, TagDevice, 1)
	}
}

// exhaustFallback takes UBAMonitorSlowPlus @6 for boilers whose 0xE4 has
// never given an exhaust temperature.
func exhaustFallback(d *Device, s *State, t *telegram.Telegram, _ Tag) {
	if _, ok := s.recall(memoExhaustPlus, TagDevice); ok || !t.Covers(6, 2) {
		return
	}
	if v := int64(t.At(6))<<8 | int64(t.At(7)); v < 32000 {
		d.setNum(s, TagDevice, "exhausttemp", v)
	} else {
		d.clear(s, TagDevice, "exhausttemp")
	}
}

// dhwComfortPlus is UBAParameterWWPlus @26 (the option index) or, where
// that byte is not set, @13 (0x00 high comfort, 0xD8 eco).
func dhwComfortPlus(d *Device, s *State, t *telegram.Telegram, _ Tag) {
	switch {
	case t.Covers(26, 1) && t.At(26) != 0xFF:
		if t.At(26) < 2 {
			d.setNum(s, TagDHW, "comfort1", int64(t.At(26)))
		} else {
			d.clear(s, TagDHW, "comfort1")
		}
	case t.Covers(13, 1):
		switch t.At(13) {
		case 0x00:
			d.setNum(s, TagDHW, "comfort1", 0)
		case 0xD8:
			d.setNum(s, TagDHW, "comfort1", 1)
		default:
			d.clear(s, TagDHW, "comfort1")
		}
	}
}

// dateTime is RCTime: @0 year - 2000, @1 month, @2 hour, @3 day, @4 minute;
// either of @7 bits 2-3 set means the clock is not valid.
func dateTime(d *Device, s *State, t *telegram.Telegram, _ Tag) {
	if !t.Covers(0, 8) || t.At(7)&0x0C != 0 {
		return
	}
	d.setText(s, TagDevice, "datetime", fmt.Sprintf("%02d.%02d.%04d %02d:%02d",
		t.At(3), t.At(1), 2000+int(t.At(0)&0x7F), t.At(2), t.At(4)))
}

// rcErrorCode is RCError: three characters @0-2 and a number @3-4, "A22(816)".
func rcErrorCode(d *Device, s *State, t *telegram.Telegram, _ Tag) {
	if !t.Covers(0, 5) {
		return
	}
	code := string([]byte{t.At(0), t.At(1), t.At(2)})
	if !printable(code) {
		return
	}
	d.setText(s, TagDevice, "errorcode", fmt.Sprintf("%s(%d)", code, int(t.At(3))<<8|int(t.At(4))))
}

// rcErrorLog is the thermostat's log 0x12/0x13, laid out as the boiler's;
// only entries with a valid date (@4 bit 7) count, the newest wins.
func rcErrorLog(d *Device, s *State, t *telegram.Telegram, _ Tag) {
	if t.Offset != 0 || !t.Covers(0, 11) || t.At(4)&0x80 == 0 {
		return
	}
	code := string([]byte{t.At(0), t.At(1)})
	number := int(t.At(2))<<8 | int(t.At(3))
	year, month, hour, day, minute := 2000+int(t.At(4)&0x7F), int(t.At(5)), int(t.At(6)), int(t.At(7)), int(t.At(8))
	duration := int(t.At(9))<<8 | int(t.At(10))
	date := minutes2000(year, month, day, hour, minute)
	if last, _ := s.recall(memoRCLastCode, TagDevice); date > last {
		s.remember(memoRCLastCode, TagDevice, date)
		d.setText(s, TagDevice, "lastcode", fmt.Sprintf("%s(%d) %02d.%02d.%d %02d:%02d (%d min)",
			code, number, day, month, year, hour, minute, duration))
	}
}

// rc300ErrorLog is 0xC0: code @5-7, number @8-9, start @10-14, end @15-19
// (year, month, hour, day, minute); year 2000 means no clock, and then
// @11-13 count minutes.
func rc300ErrorLog(d *Device, s *State, t *telegram.Telegram, _ Tag) {
	if t.Offset != 0 || !t.Covers(0, 20) {
		return
	}
	at := func(i int) int { return int(t.At(i)) }
	code := string([]byte{t.At(5), t.At(6), t.At(7)})
	if !printable(code) {
		return
	}
	number := at(8)<<8 | at(9)
	year, year1 := 2000+at(10)&0x7F, 2000+at(15)&0x7F
	var text string
	switch {
	case year == 2000:
		text = fmt.Sprintf("%s(%d) %d min", code, number, at(11)<<16|at(12)<<8|at(13))
	case year1 == 2000:
		text = fmt.Sprintf("%s(%d) %02d.%02d.%d %02d:%02d", code, number, at(13), at(11), year, at(12), at(14))
	default:
		text = fmt.Sprintf("%s(%d) %02d.%02d.%d %02d:%02d-%02d.%02d.%d %02d:%02d", code, number,
			at(13), at(11), year, at(12), at(14), at(18), at(16), year1, at(17), at(19))
	}
	d.setText(s, TagDevice, "lastcode", text)
}

// vacationDates is a holiday telegram: start day, month, year @0-2 (stored
// as @2.@1.@0) and end @3-5, shown "dd.mm.yyyy-dd.mm.yyyy".
func vacationDates(d *Device, s *State, t *telegram.Telegram, _ Tag) {
	if t.Offset != 0 || !t.Covers(0, 6) {
		return
	}
	d.setText(s, TagDevice, "vacations", fmt.Sprintf("%02d.%02d.%04d-%02d.%02d.%04d",
		t.At(2), t.At(1), 2000+int(t.At(0)), t.At(5), t.At(4), 2000+int(t.At(3))))
}

// rc300Season reads the status byte RC300Monitor @2, kept per circuit.
// Boilers report summer in bit 4, heat pumps in bit 6. Heat-pump systems
// (bit 0 clear, once RC300Summer2 has been seen) report an operating state
// @20 instead.
func rc300Season(d *Device, s *State, t *telegram.Telegram, hc Tag) {
	if t.Covers(2, 1) {
		s.remember(memoStatusByte, hc, int64(t.At(2)))
	}
	status, ok := s.recall(memoStatusByte, hc)
	if !ok {
		return
	}
	summer2 := d.byType[0x0471+uint16(hc-TagHC1)]
	if status&1 != 0 || summer2 == nil || !s.Received[summer2.index] {
		d.setNum(s, hc, "summermode", boolNum(status&0x50 != 0))
		d.clear(s, hc, "hpoperatingstate")
		return
	}
	d.clear(s, hc, "summermode")
	if t.Covers(20, 1) {
		if b := t.At(20); b >= 1 && b <= 3 {
			d.setNum(s, hc, "hpoperatingstate", int64(b)-1)
		} else {
			d.clear(s, hc, "hpoperatingstate")
		}
	}
}

// haClimate is EMS-ESP's Home Assistant hint: which temperature a climate
// card should show, the room's own (1) when there is a sensor, else the setpoint (0).
func haClimate(d *Device, s *State, _ *telegram.Telegram, hc Tag) {
	switch _, sel := d.num(s, hc, "seltemp"); {
	case !sel:
		d.clear(s, hc, "haclimate")
	default:
		_, room := d.num(s, hc, "currtemp")
		d.setNum(s, hc, "haclimate", boolNum(room))
	}
}

// tempAutoTemp is RC300Set @8 in half degrees; 0xFF (inactive) shows as -1 °C.
func tempAutoTemp(d *Device, s *State, t *telegram.Telegram, hc Tag) {
	if !t.Covers(8, 1) {
		return
	}
	v := int64(int8(t.At(8)))
	if t.At(8) == 0xFF {
		v = -2
	}
	if t.At(8) == 0x7F {
		d.clear(s, hc, "tempautotemp")
		return
	}
	d.setNum(s, hc, "tempautotemp", v)
}

// floor reports whether the circuit heats a floor, and whether that is known.
func floor(d *Device, s *State, hc Tag) (isFloor, known bool) {
	v, ok := d.num(s, hc, heatingTypeEntity)
	return ok && v == floorHeating, ok
}

// setU8 sets a circuit entity from one byte, 0xFF being no value.
func setU8(d *Device, s *State, t *telegram.Telegram, hc Tag, short string, off int) {
	if !t.Covers(off, 1) {
		return
	}
	if b := t.At(off); b != 0xFF {
		d.setNum(s, hc, short, int64(b))
	} else {
		d.clear(s, hc, short)
	}
}

// rc300Summer holds RC300Summer's conditional fields: the summer
// threshold @6 and mode @7 live in RC300Summer2 once that has been seen;
// floor heating keeps its design temperature @5 instead of @4; BC400
// radiators keep the minimum flow temperature @13 instead of @8.
func rc300Summer(d *Device, s *State, t *telegram.Telegram, hc Tag) {
	if summer2 := d.byType[0x0471+uint16(hc-TagHC1)]; summer2 == nil || !s.Received[summer2.index] {
		setU8(d, s, t, hc, "summertemp", 6)
		if t.Covers(7, 1) && t.At(7) < 3 {
			d.setNum(s, hc, "summersetmode", int64(t.At(7)))
		}
	}
	isFloor, _ := floor(d, s, hc)
	switch {
	case isFloor:
		setU8(d, s, t, hc, "designtemp", 5)
		setU8(d, s, t, hc, "minflowtemp", 8)
	case d.Product.Flags.Model() == ModelBC400:
		setU8(d, s, t, hc, "designtemp", 4)
		setU8(d, s, t, hc, "minflowtemp", 13)
	default:
		setU8(d, s, t, hc, "designtemp", 4)
		setU8(d, s, t, hc, "minflowtemp", 8)
	}
}

// rc300Summer2's @0 is the summer mode on boiler systems (monitor status
// bit 0 set) and the heat pump's operating mode otherwise.
func rc300Summer2(d *Device, s *State, t *telegram.Telegram, hc Tag) {
	if !t.Covers(0, 1) {
		return
	}
	status, _ := s.recall(memoStatusByte, hc)
	mode, other := "hpoperatingmode", "summersetmode"
	limit := byte(4)
	if status&1 != 0 {
		mode, other, limit = "summersetmode", "hpoperatingmode", 3
	}
	if b := t.At(0); b < limit {
		d.setNum(s, hc, mode, int64(b))
	} else {
		d.clear(s, hc, mode)
	}
	d.clear(s, hc, other)
}

// curveMaxFlow is RC300Curves @8 for radiators and convectors, @7 for
// floors (and while the heating type is unknown).
func curveMaxFlow(d *Device, s *State, t *telegram.Telegram, hc Tag) {
	if v, ok := d.num(s, hc, heatingTypeEntity); ok && v < floorHeating {
		setU8(d, s, t, hc, "maxflowtemp", 8)
	} else {
		setU8(d, s, t, hc, "maxflowtemp", 7)
	}
}

// integralTimes: RC300Set2 @0 is the floor's integral time (10 min steps),
// @1 the radiators' (minutes); each is read only for its heating type.
func integralTimes(d *Device, s *State, t *telegram.Telegram, hc Tag) {
	switch isFloor, known := floor(d, s, hc); {
	case isFloor:
		setU8(d, s, t, hc, "inttimefloor", 0)
	case known:
		setU8(d, s, t, hc, "inttime", 1)
	}
}

// layoutFor picks the table that describes a product.
func layoutFor(p Product) *layout {
	if t := loadLibrary().byProduct[layoutKey{p.Type, p.ID}]; t != nil {
		return t.layout()
	}
	return nil
}
