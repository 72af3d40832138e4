package devices

import (
	"fmt"

	"github.com/emsd/emsd/internal/telegram"
)

// specialFunc is a named special case: a value a plain field cannot express.
// hc is the heating circuit the telegram belongs to (0 for device level).
type specialFunc func(d *Device, s *State, t *telegram.Telegram, hc Tag)

var specials = map[string]specialFunc{
	"boilerState":        boilerState,
	"ubaErrorLog":        ubaErrorLog,
	"maintenanceDate":    maintenanceDate,
	"maintenanceMessage": maintenanceMessage,
	"nominalPower":       nominalPower,
	"dateTime":           dateTime,
	"rcErrorCode":        rcErrorCode,
	"rc300Season":        rc300Season,
	"haClimate":          haClimate,
}

// Facts a special case learns once and keeps (State.sticky).
const stickyFlowSensor = 1 << iota // the dhw flow sensor has reported a flow

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

func (d *Device) setText(s *State, tag Tag, short, text string) {
	if v := d.value(s, tag, short); v != nil && (!v.Set || v.Str != text) {
		*v = Value{Str: text, Set: true}
	}
}

func boolNum(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// boilerState derives heating and tap water activity from UBAMonitorFast @5
// (bit 0 heat, 1 dhw, 3 flame). Once a flow-type dhw has reported a flow,
// tap water counts as active only while water flows.
func boilerState(d *Device, s *State, t *telegram.Telegram, _ Tag) {
	if !t.Covers(5, 1) {
		return
	}
	state := t.At(5)
	d.setNum(s, TagDevice, "heatingactive", boolNum(state&0x09 == 0x09))
	flow := d.value(s, TagDHW, "curflow")
	kind := d.value(s, TagDHW, "type")
	flowing := flow != nil && flow.Set && flow.Num > 0
	if flowing && kind != nil && kind.Set && kind.Num == 1 {
		s.sticky |= stickyFlowSensor
	}
	tap := state&0x0A == 0x0A
	if s.sticky&stickyFlowSensor != 0 {
		tap = tap && flowing
	}
	d.setNum(s, TagDevice, "tapwateractive", boolNum(tap))
}

// ubaErrorLog renders the first record of the boiler's error log:
// code @0-1, number @2-3, year @4, month @5, hour @6, day @7, minute @8,
// duration in minutes @9-10.
func ubaErrorLog(d *Device, s *State, t *telegram.Telegram, _ Tag) {
	if !t.Covers(0, 11) {
		return
	}
	code := string([]byte{t.At(0), t.At(1)})
	if !printable(code) {
		return
	}
	number := int(t.At(2))<<8 | int(t.At(3))
	year, month, hour, day, minute := 2000+int(t.At(4)&0x7F), int(t.At(5)), int(t.At(6)), int(t.At(7)), int(t.At(8))
	if day == 0 || day > 31 || month == 0 || month > 12 {
		return
	}
	duration := int(t.At(9))<<8 | int(t.At(10))
	d.setText(s, TagDevice, "lastcode", fmt.Sprintf("%s(%d) %02d.%02d.%d %02d:%02d (%d min)",
		code, number, day, month, year, hour, minute, duration))
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
	if !t.Covers(2, 3) {
		return
	}
	d.setText(s, TagDevice, "maintenancedate", fmt.Sprintf("%02d.%02d.%04d", t.At(2), t.At(3), 2000+int(t.At(4))))
}

// maintenanceMessage is UBAMaintenanceStatus @5 shown as "H<nn>".
func maintenanceMessage(d *Device, s *State, t *telegram.Telegram, _ Tag) {
	if t.Covers(5, 1) {
		d.setText(s, TagDevice, "maintenancemessage", fmt.Sprintf("H%02d", t.At(5)))
	}
}

// nominalPower takes UBAFactory @4 (kW) unless the operator has set one.
func nominalPower(d *Device, s *State, t *telegram.Telegram, _ Tag) {
	if !t.Covers(4, 1) || t.At(4) == 0 || t.At(4) == 0xFF {
		return
	}
	if v := d.value(s, TagDevice, "nompower"); v != nil && v.Num == 0 {
		*v = Value{Num: int64(t.At(4)), Set: true}
	}
}

// dateTime is RCTime: @0 year - 2000, @1 month, @2 hour, @3 day, @4 minute;
// @7 bits 2-3 set mean the clock is not valid.
func dateTime(d *Device, s *State, t *telegram.Telegram, _ Tag) {
	if !t.Covers(0, 8) || t.At(7)&0x0C == 0x0C {
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

// rc300Season reads the status byte @2 of RC300Monitor. Boilers report
// summer in bit 4, heat pumps in bit 6. Heat-pump systems (bit 0 clear once
// RC300Summer2 has been seen) report an operating state @20 instead.
func rc300Season(d *Device, s *State, t *telegram.Telegram, hc Tag) {
	if !t.Covers(2, 1) {
		return
	}
	status := t.At(2)
	summer2 := d.byType[0x0471+uint16(hc-TagHC1)]
	mode, state := d.value(s, hc, "summermode"), d.value(s, hc, "hpoperatingstate")
	if status&1 != 0 || summer2 == nil || !s.Received[summer2.index] {
		if mode != nil {
			*mode = Value{Num: boolNum(status&0x50 != 0), Set: true}
		}
		if state != nil {
			*state = Value{}
		}
		return
	}
	if mode != nil {
		*mode = Value{}
	}
	if state != nil && t.Covers(20, 1) && t.At(20) >= 1 && t.At(20) != 0xFF {
		*state = Value{Num: int64(t.At(20)) - 1, Set: true}
	}
}

// haClimate is EMS-ESP's Home Assistant hint: which temperature a climate
// card should show, the room's own (1) when there is a sensor, else the setpoint (0).
func haClimate(d *Device, s *State, _ *telegram.Telegram, hc Tag) {
	v := d.value(s, hc, "haclimate")
	if v == nil {
		return
	}
	sel, room := d.value(s, hc, "seltemp"), d.value(s, hc, "currtemp")
	switch {
	case sel == nil || !sel.Set:
		*v = Value{}
	case room != nil && room.Set:
		*v = Value{Num: 1, Set: true}
	default:
		*v = Value{Num: 0, Set: true}
	}
}

// layoutFor picks the table that describes a product.
func layoutFor(p Product) *layout {
	switch p.Type {
	case Boiler:
		if p.Flags.Model() != ModelHeatPump && p.Flags.Model() != ModelCS6800 {
			return layouts["boiler"]
		}
	case Thermostat:
		switch p.Flags.Model() {
		case ModelRC300, ModelRC100, ModelBC400, ModelR3000, ModelCR120, ModelHMC310:
			return layouts["rc300"]
		}
	}
	return nil
}
