package devices

import (
	"embed"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

//go:embed tables/*.tbl
var tableFiles embed.FS

// A layout is one device family's datasheet: its entities in registration
// order and the telegrams that carry them.
type layout struct {
	name       string
	typ        Type
	products   []productName
	ownCircuit byte // > 0: the device at this bus ID has hc1, the next hc2, ...
	ownDHW     byte // > 0: the device at this bus ID serves dhw, the next dhw2, ...
	byBusID    bool // some telegrams apply only at (or away from) one bus ID
	entities   []tableEntity
	initial    []initialValue
	telegrams  []*telegramDef
}

// busIDFilter limits a telegram to the device at one bus ID ("at=0x17") or
// to devices elsewhere ("not-at=0x17"): an RC20 is the master at 0x17 and a
// remote anywhere else.
type busIDFilter struct {
	id       byte
	set, not bool
}

func (f busIDFilter) matches(id byte) bool { return !f.set || (id == f.id) != f.not }

// productName is a row of a table's [products] section: the products the
// table describes, with the name EMS-ESP's catalogue gives them.
type productName struct {
	id   uint8
	name string
}

type tableEntity struct {
	Entity
	perCircuit bool // "hc." entities: one per heating circuit
	models     modelFilter
}

// modelFilter limits a table line to some models ("only RC100") or
// excludes them ("not RC100,BC400"). The zero value matches every model.
type modelFilter struct {
	set     uint32 // bit n: model n
	exclude bool
}

func (m modelFilter) matches(model Flags) bool {
	return m.set == 0 || (m.set&(1<<model) != 0) != m.exclude
}

func parseModelFilter(s string) (modelFilter, error) {
	word, list, _ := strings.Cut(s, " ")
	var m modelFilter
	switch word {
	case "only":
	case "not":
		m.exclude = true
	default:
		return m, fmt.Errorf("model filter must say only or not: %q", s)
	}
	for _, name := range strings.Split(list, ",") {
		f, ok := modelByName[name]
		if !ok {
			return m, fmt.Errorf("unknown model %q", name)
		}
		m.set |= 1 << f
	}
	return m, nil
}

type initialValue struct {
	key   string
	value int64
}

// telegramDef is one [telegram] section. A range of type IDs means one type
// per heating circuit, starting with hc1.
type telegramDef struct {
	name       string
	first      uint16
	step       uint16 // between the types of consecutive circuits; 1 unless written "/step"
	circuits   int    // number of types in the range; 0 for a single device-level type
	monitor    bool   // creates its heating circuit
	fetch      bool   // not broadcast; read periodically
	once       bool   // with fetch: read until the first answer only
	whole      int    // > 0: decoded only from offset 0 with at least this many bytes
	need       [2]int // last > 0: decoded only when bytes first..last are present and not all zero
	hc         int    // > 0: a single type that belongs to heating circuit hcN
	own        bool   // shifted by the module's dhw circuit: first + n for dhw(n+1)
	models     modelFilter
	at         busIDFilter
	fields     []fieldDef
	specialFns []string
}

// encoding says how a field's bytes become a raw value.
type encoding uint8

const (
	encU8 encoding = iota
	encS8
	encU16
	encS16
	encU24
	encU32
	encBool
	encBit
	encEnum     // raw byte is the index
	encEnumFrom // index = raw - base
	encEnumList // index = position of raw in list
	encASCII
)

type fieldDef struct {
	offset     int
	bit        uint8
	enc        encoding
	base       int64  // encEnumFrom: the raw value of option 0
	list       []byte // encEnumList
	chars      int    // encASCII
	zeroIsNone bool   // "!0": a raw 0 is no value
	keepOld    bool   // "~": a raw 0 or "no value" leaves the last value standing
	mul        int64
	entity     string // key; "hc." for per-circuit entities
	models     modelFilter
}

// width is how many bytes the field needs from the telegram.
func (f *fieldDef) width() int {
	switch f.enc {
	case encU16, encS16:
		return 2
	case encU24:
		return 3
	case encU32:
		return 4
	case encASCII:
		return f.chars
	}
	return 1
}

// layoutKey finds the table of a product of a device type.
type layoutKey struct {
	typ     Type
	product uint8
}

// library indexes every table by its products; a table is parsed whole
// when a device of it first appears, so a bus with four devices holds four
// tables, not all of them. Tests parse every table.
type library struct {
	order     []*table // file order
	byProduct map[layoutKey]*table
}

type table struct {
	layout func() *layout // parsed on first use (after the special cases have registered)
}

var loadLibrary = sync.OnceValue(func() *library {
	lib := &library{byProduct: map[layoutKey]*table{}}
	files, err := tableFiles.ReadDir("tables")
	if err != nil {
		panic(err)
	}
	for _, f := range files {
		src, err := tableFiles.ReadFile("tables/" + f.Name())
		if err != nil {
			panic(err)
		}
		parse := func(headerOnly bool) *layout {
			l, err := parseTable(string(src), headerOnly)
			if err != nil {
				panic(fmt.Sprintf("devices: tables/%s: %v", f.Name(), err))
			}
			return l
		}
		index := parse(true)
		t := &table{layout: sync.OnceValue(func() *layout { return parse(false) })}
		lib.order = append(lib.order, t)
		for _, p := range index.products {
			k := layoutKey{index.typ, p.id}
			if lib.byProduct[k] != nil {
				panic(fmt.Sprintf("devices: product %d of %s is in two tables", p.id, index.typ))
			}
			lib.byProduct[k] = t
		}
	}
	return lib
})

var columns = regexp.MustCompile(`\s{2,}`)

// parseTable reads a table; headerOnly stops after its [products] section,
// which is all the library's index needs.
func parseTable(src string, headerOnly bool) (*layout, error) {
	l := &layout{}
	section := ""
	var tg *telegramDef
	known := map[string]bool{}
	for n, line := range strings.Split(src, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		fail := func(format string, args ...any) error {
			return fmt.Errorf("line %d: %s", n+1, fmt.Sprintf(format, args...))
		}
		switch {
		case strings.HasPrefix(line, "layout "):
			l.name = strings.TrimSpace(line[len("layout "):])
			continue
		case strings.HasPrefix(line, "type "):
			name := strings.TrimSpace(line[len("type "):])
			for i, n := range typeNames {
				if n == name {
					l.typ = Type(i)
				}
			}
			if l.typ == Unknown {
				return nil, fail("unknown device type %q", name)
			}
			continue
		case strings.HasPrefix(line, "own-dhw ") || strings.HasPrefix(line, "own-circuit "):
			directive, value, _ := strings.Cut(line, " ")
			id, err := strconv.ParseUint(strings.TrimSpace(value), 0, 8)
			if err != nil || id == 0 {
				return nil, fail("bad %s %q", directive, line)
			}
			if directive == "own-dhw" {
				l.ownDHW = byte(id)
			} else {
				l.ownCircuit = byte(id)
			}
			continue
		case line[0] == '[':
			head := strings.Fields(strings.Trim(line, "[]"))
			if headerOnly && head[0] != "products" && len(l.products) > 0 {
				return l, nil
			}
			section = head[0]
			if section == "telegram" {
				t, err := parseTelegramHead(head[1:])
				if err != nil {
					return nil, fail("%v", err)
				}
				tg = t
				l.telegrams = append(l.telegrams, tg)
				l.byBusID = l.byBusID || t.at.set
			}
			continue
		}
		switch section {
		case "products":
			id, name, _ := strings.Cut(line, " ")
			n, err := strconv.ParseUint(id, 10, 8)
			if err != nil {
				return nil, fail("bad product %q", line)
			}
			l.products = append(l.products, productName{uint8(n), strings.TrimSpace(name)})
		case "entities":
			e, err := parseEntity(line)
			if err != nil {
				return nil, fail("%v", err)
			}
			l.entities = append(l.entities, e)
			known[e.templateKey()] = true
		case "initial":
			for _, kv := range strings.Fields(line) {
				k, v, _ := strings.Cut(kv, "=")
				x, err := strconv.ParseInt(v, 0, 64)
				if err != nil || !known[k] {
					return nil, fail("bad initial value %q", kv)
				}
				l.initial = append(l.initial, initialValue{k, x})
			}
		case "telegram":
			if name, ok := strings.CutPrefix(line, "special "); ok {
				if specials[name] == nil {
					return nil, fail("unknown special %q", name)
				}
				tg.specialFns = append(tg.specialFns, name)
				continue
			}
			f, err := parseField(line)
			if err != nil {
				return nil, fail("%v", err)
			}
			if !known[f.entity] {
				return nil, fail("field for unknown entity %q", f.entity)
			}
			tg.fields = append(tg.fields, f)
		default:
			return nil, fail("line outside a section")
		}
	}
	if l.name == "" || l.typ == Unknown {
		return nil, fmt.Errorf("a table needs a layout name and a device type")
	}
	return l, nil
}

func (e *tableEntity) templateKey() string {
	if e.perCircuit {
		return "hc." + e.Short
	}
	return e.Key()
}

func parseTelegramHead(words []string) (*telegramDef, error) {
	if len(words) < 2 {
		return nil, fmt.Errorf("telegram needs a type and a name")
	}
	t := &telegramDef{name: words[1], step: 1}
	first, last, isRange := strings.Cut(words[0], "..")
	if last, step, ok := strings.Cut(last, "/"); ok {
		n, err := strconv.ParseUint(step, 0, 16)
		if err != nil || n == 0 {
			return nil, fmt.Errorf("bad step in %q", words[0])
		}
		t.step, words[0] = uint16(n), first+".."+last
	}
	a, err := strconv.ParseUint(first, 0, 16)
	if err != nil {
		return nil, err
	}
	t.first = uint16(a)
	if isRange {
		_, last, _ = strings.Cut(words[0], "..")
		b, err := strconv.ParseUint(last, 0, 16)
		if err != nil || b < a || (b-a)%uint64(t.step) != 0 || (b-a)/uint64(t.step) >= heatingCircuits {
			return nil, fmt.Errorf("bad type range %q (at most 8 types, the last on the step)", words[0])
		}
		t.circuits = int((b-a)/uint64(t.step)) + 1
	}
	for i := 2; i < len(words); i++ {
		w := words[i]
		switch {
		case w == "monitor":
			t.monitor = true
		case w == "fetch":
			t.fetch = true
		case w == "once":
			t.once = true
		case w == "own":
			t.own = true
		case strings.HasPrefix(w, "hc="):
			n, err := strconv.Atoi(w[len("hc="):])
			if err != nil || n < 1 || n > heatingCircuits || t.circuits > 0 {
				return nil, fmt.Errorf("bad option %q (hc=1..8, for a single type)", w)
			}
			t.hc = n
		case strings.HasPrefix(w, "whole="):
			n, err := strconv.Atoi(w[len("whole="):])
			if err != nil || n < 1 {
				return nil, fmt.Errorf("bad option %q", w)
			}
			t.whole = n
		case strings.HasPrefix(w, "need="):
			from, to, ok := strings.Cut(w[len("need="):], "..")
			a, errA := strconv.Atoi(from)
			b, errB := strconv.Atoi(to)
			if !ok || errA != nil || errB != nil || a < 0 || b < 1 || b < a {
				return nil, fmt.Errorf("bad option %q (need=FIRST..LAST byte)", w)
			}
			t.need = [2]int{a, b}
		case strings.HasPrefix(w, "at=") || strings.HasPrefix(w, "not-at="):
			neg := strings.HasPrefix(w, "not-")
			id, err := strconv.ParseUint(w[strings.Index(w, "=")+1:], 0, 8)
			if err != nil {
				return nil, fmt.Errorf("bad option %q (at=ID or not-at=ID)", w)
			}
			t.at = busIDFilter{id: byte(id), set: true, not: neg}
		case (w == "only" || w == "not") && i+1 < len(words):
			var err error
			if t.models, err = parseModelFilter(w + " " + words[i+1]); err != nil {
				return nil, err
			}
			i++
		default:
			return nil, fmt.Errorf("unknown telegram option %q", w)
		}
	}
	if t.once && !t.fetch {
		return nil, fmt.Errorf("once needs fetch")
	}
	return t, nil
}

func parseEntity(line string) (tableEntity, error) {
	cols := columns.Split(line, -1)
	if len(cols) < 6 || len(cols) > 7 {
		return tableEntity{}, fmt.Errorf("entity needs 6 columns: %q", line)
	}
	var e tableEntity
	name := cols[0]
	if tag, short, ok := strings.Cut(name, "."); ok {
		if tag == "hc" {
			e.perCircuit, e.Tag = true, TagHC1
		} else if e.Tag, ok = TagByName(tag); !ok {
			return e, fmt.Errorf("unknown circuit in %q", name)
		}
		name = short
	}
	e.Short, e.Full = name, cols[1]
	if cols[2] != "-" {
		u, ok := uomByName[cols[2]]
		if !ok {
			return e, fmt.Errorf("unknown unit %q", cols[2])
		}
		e.UOM = u
	}
	switch op := cols[3]; {
	case op == "-":
	case op[0] == '/' || op[0] == 'x':
		n, err := strconv.Atoi(op[1:])
		if err != nil {
			return e, fmt.Errorf("bad operator %q", op)
		}
		e.Scale = int8(n)
		if op[0] == 'x' {
			e.Scale = -e.Scale
		}
	default:
		return e, fmt.Errorf("bad operator %q", op)
	}
	switch cols[4] {
	case "rw":
		e.Writeable = true
	case "r":
	default:
		return e, fmt.Errorf("access must be r or rw, not %q", cols[4])
	}
	if err := parseType(&e.Entity, cols[5]); err != nil {
		return e, err
	}
	if len(cols) == 7 {
		var err error
		if e.models, err = parseModelFilter(cols[6]); err != nil {
			return e, err
		}
	}
	return e, nil
}

var (
	uomByName = func() map[string]UOM {
		m := map[string]UOM{}
		for i, n := range uomNames {
			m[n] = UOM(i)
		}
		return m
	}()
	// Model names are unique across device types, their numbers are not:
	// a filter is only ever applied to devices of its table's type.
	modelByName = map[string]Flags{
		"EMS": ModelEMS, "EMSPlus": ModelEMSPlus, "HT3": ModelHT3, "Hybrid": ModelHybrid, "HIU": ModelHIU,
		"HeatPump": ModelHeatPump, "CS6800": ModelCS6800,
		"RC300": ModelRC300, "RC100": ModelRC100, "BC400": ModelBC400, "R3000": ModelR3000, "CR120": ModelCR120,
		"HMC310": ModelHMC310, "RC100H": ModelRC100H, "Easy": ModelEasy, "RC10": ModelRC10, "RC20": ModelRC20,
		"RC20N": ModelRC20N, "RC25": ModelRC25, "RC30N": ModelRC30N, "RC30": ModelRC30, "RC35": ModelRC35,
		"Junkers": ModelJunkers, "CRF": ModelCRF, "CR11": ModelCR11,
		"SM10": ModelSM10, "SM100": ModelSM100, "ISM": ModelISM,
		"MMPlus": ModelMMPlus, "MM10": ModelMM10, "IPM": ModelIPM, "MP": ModelMP, "IVT": ModelIVT, "None": 0,
	}
	typeByName = func() map[string]ValueType {
		m := map[string]ValueType{}
		for i, n := range valueTypeNames {
			m[n] = ValueType(i)
		}
		return m
	}()
	rangeSpec = regexp.MustCompile(`^\(>=(-?\d+)<=(-?\d+)\)$`)
)

// parseType reads the catalogue's notation: "uint8 (>=0<=90)", "enum [a|b]", "boolean".
func parseType(e *Entity, s string) error {
	word, rest, _ := strings.Cut(s, " ")
	t, ok := typeByName[word]
	if !ok {
		return fmt.Errorf("unknown type %q", word)
	}
	e.Type = t
	rest = strings.TrimSpace(rest)
	if strings.HasPrefix(rest, "[") {
		end := strings.Index(rest, "]")
		if end < 0 {
			return fmt.Errorf("unclosed option list in %q", s)
		}
		e.Options = []string{} // "cmd []": a list, empty
		if opts := rest[1:end]; opts != "" {
			e.Options = strings.Split(opts, "|")
		}
		rest = strings.TrimSpace(rest[end+1:])
	}
	if rest != "" {
		m := rangeSpec.FindStringSubmatch(rest)
		if m == nil {
			return fmt.Errorf("bad range %q", rest)
		}
		e.Min, _ = strconv.ParseInt(m[1], 10, 64)
		e.Max, _ = strconv.ParseInt(m[2], 10, 64)
		e.HasRange = true
	}
	return nil
}

var encodings = map[string]encoding{"u8": encU8, "s8": encS8, "u16": encU16, "s16": encS16,
	"u24": encU24, "u32": encU32, "bool": encBool, "bit": encBit, "enum": encEnum}

func parseField(line string) (fieldDef, error) {
	w := strings.Fields(line)
	if (len(w) != 3 && len(w) != 5) || w[0][0] != '@' {
		return fieldDef{}, fmt.Errorf("field must be '@offset encoding entity [only|not MODELS]': %q", line)
	}
	f := fieldDef{entity: w[2], mul: 1}
	if len(w) == 5 {
		var err error
		if f.models, err = parseModelFilter(w[3] + " " + w[4]); err != nil {
			return f, err
		}
	}
	off, bit, hasBit := strings.Cut(w[0][1:], ".")
	n, err := strconv.Atoi(off)
	if err != nil || n < 0 || n > 255 {
		return f, fmt.Errorf("bad offset %q", w[0])
	}
	f.offset = n
	enc := w[1]
	if e, m, ok := strings.Cut(enc, "*"); ok {
		if f.mul, err = strconv.ParseInt(m, 10, 64); err != nil {
			return f, fmt.Errorf("bad multiplier in %q", enc)
		}
		enc = e
	}
	enc, f.zeroIsNone = strings.CutSuffix(enc, "!0")
	enc, f.keepOld = strings.CutSuffix(enc, "~")
	switch {
	case strings.HasPrefix(enc, "enum{"):
		f.enc = encEnumList
		for _, v := range strings.Split(strings.Trim(enc[4:], "{}"), ",") {
			x, err := strconv.ParseUint(v, 0, 8)
			if err != nil {
				return f, fmt.Errorf("bad enum list %q", enc)
			}
			f.list = append(f.list, byte(x))
		}
	case strings.HasPrefix(enc, "enum-"):
		f.enc = encEnumFrom
		if f.base, err = strconv.ParseInt(enc[5:], 10, 64); err != nil {
			return f, fmt.Errorf("bad enum base %q", enc)
		}
	case strings.HasPrefix(enc, "ascii"):
		f.enc = encASCII
		if f.chars, err = strconv.Atoi(enc[5:]); err != nil || f.chars < 1 {
			return f, fmt.Errorf("bad ascii width %q", enc)
		}
	default:
		e, ok := encodings[enc]
		if !ok {
			return f, fmt.Errorf("unknown encoding %q", enc)
		}
		f.enc = e
	}
	if (f.enc == encBit) != hasBit {
		return f, fmt.Errorf("a bit field needs @offset.bit, and only a bit field has one: %q", line)
	}
	if hasBit {
		b, err := strconv.Atoi(bit)
		if err != nil || b > 7 {
			return f, fmt.Errorf("bad bit %q", w[0])
		}
		f.bit = uint8(b)
	}
	return f, nil
}
