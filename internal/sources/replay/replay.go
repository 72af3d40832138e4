// Package replay plays a recorded bus capture: one frame per line,
// "<RFC 3339 timestamp> <hex bytes with CRC>", the timestamp optional,
// spaces between bytes optional, "#" starting a comment.
package replay

import (
	"bufio"
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/emsd/emsd/internal/telegram"
)

// Frame is one line of a capture.
type Frame struct {
	Time  time.Time // zero when the line has no timestamp
	Bytes []byte
	Line  int
}

// ParseLine reads one capture line. ok is false for blank and comment lines.
func ParseLine(line string) (f Frame, ok bool, err error) {
	if i := strings.IndexByte(line, '#'); i >= 0 {
		line = line[:i]
	}
	fields := strings.Fields(line)
	if len(fields) == 0 {
		return f, false, nil
	}
	if ts, err := time.Parse(time.RFC3339Nano, fields[0]); err == nil {
		f.Time, fields = ts, fields[1:]
	}
	h := strings.Join(fields, "")
	if h == "" {
		return f, false, fmt.Errorf("timestamp without a frame")
	}
	if f.Bytes, err = hex.DecodeString(h); err != nil {
		return f, false, fmt.Errorf("not hex: %q", h)
	}
	if len(f.Bytes) > 64 {
		return f, false, fmt.Errorf("%d bytes is no EMS frame", len(f.Bytes))
	}
	return f, true, nil
}

// Player feeds a capture into a gateway.
type Player struct {
	Speed float64 // 1 plays at the recorded pace, 2 twice as fast, 0 as fast as possible
	// Feed receives each frame in the stream encoding of telegram.Framer,
	// with the time it was recorded (zero when the line has none).
	Feed func(stream []byte, at time.Time)
	// Skipped is called for lines that are not frames, with the reason.
	Skipped func(line int, err error)
}

// Play reads r to its end. It returns the number of frames played.
func (p *Player) Play(ctx context.Context, r io.Reader) (int, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), 1<<20)
	var prev time.Time
	var stream []byte
	n, line := 0, 0
	for sc.Scan() {
		line++
		f, ok, err := ParseLine(sc.Text())
		if err != nil {
			if p.Skipped != nil {
				p.Skipped(line, err)
			}
			continue
		}
		if !ok {
			continue
		}
		if p.Speed > 0 && !f.Time.IsZero() && !prev.IsZero() && f.Time.After(prev) {
			wait := time.Duration(float64(f.Time.Sub(prev)) / p.Speed)
			select {
			case <-ctx.Done():
				return n, ctx.Err()
			case <-time.After(wait):
			}
		}
		if !f.Time.IsZero() {
			prev = f.Time
		}
		stream = telegram.AppendFrame(stream[:0], f.Bytes)
		p.Feed(stream, f.Time)
		n++
		if ctx.Err() != nil {
			return n, ctx.Err()
		}
	}
	return n, sc.Err()
}
