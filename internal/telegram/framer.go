package telegram

// The byte stream between a serial EMS interface and the framer uses the
// encoding Linux produces with PARMRK: a BREAK (which ends every EMS frame)
// arrives as FF 00 00, a byte with a framing error as FF 00 x, and a literal
// 0xFF is doubled. The simulator and capture replays speak it too, so every
// source goes through the same framer.
const (
	markEscape = 0xFF
	markError  = 0x00
)

// AppendFrame appends frame to dst in the stream encoding, ending it with a BREAK.
func AppendFrame(dst, frame []byte) []byte {
	for _, b := range frame {
		if b == markEscape {
			dst = append(dst, markEscape)
		}
		dst = append(dst, b)
	}
	return append(dst, markEscape, markError, 0x00)
}

// FrameKind says what the framer found between two BREAKs.
type FrameKind uint8

const (
	FramePoll       FrameKind = iota // one byte: a poll, an acknowledgement or a write reply
	FrameTelegram                    // 5..32 bytes: a telegram to Parse
	FrameIncomplete                  // 2..4 bytes, or a frame with a line error in it
	FrameTooLong                     // more than 32 bytes before a BREAK
)

// Framer splits the stream into frames. The zero value is ready to use; it
// keeps no reference to the slices it is fed.
type Framer struct {
	buf     [MaxFrameLen]byte
	n       int  // bytes in buf, counting past MaxFrameLen
	state   byte // 0 normal, 1 after FF, 2 after FF 00
	damaged bool // a byte with a framing error is in the current frame
}

// Feed consumes stream bytes and calls emit once per complete frame. The frame
// slice is valid only during the call.
func (f *Framer) Feed(stream []byte, emit func(kind FrameKind, frame []byte)) {
	for _, b := range stream {
		switch f.state {
		case 1:
			switch b {
			case markEscape:
				f.state = 0
				f.add(markEscape)
			case markError:
				f.state = 2
			default: // not produced by PARMRK; keep both bytes
				f.state = 0
				f.add(markEscape)
				f.add(b)
			}
			continue
		case 2:
			f.state = 0
			if b == 0x00 {
				f.end(emit)
			} else {
				f.damaged = true
			}
			continue
		}
		if b == markEscape {
			f.state = 1
			continue
		}
		f.add(b)
	}
}

func (f *Framer) add(b byte) {
	if f.n < len(f.buf) {
		f.buf[f.n] = b
	}
	f.n++
}

func (f *Framer) end(emit func(FrameKind, []byte)) {
	n, damaged := f.n, f.damaged
	f.n, f.damaged = 0, false
	switch {
	case n == 0 && !damaged:
		return // a BREAK on an idle line
	case n > MaxFrameLen:
		emit(FrameTooLong, nil)
	case damaged || (n > 1 && n < MinFrameLen):
		emit(FrameIncomplete, f.buf[:min(n, MaxFrameLen)])
	case n == 1:
		emit(FramePoll, f.buf[:1])
	default:
		emit(FrameTelegram, f.buf[:n])
	}
}
