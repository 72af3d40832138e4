package devices

import (
	"fmt"
	"math"
	"strings"

	"github.com/emsd/emsd/internal/telegram"
)

func init() {
	registerSpecials(map[string]specialFunc{
		"connectDateTime": connectDateTime,
		"roomDewPoint":    roomDewPoint,
		"roomName":        roomName,
	})
}

// connectDateTime is RCTime as the RF base reads it: only telegrams from @0
// with at least 10 bytes; @0 year - 2000, @1 month, @2 hour, @3 day,
// @4 minute, no validity bits checked.
func connectDateTime(d *Device, s *State, t *telegram.Telegram, _ Tag) {
	if t.Offset != 0 || len(t.Data) < 10 {
		return
	}
	d.setText(s, TagDevice, "datetime", fmt.Sprintf("%02d.%02d.%04d %02d:%02d",
		t.At(3), t.At(1), 2000+int(t.At(0)), t.At(2), t.At(4)))
}

// roomDewPoint derives the room's dew point (in 0.1 °C, truncated) from its
// temperature and relative humidity with the Magnus formula (k2 = 17.62,
// k3 = 243.12 °C). Without both readings, or at 0 % humidity, there is none.
func roomDewPoint(d *Device, s *State, _ *telegram.Telegram, _ Tag) {
	const k2, k3 = 17.62, 243.12
	const tag = TagSRC1
	temp, tok := d.num(s, tag, "currtemp")
	hum, hok := d.num(s, tag, "airhumidity")
	if !tok || !hok || hum <= 0 {
		d.clear(s, tag, "dewtemperature")
		return
	}
	t, h := float64(float32(temp)/10), math.Log(float64(float32(hum)/100))
	dt := 10 * k3 * (k2*t/(k3+t) + h) / (k2*k3/(k3+t) - h)
	if math.IsNaN(dt) || math.Abs(dt) >= 32000 {
		d.clear(s, tag, "dewtemperature")
		return
	}
	d.setNum(s, tag, "dewtemperature", int64(dt))
}

// memoRoomName holds the room's 50-byte name buffer, 8 bytes per word.
const (
	memoRoomName  = "room name"
	roomNameBytes = 50
)

// roomName is Roomname from @2 on: each even offset i holds name character
// (i-2)/2 as Latin-1 (the odd bytes are zero), up to offset 98. Fragments
// update the buffer kept between telegrams; the name ends at the first
// control character.
func roomName(d *Device, s *State, t *telegram.Telegram, _ Tag) {
	const tag = TagSRC1
	var name [roomNameBytes]byte
	for i := range name {
		w, _ := s.recall(memoRoomName, Tag(i/8))
		name[i] = byte(w >> (8 * (i % 8)))
	}
	for i := int(t.Offset); i < int(t.Offset)+len(t.Data) && i < 100; i++ {
		if i > 1 && i%2 == 0 {
			name[(i-2)/2] = t.At(i)
		}
	}
	for w := 0; w*8 < roomNameBytes; w++ {
		var v int64
		for k := 0; k < 8 && w*8+k < roomNameBytes; k++ {
			v |= int64(name[w*8+k]) << (8 * k)
		}
		s.remember(memoRoomName, Tag(w), v)
	}
	var b strings.Builder
	for _, c := range name {
		if c < 0x20 || c == 0x7F {
			break
		}
		b.WriteRune(rune(c)) // Latin-1 is the first 256 code points
	}
	if b.Len() == 0 {
		d.clear(s, tag, "name")
		return
	}
	d.setText(s, tag, "name", b.String())
}
