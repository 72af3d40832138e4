// Package telegram parses and builds EMS bus frames: EMS 1.0 and EMS+
// telegrams, read requests, the CRC and the HT3 (Junkers) address mask.
//
// Type IDs follow EMS-ESP's numbering: an EMS+ type on the wire FF hi lo is
// (hi<<8 | lo) + 0x100, so FF 01 A5 is 0x02A5 and never collides with a
// one-byte EMS 1.0 type.
package telegram

import (
	"errors"
	"fmt"
)

// Protocol limits (ems-bus.md §2.6).
const (
	MaxFrameLen     = 32 // a whole telegram including its CRC
	MinFrameLen     = 5  // header and CRC, no data: an "empty reply"
	MaxDataEMS      = 27 // data bytes of one EMS 1.0 telegram
	MaxDataEMSPlus  = 25 // data bytes of one EMS+ telegram
	emsPlusMarker   = 0xFF
	readFlag        = 0x80
	emsPlusTypeBias = 0x100
)

// Addresses with a fixed meaning on the bus.
const (
	Broadcast    = 0x00
	BoilerID     = 0x08
	DefaultBusID = 0x0B
)

// Mask is the value OR-ed into the source address on the wire: 0 on
// Buderus/Bosch/Nefit buses, 0x80 on HT3/Junkers buses.
type Mask byte

const (
	MaskEMS Mask = 0x00
	MaskHT3 Mask = 0x80
)

// Errors returned by Parse. They are distinct so that a bus can count them.
var (
	ErrShort     = errors.New("telegram: frame shorter than 5 bytes")
	ErrLong      = errors.New("telegram: frame longer than 32 bytes")
	ErrCRC       = errors.New("telegram: CRC mismatch")
	ErrTruncated = errors.New("telegram: EMS+ header truncated")
	ErrNoSource  = errors.New("telegram: source address 0")
	ErrBadType   = errors.New("telegram: EMS+ type FF xx out of range")
)

// Telegram is one decoded frame. Data aliases the parsed frame.
type Telegram struct {
	Src    byte   // sender, MSB cleared
	Dest   byte   // receiver, MSB cleared; 0 = broadcast
	Type   uint16 // EMS-ESP type ID
	Offset byte   // position of Data[0] in the type's data block
	Data   []byte // payload; nil for read requests
	Read   bool   // a read request: Length bytes are asked for
	Length byte   // requested length of a read request
	Mask   Mask   // MaskHT3 when the source MSB was set on the wire
}

// IsEMSPlus reports whether the type needs the two-byte EMS+ framing.
func (t *Telegram) IsEMSPlus() bool { return t.Type > 0xFF }

// Covers reports whether the telegram's data contains the width bytes at
// absolute offset off.
func (t *Telegram) Covers(off, width int) bool {
	start := int(t.Offset)
	return off >= start && off+width <= start+len(t.Data)
}

// At returns the byte at absolute offset off, which must be covered.
func (t *Telegram) At(off int) byte { return t.Data[off-int(t.Offset)] }

func (t Telegram) String() string {
	if t.Read {
		return fmt.Sprintf("%02X->%02X read 0x%02X @%d len %d", t.Src, t.Dest, t.Type, t.Offset, t.Length)
	}
	return fmt.Sprintf("%02X->%02X type 0x%02X @%d data % X", t.Src, t.Dest, t.Type, t.Offset, t.Data)
}

// Parse decodes a whole frame, CRC included, without the trailing BREAK.
// One-byte poll and acknowledge frames are not telegrams; callers handle
// them before calling Parse.
func Parse(frame []byte) (t Telegram, err error) {
	n := len(frame)
	switch {
	case n < MinFrameLen:
		return Telegram{}, ErrShort
	case n > MaxFrameLen:
		return Telegram{}, ErrLong
	}
	body := frame[:n-1]
	if CRC(body) != frame[n-1] {
		return Telegram{}, ErrCRC
	}
	t = Telegram{
		Src:    body[0] &^ readFlag,
		Dest:   body[1] &^ readFlag,
		Read:   body[1]&readFlag != 0,
		Mask:   Mask(body[0] & 0x80),
		Offset: body[3],
	}
	if t.Src == 0 {
		return Telegram{}, ErrNoSource
	}
	// EMS 1.0 layout: src dest type offset data... (also every frame too
	// short to hold an EMS+ header, such as the empty reply "21 0B FF 00").
	if body[2] != emsPlusMarker || n < 6 {
		t.Type = uint16(body[2])
		if t.Read {
			if len(body) < 5 {
				return Telegram{}, ErrTruncated
			}
			t.Length = body[4]
			return t, nil
		}
		t.Data = body[4:]
		return t, nil
	}
	if t.Read {
		// src dest|80 FF offset length hi lo: the length comes before the type.
		if len(body) < 7 {
			return Telegram{}, ErrTruncated
		}
		t.Length = body[4]
		t.Type, err = emsPlusType(body[5], body[6])
		return t, err
	}
	if len(body) < 6 {
		return Telegram{}, ErrTruncated
	}
	t.Type, err = emsPlusType(body[4], body[5])
	t.Data = body[6:]
	return t, err
}

// emsPlusType numbers a wire type as EMS-ESP does. Wire types FF xx would
// wrap around into the one-byte range, so they are rejected.
func emsPlusType(hi, lo byte) (uint16, error) {
	if hi == 0xFF {
		return 0, ErrBadType
	}
	return uint16(hi)<<8 | uint16(lo) + emsPlusTypeBias, nil
}

// Append encodes t as a frame with its CRC and appends it to dst. The read
// flag comes from t.Read, the source mask from t.Mask. Data longer than the
// protocol allows is cut to the limit.
func Append(dst []byte, t Telegram) []byte {
	start := len(dst)
	dest := t.Dest
	if t.Read {
		dest |= readFlag
	}
	dst = append(dst, t.Src|byte(t.Mask), dest)
	if t.IsEMSPlus() {
		wire := t.Type - emsPlusTypeBias
		hi, lo := byte(wire>>8), byte(wire)
		if t.Read {
			dst = append(dst, emsPlusMarker, t.Offset, min(t.Length, MaxDataEMSPlus), hi, lo)
		} else {
			dst = append(dst, emsPlusMarker, t.Offset, hi, lo)
			dst = append(dst, t.Data[:min(len(t.Data), MaxDataEMSPlus)]...)
		}
	} else {
		dst = append(dst, byte(t.Type), t.Offset)
		if t.Read {
			dst = append(dst, min(t.Length, MaxDataEMS))
		} else {
			dst = append(dst, t.Data[:min(len(t.Data), MaxDataEMS)]...)
		}
	}
	return append(dst, CRC(dst[start:]))
}
