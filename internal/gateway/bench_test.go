package gateway

import (
	"testing"

	"github.com/emsd/emsd/internal/store"
	"github.com/emsd/emsd/internal/telegram"
)

// BenchmarkFrame is the whole receive path of one telegram: parse, route,
// decode into the store under its lock.
func BenchmarkFrame(b *testing.B) {
	g := New(Options{}, store.New())
	frame := func(src, dest byte, typ uint16, data ...byte) []byte {
		return telegram.Append(nil, telegram.Telegram{Src: src, Dest: dest, Type: typ, Data: data})
	}
	g.Frame(frame(0x08, 0x0B, 0x02, 123, 1, 0))
	fast := frame(0x08, 0x00, 0x18, 0x00, 0x02, 0x5A, 0x73, 0x3D, 0x0A, 0x10, 0x65, 0x40, 0x02, 0x1A, 0x80, 0x00,
		0x01, 0xE1, 0x01, 0x76, 0x0E, 0x3D, 0x48, 0x00, 0xC9, 0x44, 0x02, 0x00)
	b.ReportAllocs()
	for b.Loop() {
		g.Frame(fast)
	}
}
