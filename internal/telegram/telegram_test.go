package telegram

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The worked example of ems-bus.md §2.5 and the frames of §6 whose CRC the
// source gives.
func TestCRC(t *testing.T) {
	for _, tc := range []struct {
		frame string
		crc   byte
	}{
		{"0B 88 07 00 1B", 0x93},
		{"0B 90 FF 00 19 01 A5", 0xFD},
		{"0B 10 FF 08 01 B9 77", 0xEF},
		{"08 0B 02 00 7B 01 00", 0x9C},
		{"90 00 FF 00 00 6F 03 02 00 CD 00 E4", 0x3A},
		{"21 00 AB 00 2D 01 BE 64 04 01 00", 0x15},
	} {
		if got := CRC(mustHex(t, tc.frame)); got != tc.crc {
			t.Errorf("CRC(%s) = %02X, want %02X", tc.frame, got, tc.crc)
		}
	}
	for c, want := range map[byte]byte{0x80: 0x19, 0x9E: 0x25, 0xFF: 0xE7, 0x00: 0x00} {
		if crcTable[c] != want {
			t.Errorf("table[%02X] = %02X, want %02X", c, crcTable[c], want)
		}
	}
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name  string
		frame string
		want  Telegram
	}{
		{"EMS 1.0 broadcast", "08 00 18 00 00 02 5A 73 3D 0A 10 65 40 02 1A 80 00 01 E1 01 76 0E 3D 48 00 C9 44 02 00 FB",
			Telegram{Src: 0x08, Dest: 0x00, Type: 0x18, Data: mustHex(t, "00 02 5A 73 3D 0A 10 65 40 02 1A 80 00 01 E1 01 76 0E 3D 48 00 C9 44 02 00")}},
		{"EMS 1.0 read request", "0B 88 07 00 1B 93", Telegram{Src: 0x0B, Dest: 0x08, Type: 0x07, Read: true, Length: 27}},
		{"EMS+ read request, length before type", "0B 90 FF 00 19 01 A5 FD", Telegram{Src: 0x0B, Dest: 0x10, Type: 0x02A5, Read: true, Length: 25}},
		{"EMS+ write", "0B 10 FF 08 01 B9 77 EF", Telegram{Src: 0x0B, Dest: 0x10, Type: 0x02B9, Offset: 8, Data: []byte{0x77}}},
		{"HT3 source mask", "90 00 FF 00 00 6F 03 02 00 CD 00 E4 3A",
			Telegram{Src: 0x10, Type: 0x016F, Data: mustHex(t, "03 02 00 CD 00 E4"), Mask: MaskHT3}},
		{"EMS+ at an offset", "90 00 FF 19 01 A5 01 04 00 00 00 00 FF 64 2A 00 3C 01 FF 92",
			Telegram{Src: 0x10, Type: 0x02A5, Offset: 25, Data: mustHex(t, "01 04 00 00 00 00 FF 64 2A 00 3C 01 FF"), Mask: MaskHT3}},
		{"empty EMS+ reply", "90 48 FF 04 01 A6 5C", Telegram{Src: 0x10, Dest: 0x48, Type: 0x02A6, Offset: 4, Data: []byte{}, Mask: MaskHT3}},
		{"empty reply of an EMS 1.0 device is type FF", "21 0B FF 00 " + hex.EncodeToString([]byte{CRC([]byte{0x21, 0x0B, 0xFF, 0x00})}),
			Telegram{Src: 0x21, Dest: 0x0B, Type: 0xFF, Data: []byte{}}},
		{"F7 is a one-byte type", "C8 90 F7 02 01 FF 01 A6 BA", Telegram{Src: 0x48, Dest: 0x10, Type: 0xF7, Offset: 2, Read: true, Length: 1, Mask: MaskHT3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(mustHex(t, tc.frame))
			if err != nil {
				t.Fatal(err)
			}
			if got.Src != tc.want.Src || got.Dest != tc.want.Dest || got.Type != tc.want.Type || got.Offset != tc.want.Offset ||
				got.Read != tc.want.Read || got.Length != tc.want.Length || got.Mask != tc.want.Mask || !bytes.Equal(got.Data, tc.want.Data) {
				t.Errorf("got  %v %+v\nwant %v %+v", got, got, tc.want, tc.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	long := append(bytes.Repeat([]byte{0x08}, 32), 0)
	long[len(long)-1] = CRC(long[:len(long)-1])
	for _, tc := range []struct {
		frame []byte
		want  error
	}{
		{nil, ErrShort},
		{[]byte{0x0B, 0x88, 0x07, 0x93}, ErrShort},
		{mustHex(t, "0B 88 07 00 1B 94"), ErrCRC},
		{long, ErrLong},
		{append(mustHex(t, "00 08 18 00 01"), CRC(mustHex(t, "00 08 18 00 01"))), ErrNoSource},
		{append(mustHex(t, "10 00 FF 00 01"), CRC(mustHex(t, "10 00 FF 00 01"))), ErrTruncated},
		{append(mustHex(t, "0B 90 FF 00 19 01"), CRC(mustHex(t, "0B 90 FF 00 19 01"))), ErrTruncated},
	} {
		if _, err := Parse(tc.frame); !errors.Is(err, tc.want) {
			t.Errorf("Parse(% X) = %v, want %v", tc.frame, err, tc.want)
		}
	}
}

func TestAppendRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		t    Telegram
		wire string
	}{
		{Telegram{Src: 0x0B, Dest: 0x08, Type: 0x07, Read: true, Length: 0xFF}, "0B 88 07 00 1B 93"},
		{Telegram{Src: 0x0B, Dest: 0x10, Type: 0x02A5, Read: true, Length: 0xFF}, "0B 90 FF 00 19 01 A5 FD"},
		{Telegram{Src: 0x0B, Dest: 0x10, Type: 0x02B9, Offset: 8, Data: []byte{0x77}}, "0B 10 FF 08 01 B9 77 EF"},
		{Telegram{Src: 0x08, Dest: 0x0B, Type: 0x02, Data: []byte{0x7B, 0x01, 0x00}}, "08 0B 02 00 7B 01 00 9C"},
	} {
		got := Append(nil, tc.t)
		if want := mustHex(t, tc.wire); !bytes.Equal(got, want) {
			t.Errorf("Append(%v) = % X, want % X", tc.t, got, want)
		}
		back, err := Parse(got)
		if err != nil || back.Type != tc.t.Type || back.Src != tc.t.Src {
			t.Errorf("round trip of % X: %v %v", got, back, err)
		}
	}
	// Data beyond the protocol's limit is cut, so every built frame parses.
	big := Append(nil, Telegram{Src: 0x10, Type: 0x02A5, Data: make([]byte, 40)})
	if len(big) != MaxFrameLen {
		t.Errorf("oversized EMS+ frame is %d bytes, want %d", len(big), MaxFrameLen)
	}
}

func TestFramer(t *testing.T) {
	var stream []byte
	frames := [][]byte{
		{0x8B},                          // a poll
		mustHex(t, "0B 88 07 00 1B 93"), // a telegram
		mustHex(t, "08 0B 16 00 FF 5A 64 00 0A FA 0F 5E"), // literal FF bytes inside
		{0x08, 0x00, 0x18},             // too short
		bytes.Repeat([]byte{0x11}, 40), // too long
	}
	for _, f := range frames {
		stream = AppendFrame(stream, f)
	}
	stream = append(stream, 0xFF, 0x00, 0x00)             // a BREAK on an idle line
	stream = append(stream, 0x08, 0xFF, 0x00, 0x5A, 0x10) // a framing error inside a frame
	stream = append(stream, 0x00, 0x01, 0xFF, 0x00, 0x00) // ... which ends here
	var kinds []FrameKind
	var got [][]byte
	var f Framer
	// Feed byte by byte: frames must not depend on how reads split the stream.
	for i := range stream {
		f.Feed(stream[i:i+1], func(k FrameKind, b []byte) {
			kinds = append(kinds, k)
			got = append(got, append([]byte(nil), b...))
		})
	}
	want := []FrameKind{FramePoll, FrameTelegram, FrameTelegram, FrameIncomplete, FrameTooLong, FrameIncomplete}
	if len(kinds) != len(want) {
		t.Fatalf("kinds %v, want %v", kinds, want)
	}
	for i := range want {
		if kinds[i] != want[i] {
			t.Errorf("frame %d kind %v, want %v", i, kinds[i], want[i])
		}
	}
	for i := 0; i < 3; i++ {
		if !bytes.Equal(got[i], frames[i]) {
			t.Errorf("frame %d = % X, want % X", i, got[i], frames[i])
		}
	}
}
