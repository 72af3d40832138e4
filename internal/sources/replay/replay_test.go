package replay

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/emsd/emsd/internal/telegram"
)

func TestParseLine(t *testing.T) {
	for _, tc := range []struct {
		line  string
		ok    bool
		bytes string
		time  bool
	}{
		{"2026-11-26T06:22:06.5Z 0b88070 01b93", true, "0B8807001B93", true},
		{"0B 88 07 00 1B 93", true, "0B8807001B93", false},
		{"0b8807001b93 # a read of UBADevices", true, "0B8807001B93", false},
		{"# only a comment", false, "", false},
		{"   ", false, "", false},
	} {
		f, ok, err := ParseLine(tc.line)
		if err != nil || ok != tc.ok || (ok && strings.ToUpper(hexOf(f.Bytes)) != tc.bytes) || (!f.Time.IsZero()) != tc.time {
			t.Errorf("ParseLine(%q) = %+v %v %v", tc.line, f, ok, err)
		}
	}
	for _, bad := range []string{"2026-11-26T06:22:06Z", "0B 8", "zz", strings.Repeat("00", 65)} {
		if _, _, err := ParseLine(bad); err == nil {
			t.Errorf("ParseLine(%q) accepted", bad)
		}
	}
}

func hexOf(b []byte) string {
	const digits = "0123456789abcdef"
	var s []byte
	for _, x := range b {
		s = append(s, digits[x>>4], digits[x&15])
	}
	return string(s)
}

// Frames come out in the stream encoding, at the recorded pace (scaled),
// with their recorded times.
func TestPlay(t *testing.T) {
	capture := "2026-01-01T00:00:00Z 0b88070 01b93\nnot hex\n2026-01-01T00:00:01Z 08 0B 02 00 7B 01 00 9C\n0B 88 07 00 1B 93\n"
	var got [][]byte
	var times []time.Time
	var skipped []int
	p := Player{Speed: 10, Feed: func(b []byte, at time.Time) { got, times = append(got, append([]byte(nil), b...)), append(times, at) },
		Skipped: func(line int, err error) { skipped = append(skipped, line) }}
	start := time.Now()
	n, err := p.Play(context.Background(), strings.NewReader(capture))
	if err != nil || n != 3 || len(skipped) != 1 || skipped[0] != 2 {
		t.Fatalf("played %d, err %v, skipped %v", n, err, skipped)
	}
	if d := time.Since(start); d < 80*time.Millisecond {
		t.Errorf("a recorded second at speed 10 took %v", d)
	}
	want := telegram.AppendFrame(nil, []byte{0x08, 0x0B, 0x02, 0x00, 0x7B, 0x01, 0x00, 0x9C})
	if !bytes.Equal(got[1], want) {
		t.Errorf("frame 2 = % X, want % X", got[1], want)
	}
	if second := time.Date(2026, 1, 1, 0, 0, 1, 0, time.UTC); !times[1].Equal(second) || !times[2].IsZero() {
		t.Errorf("times %v, want the second frame at %v and none for the third", times, second)
	}
}

// FuzzParseLine: no capture line makes the reader panic.
func FuzzParseLine(f *testing.F) {
	f.Add("2026-11-26T06:22:06.5Z 0b88070 01b93")
	f.Add("0B 88 07 00 1B 93 # comment")
	f.Fuzz(func(t *testing.T, line string) {
		fr, ok, err := ParseLine(line)
		if ok && (err != nil || len(fr.Bytes) == 0 || len(fr.Bytes) > 64) {
			t.Fatalf("%q: %+v %v", line, fr, err)
		}
	})
}
