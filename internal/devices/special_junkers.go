package devices

import (
	"fmt"

	"github.com/emsd/emsd/internal/telegram"
)

// Special cases of the Junkers thermostats (thermostat-junkers*.tbl).
func init() {
	registerSpecials(map[string]specialFunc{
		"junkersRoomTemp":    junkersRoomTemp,
		"junkersSetMixer":    junkersSetMixer,
		"junkersOldDateTime": junkersOldDateTime,
	})
}

// junkersRoomTemp is JunkersMonitor's room temperature, an s16 in tenths:
// @6 when a remote controls the circuit (control FB10 or FB100), else @4.
func junkersRoomTemp(d *Device, s *State, t *telegram.Telegram, hc Tag) {
	off := 4
	if c, ok := d.num(s, hc, "control"); ok && (c == 1 || c == 2) {
		off = 6
	}
	if !t.Covers(off, 2) {
		return
	}
	if v := int64(int16(uint16(t.At(off))<<8 | uint16(t.At(off+1)))); v > -32000 && v < 32000 {
		d.setNum(s, hc, "currtemp", v)
	} else {
		d.clear(s, hc, "currtemp")
	}
}

// junkersSetMixer is the thermostat's command to a mixer: @0 is the
// circuit's target flow temperature. The circuit is the receiver's bus ID
// minus 0x20 (0x21 is hc1) and must exist already.
func junkersSetMixer(d *Device, s *State, t *telegram.Telegram, _ Tag) {
	if t.Dest <= 0x20 || t.Dest > 0x27 {
		return
	}
	hc := TagHC1 + Tag(t.Dest-0x21)
	if s.HasCircuit(hc) {
		setU8(d, s, t, hc, "targetflowtemp", 0)
	}
}

// junkersOldDateTime is RCTime as the older Junkers send it: the same
// layout as dateTime, but their clock cannot be set, so the date is shown
// even when @7 flags it as not valid.
func junkersOldDateTime(d *Device, s *State, t *telegram.Telegram, _ Tag) {
	if t.Offset != 0 || !t.Covers(0, 8) {
		return
	}
	d.setText(s, TagDevice, "datetime", fmt.Sprintf("%02d.%02d.%04d %02d:%02d",
		t.At(3), t.At(1), 2000+int(t.At(0)&0x7F), t.At(2), t.At(4)))
}
