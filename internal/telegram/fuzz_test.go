package telegram

import (
	"bytes"
	"testing"
)

// FuzzParse: any byte string parses or is rejected with an error, never a
// panic; whatever parses is rebuilt by Append into a frame that parses the same.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"0B 88 07 00 1B 93", "0B 90 FF 00 19 01 A5 FD", "0B 10 FF 08 01 B9 77 EF",
		"90 48 FF 04 01 A6 5C", "C8 90 F7 02 01 FF 01 A6 BA", "90 00 FF 19 01 A5 01 04 00 00 00 00 FF 64 2A 00 3C 01 FF 92",
	} {
		f.Add(mustHex(f, s))
	}
	f.Fuzz(func(t *testing.T, frame []byte) {
		tg, err := Parse(frame)
		if err != nil {
			return
		}
		if !tg.Read && tg.Type == 0xFF {
			return // an empty EMS 1.0 reply to an EMS+ request cannot be rebuilt as EMS+
		}
		again, err := Parse(Append(nil, tg))
		if err != nil {
			t.Fatalf("rebuilt frame of %v does not parse: %v", tg, err)
		}
		if again.Type != tg.Type || again.Src != tg.Src || again.Dest != tg.Dest || again.Offset != tg.Offset ||
			again.Read != tg.Read || !bytes.Equal(again.Data, tg.Data) {
			t.Fatalf("round trip changed %v into %v", tg, again)
		}
	})
}

// FuzzFramer: the framer never panics and never emits a telegram frame
// outside the protocol's lengths, however the stream is split.
func FuzzFramer(f *testing.F) {
	f.Add(AppendFrame(nil, mustHex(f, "0B 88 07 00 1B 93")), uint8(3))
	f.Add([]byte{0xFF, 0xFF, 0xFF, 0x00, 0x00, 0xFF, 0x00, 0x12, 0x8B, 0xFF, 0x00, 0x00}, uint8(1))
	f.Fuzz(func(t *testing.T, stream []byte, chunk uint8) {
		var fr Framer
		step := int(chunk%16) + 1
		for i := 0; i < len(stream); i += step {
			fr.Feed(stream[i:min(i+step, len(stream))], func(k FrameKind, b []byte) {
				if k == FrameTelegram && (len(b) < MinFrameLen || len(b) > MaxFrameLen) {
					t.Fatalf("telegram frame of %d bytes", len(b))
				}
				if k == FramePoll && len(b) != 1 {
					t.Fatalf("poll frame of %d bytes", len(b))
				}
			})
		}
	})
}
