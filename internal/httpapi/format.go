package httpapi

import (
	"math"
	"strconv"
	"strings"

	"github.com/emsd/emsd/internal/devices"
)

// metricValue is the entity's value as metrics report it: the raw number
// with the entity's operator applied, in the native unit.
func metricValue(e *devices.Entity, v devices.Value) float64 {
	switch {
	case e.Scale > 0:
		return float64(v.Num) / float64(e.Scale)
	case e.Scale < 0:
		return float64(v.Num) * float64(-e.Scale)
	}
	return float64(v.Num)
}

// appendMetricValue writes a sample value exactly: integers without a
// fraction, others in the shortest form that reads back the same.
func appendMetricValue(b []byte, f float64) []byte {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.AppendInt(b, int64(f), 10)
	}
	return strconv.AppendFloat(b, f, 'g', -1, 64)
}

// appendJSONNumber writes a number as EMS-ESP's API does: "/2" gives x.0 or
// x.5, other divisors one truncated decimal (two for /100 on 24 and 32-bit
// values), multipliers and no operator give integers, minutes over 60 whole hours.
func appendJSONNumber(b []byte, e *devices.Entity, raw int64) []byte {
	s := int64(e.Scale)
	switch {
	case s == 0:
		return strconv.AppendInt(b, raw, 10)
	case s < 0:
		return strconv.AppendInt(b, raw*-s, 10)
	case e.Type == devices.Time && s == 60:
		return strconv.AppendInt(b, raw/60, 10)
	}
	if raw < 0 {
		b = append(b, '-')
		raw = -raw
	}
	b = strconv.AppendInt(b, raw/s, 10)
	b = append(b, '.')
	rem := raw % s
	switch {
	case s == 2:
		return append(b, "05"[rem])
	case s == 100 && (e.Type == devices.UInt24 || e.Type == devices.UInt32 || e.Type == devices.Time):
		return append(b, byte('0'+rem/10), byte('0'+rem%10))
	}
	return strconv.AppendInt(b, rem*10/s, 10)
}

// appendJSONString writes s as a JSON string.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c < 0x20:
			b = append(b, `\u00`...)
			b = append(b, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&0xF])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// appendHelp escapes HELP text as the exposition format requires.
func appendHelp(b []byte, s string) []byte {
	if strings.IndexByte(s, '\\') < 0 && strings.IndexByte(s, '\n') < 0 {
		return append(b, s...) // the usual case, copied at once
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			b = append(b, '\\', '\\')
		case '\n':
			b = append(b, '\\', 'n')
		default:
			b = append(b, s[i])
		}
	}
	return b
}

// appendLabelValue escapes a label value.
func appendLabelValue(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\', '"':
			b = append(b, '\\', s[i])
		case '\n':
			b = append(b, '\\', 'n')
		default:
			b = append(b, s[i])
		}
	}
	return b
}

// metricName is emsesp_ + the short name, lower-cased, every character
// outside [a-z0-9_] replaced by '_'.
func metricName(parts ...string) string {
	b := []byte("emsesp_")
	for i, p := range parts {
		if i > 0 {
			b = append(b, '_')
		}
		b = appendSanitised(b, p)
	}
	return string(b)
}

// appendSanitised writes s lower-cased, every character outside
// [a-z0-9_] replaced by '_'.
func appendSanitised(b []byte, s string) []byte {
	for j := 0; j < len(s); j++ {
		c := s[j]
		switch {
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '_':
		default:
			c = '_'
		}
		b = append(b, c)
	}
	return b
}
