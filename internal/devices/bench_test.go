package devices

import (
	"testing"
	"time"

	"github.com/emsd/emsd/internal/telegram"
)

// BenchmarkDecode decodes one UBAMonitorFast telegram (25 data bytes, 22
// fields, the boiler-state and energy specials) into a device's state, a
// second after the previous one.
func BenchmarkDecode(b *testing.B) {
	p, _ := Identify(0x08, 123, "01.00")
	d := NewDevice(0x08, p, "01.00", "")
	s := d.NewState()
	tg := telegram.Telegram{Src: 0x08, Type: 0x18, Data: []byte{0x00, 0x02, 0x5A, 0x73, 0x3D, 0x0A, 0x10, 0x65, 0x40,
		0x02, 0x1A, 0x80, 0x00, 0x01, 0xE1, 0x01, 0x76, 0x0E, 0x3D, 0x48, 0x00, 0xC9, 0x44, 0x02, 0x00}}
	now := testTime
	b.ReportAllocs()
	for b.Loop() {
		now = now.Add(time.Second)
		d.Decode(&s, &tg, now)
	}
}

// BenchmarkDecodeMonitor decodes an RC300 monitor telegram of hc1.
func BenchmarkDecodeMonitor(b *testing.B) {
	p, _ := Identify(0x10, 158, "19.03")
	d := NewDevice(0x10, p, "19.03", "")
	s := d.NewState()
	tg := telegram.Telegram{Src: 0x10, Type: 0x02A5, Data: []byte{0x00, 0xD3, 0x21, 0x22, 0x00, 0x00, 0x22, 0x27, 0x00,
		0xEF, 0x01, 0x01, 0x03, 0x00, 0xEF, 0x01, 0x4B, 0x00, 0x00, 0x11, 0x01, 0x04, 0x08, 0x42, 0x00}}
	b.ReportAllocs()
	for b.Loop() {
		d.Decode(&s, &tg, testTime)
	}
}
