package devices

import "github.com/emsd/emsd/internal/telegram"

func init() {
	registerSpecials(map[string]specialFunc{"poolShuntStatus": poolShuntStatus})
}

// memoPoolShunt is HpPoolStatus @2, the shunt's raw movement state.
const memoPoolShunt = "pool shunt state"

// poolShuntStatus is HpPoolStatus @2 (stopped, opening, closing), unless
// the shunt position @3 (kept from earlier telegrams too) says it is fully
// open (100 %: "open") or fully closed (0 %: "close").
func poolShuntStatus(d *Device, s *State, t *telegram.Telegram, _ Tag) {
	if t.Covers(2, 1) {
		s.remember(memoPoolShunt, TagDevice, int64(t.At(2)))
	}
	status, ok := s.recall(memoPoolShunt, TagDevice)
	switch shunt, set := d.num(s, TagDevice, "poolshunt"); {
	case set && shunt == 100:
		status, ok = 3, true
	case set && shunt == 0:
		status, ok = 4, true
	}
	if ok && status < 5 {
		d.setNum(s, TagDevice, "poolshuntstatus", status)
	} else {
		d.clear(s, TagDevice, "poolshuntstatus")
	}
}
