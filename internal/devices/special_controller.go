package devices

import (
	"fmt"

	"github.com/emsd/emsd/internal/telegram"
)

func init() {
	registerSpecials(map[string]specialFunc{"ivtDateTime": ivtDateTime})
}

// ivtDateTime is the clock an IVT controller broadcasts in RCTime: @0 year
// - 2000 (bit 7 masked), @1 month counted from 1 too high, @2 hour, @3 day,
// @4 minute. Only whole telegrams from @0 with at least 5 bytes count; no
// validity bits are checked.
func ivtDateTime(d *Device, s *State, t *telegram.Telegram, _ Tag) {
	if t.Offset != 0 || len(t.Data) < 5 {
		return
	}
	d.setText(s, TagDevice, "datetime", fmt.Sprintf("%02d.%02d.%04d %02d:%02d",
		t.At(3), int(t.At(1))-1, 2000+int(t.At(0)&0x7F), t.At(2), t.At(4)))
}
