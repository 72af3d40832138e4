// Package devices is the EMS device library: which product a device is,
// which entities it offers, and where each entity sits in which telegram.
// The facts live in the table files under tables/; one generic decoder
// applies them, with a few named special cases.
package devices

import "strconv"

// ValueType is how the API types an entity's value.
type ValueType uint8

const (
	Bool ValueType = iota
	Int8
	UInt8
	Int16
	UInt16
	UInt24
	Time // minutes
	UInt32
	Enum
	String
	Command
)

var valueTypeNames = [...]string{"boolean", "int8", "uint8", "int16", "uint16", "uint24", "time", "uint32", "enum", "string", "cmd"}

func (v ValueType) String() string { return valueTypeNames[v] }

// Numeric reports whether values of this type are numbers in the API.
func (v ValueType) Numeric() bool { return v >= Int8 && v <= UInt32 }

// UOM is an entity's unit of measurement.
type UOM uint8

const (
	NoUnit UOM = iota
	Celsius
	Percent
	LitrePerMin
	KWh
	Wh
	Hours
	Minutes
	MicroAmp
	Bar
	KW
	Watt
	KB
	Seconds
	DBm
	Fahrenheit
	MilliVolt
	SquareMetre
	CubicMetre
	Litre
	KelvinMin
	Kelvin
	Volt
	MilliBar
	LitrePerHour
	CentPerKWh
	Hertz
)

// uomNames are the units as EMS-ESP prints them in metrics HELP and the
// entity catalogue; uomHA are the spellings of the entity JSON (Home Assistant's).
var (
	uomNames = [...]string{"", "°C", "%", "l/min", "kWh", "Wh", "hours", "minutes", "µA", "bar", "kW", "W", "KB",
		"seconds", "dBm", "°F", "mV", "m²", "m³", "l", "K*min", "K", "V", "mbar", "l/h", "ct/kWh", "Hz"}
	uomHA = map[UOM]string{Hours: "h", Minutes: "min", Seconds: "s", KB: "kB", LitrePerMin: "L/min", LitrePerHour: "L/h"}
)

func (u UOM) String() string { return uomNames[u] }

// HA is the unit as the entity JSON spells it.
func (u UOM) HA() string {
	if s, ok := uomHA[u]; ok {
		return s
	}
	return uomNames[u]
}

// Tag is the circuit an entity belongs to, numbered as in EMS-ESP:
// 0 device level, 1..8 hc1..hc8, 9 dhw, 10..18 dhw2..dhw10, 19 ahs1,
// 20..35 hs1..hs16, 36..51 src1..src16.
type Tag uint8

const (
	TagDevice Tag = 0
	TagHC1    Tag = 1
	TagDHW    Tag = 9
	TagAHS1   Tag = 19
	TagHS1    Tag = 20
	TagSRC1   Tag = 36
	tagCount      = 52
)

var tagNames = func() (n [tagCount]string) {
	for i := range n {
		t := Tag(i)
		switch {
		case t == TagDevice:
		case t < TagDHW:
			n[i] = "hc" + strconv.Itoa(i)
		case t == TagDHW:
			n[i] = "dhw"
		case t < TagAHS1:
			n[i] = "dhw" + strconv.Itoa(i-int(TagDHW)+1)
		case t == TagAHS1:
			n[i] = "ahs1"
		case t < TagSRC1:
			n[i] = "hs" + strconv.Itoa(i-int(TagHS1)+1)
		default:
			n[i] = "src" + strconv.Itoa(i-int(TagSRC1)+1)
		}
	}
	return n
}()

// String is the circuit's name in URLs, JSON and metric labels ("" for the device).
func (t Tag) String() string { return tagNames[t] }

// TagByName parses a circuit name such as "hc2" or "DHW" (any case).
func TagByName(s string) (Tag, bool) {
	for i, n := range tagNames {
		if i > 0 && equalFoldASCII(n, s) {
			return Tag(i), true
		}
	}
	if equalFoldASCII(s, "dhw1") {
		return TagDHW, true
	}
	return 0, false
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// Entity is one value a device offers, described as the API describes it.
type Entity struct {
	Tag       Tag
	Short     string // short name without the circuit
	Full      string // full name without the circuit
	Type      ValueType
	Options   []string // enum and command options
	UOM       UOM
	Scale     int8 // numeric operator: n > 0 divides the raw value by n, n < 0 multiplies it by -n
	Min, Max  int64
	HasRange  bool
	Writeable bool
}

// Readable reports whether the entity has a value to read (commands do not).
func (e *Entity) Readable() bool { return e.Type != Command }

// Key is the entity's name in the API: "seltemp", or "dhw.seltemp" in a circuit.
func (e *Entity) Key() string {
	if e.Tag == TagDevice {
		return e.Short
	}
	return e.Tag.String() + "." + e.Short
}

// Exported reports whether the entity's values belong in metrics.
func (e *Entity) Exported() bool { return e.Type != String && e.Type != Command }
