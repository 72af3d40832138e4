package devices

import "github.com/emsd/emsd/internal/telegram"

func init() {
	registerSpecials(map[string]specialFunc{
		"ipmStatus": ipmStatus,
	})
}

// ipmStatus decodes IPMStatusMessage (0x010C). @0 is the circuit's kind:
// 0 off (nothing is decoded), 1 unmixed, 2 mixed. Only a mixed circuit
// reports its valve @2 and flow temperature @3-4; every active circuit
// reports its pump (@1 bit 0) and flow setpoint @5. A telegram that does
// not hold @0 says nothing.
func ipmStatus(d *Device, s *State, t *telegram.Telegram, hc Tag) {
	if !t.Covers(0, 1) || t.At(0) == 0 {
		return
	}
	if t.At(0) == 2 {
		setU8(d, s, t, hc, "valvestatus", 2)
		if t.Covers(3, 2) {
			if v := int64(t.At(3))<<8 | int64(t.At(4)); v < 32000 {
				d.setNum(s, hc, "flowtemphc", v)
			} else {
				d.clear(s, hc, "flowtemphc")
			}
		}
	}
	if t.Covers(1, 1) {
		d.setNum(s, hc, "pumpstatus", int64(t.At(1)&1))
	}
	setU8(d, s, t, hc, "flowsettemp", 5)
}
