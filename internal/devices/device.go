package devices

import (
	"sync"
	"time"

	"github.com/emsd/emsd/internal/telegram"
)

// Value is the current value of one entity.
type Value struct {
	Num int64  // bool 0/1, enum index, or the raw number before the operator
	Str string // string entities
	Set bool   // false: no value (never received, or a "no value" sentinel)
}

// Device is one device on the bus and the entities its model offers.
// It is immutable once created; its values live in a State.
type Device struct {
	ID      byte
	Product Product
	Version string
	Brand   string

	// Entities are all the device's possible entities in registration order.
	// Per-circuit entities are in blocks, hc1 first; they count as
	// registered only once their circuit exists (State.HasCircuit).
	Entities []Entity
	Handlers []*Handler // the telegram types the device understands
	Commands []int      // slots of the command entities, which count without a value

	slots      map[slotKey]int
	byType     map[uint16]*Handler
	hcBase     int // slot of hc1's first entity
	hcStride   int // entities per heating circuit
	ownCircuit Tag // a module that serves one heating circuit (mixers); 0 otherwise
	initial    []initialValue
	energy     *energySlots // a boiler's entities burnerEnergy uses; nil without them
}

// heatingCircuits is how many circuits a device can have, hc1..hc8.
const heatingCircuits = 8

type slotKey struct {
	tag   Tag
	short string
}

// Handler is one telegram type a device understands.
type Handler struct {
	Type    uint16
	Name    string
	Fetch   bool // sent only on request
	Once    bool // fetched only until it first answers
	index   int
	circuit Tag // the heating circuit of this type ID; 0 = device level
	monitor bool
	whole   int
	need    [2]int
	fields  []boundField
	special []specialFunc
}

type boundField struct {
	fieldDef
	slot       int // absolute slot, or the index within a circuit block
	perCircuit bool
	options    int64 // an enum's option count: larger indexes are no value
}

// State is what a device currently reports. The store owns it; Decode
// changes it.
type State struct {
	Values   []Value
	Circuits uint64 // bit t is set when circuit Tag t exists
	Received []bool // per Handler: at least one telegram seen
	memo     map[memoKey]int64
	now      time.Time // when the telegram being decoded arrived
	energy   energyMeter
}

// CopyFrom makes s a copy of what src reports, reusing s's buffers; what
// special cases remember between telegrams stays behind.
func (s *State) CopyFrom(src *State) {
	s.Values = append(s.Values[:0], src.Values...)
	s.Received = append(s.Received[:0], src.Received...)
	s.Circuits = src.Circuits
	s.energy = src.energy
}

// Clear empties s, keeping its buffers.
func (s *State) Clear() {
	s.Values, s.Received, s.Circuits, s.energy = s.Values[:0], s.Received[:0], 0, energyMeter{}
}

// energySlots are the slots burnerEnergy reads and writes on every monitor
// telegram, resolved once per shape.
type energySlots struct {
	heating, tap, power, nominal, heat, dhw, total int
}

func (d *Device) findEnergySlots() *energySlots {
	var e energySlots
	for _, f := range []struct {
		slot *int
		tag  Tag
		name string
	}{
		{&e.heating, TagDevice, "heatingactive"}, {&e.tap, TagDevice, "tapwateractive"},
		{&e.power, TagDevice, "curburnpow"}, {&e.nominal, TagDevice, "nompower"},
		{&e.heat, TagDevice, "nrgheat"}, {&e.dhw, TagDHW, "nrg"}, {&e.total, TagDevice, "nrgtotal"},
	} {
		i, ok := d.slots[slotKey{f.tag, f.name}]
		if !ok {
			return nil
		}
		*f.slot = i
	}
	return &e
}

// energyMeter is what burnerEnergy integrates (see special.go).
type energyMeter struct {
	Energy                    // integrated so far
	at                  int64 // Unix milliseconds of the last monitor telegram
	heatPower, dhwPower int64 // burner % for heating and for dhw since then
}

// memoKey names something a special case remembers between telegrams
// (see special.go); readers never see it.
type memoKey struct {
	name string
	tag  Tag
}

// HasCircuit reports whether the circuit exists; the device level always does.
func (s *State) HasCircuit(t Tag) bool { return t == TagDevice || s.Circuits&(1<<t) != 0 }

// Active counts the entities EMS-ESP counts for a device: those with a
// value, and the registered commands.
func (d *Device) Active(s *State) int {
	n := 0
	for _, v := range s.Values {
		if v.Set {
			n++ // only registered entities get values
		}
	}
	for _, i := range d.Commands {
		if d.Registered(s, i) {
			n++
		}
	}
	return n
}

// Registered reports whether entity slot i is part of the device now.
func (d *Device) Registered(s *State, i int) bool {
	e := &d.Entities[i]
	return !(e.Tag >= TagHC1 && e.Tag < TagDHW) || s.HasCircuit(e.Tag)
}

// NewDevice builds the device a discovery found. Devices whose family has
// no table yet get no entities but still appear in the device list.
func NewDevice(id byte, p Product, version, brand string) *Device {
	d := &Device{ID: id, Product: p, Version: version, Brand: brand}
	l := layoutFor(p)
	if l == nil {
		d.slots, d.byType = map[slotKey]int{}, map[uint16]*Handler{}
		return d
	}
	if l.ownCircuit > 0 && id >= l.ownCircuit && id < l.ownCircuit+8 {
		d.ownCircuit = TagHC1 + Tag(id-l.ownCircuit)
	}
	var dhw byte // a dhw module's circuit beyond the first: 0x29 serves dhw2
	if l.ownDHW > 0 && id >= l.ownDHW && id < l.ownDHW+10 {
		dhw = id - l.ownDHW
	}
	sh := shapeFor(l, p.Flags.Model(), dhw, id)
	d.Entities, d.Handlers, d.Commands, d.slots, d.byType = sh.Entities, sh.Handlers, sh.Commands, sh.slots, sh.byType
	d.hcBase, d.hcStride, d.initial, d.energy = sh.hcBase, sh.hcStride, sh.initial, sh.energy
	return d
}

// A shape is what every device of one table and model shares: entities,
// handlers and their lookups, built once and never changed (a bridge to a
// hundred gateways keeps one copy per model, not per device).
type shapeKey struct {
	l     *layout
	model Flags
	dhw   byte
	busID byte // only for layouts with telegrams bound to a bus ID
}

var shapes sync.Map // shapeKey → *Device holding only the shared parts

func shapeFor(l *layout, model Flags, dhw, busID byte) *Device {
	if !l.byBusID {
		busID = 0 // the same shape at every ID
	}
	key := shapeKey{l, model, dhw, busID}
	if sh, ok := shapes.Load(key); ok {
		return sh.(*Device)
	}
	d := &Device{slots: map[slotKey]int{}, byType: map[uint16]*Handler{}, initial: l.initial}
	var perCircuit []tableEntity
	add := func(e Entity) {
		if e.Tag == TagDHW {
			e.Tag += Tag(dhw)
		}
		d.slots[slotKey{e.Tag, e.Short}] = len(d.Entities)
		if e.Type == Command {
			d.Commands = append(d.Commands, len(d.Entities))
		}
		d.Entities = append(d.Entities, e)
	}
	flushCircuits := func() {
		if len(perCircuit) == 0 {
			return
		}
		d.hcBase, d.hcStride = len(d.Entities), len(perCircuit)
		for hc := 0; hc < heatingCircuits; hc++ {
			for _, e := range perCircuit {
				e.Tag = TagHC1 + Tag(hc)
				add(e.Entity)
			}
		}
		perCircuit = nil
	}
	for i := range l.entities {
		e := &l.entities[i]
		switch {
		case !e.models.matches(model):
		case e.perCircuit:
			perCircuit = append(perCircuit, *e)
		default:
			flushCircuits()
			add(e.Entity)
		}
	}
	flushCircuits()
	d.energy = d.findEnergySlots()
	d.bind(l, model, dhw, busID)
	sh, _ := shapes.LoadOrStore(key, d)
	return sh.(*Device)
}

// bind resolves the layout's telegram fields to this device's slots.
// dhw shifts the module's dhw entities and its "own" types (see shapeFor);
// busID selects the telegrams bound to a bus ID.
func (d *Device) bind(l *layout, model Flags, dhw, busID byte) {
	circuitIndex := map[string]int{}
	for i := 0; i < d.hcStride; i++ {
		circuitIndex[d.Entities[d.hcBase+i].Short] = i
	}
	for _, tg := range l.telegrams {
		if !tg.models.matches(model) || !tg.at.matches(busID) {
			continue
		}
		n := max(tg.circuits, 1)
		for i := 0; i < n; i++ {
			h := &Handler{Type: tg.first + uint16(i)*tg.step, Name: tg.name, Fetch: tg.fetch, Once: tg.once,
				index: len(d.Handlers), monitor: tg.monitor, whole: tg.whole, need: tg.need}
			if tg.own {
				h.Type += uint16(dhw)
			}
			switch {
			case tg.circuits > 0:
				h.circuit = TagHC1 + Tag(i)
			case tg.hc > 0:
				h.circuit = TagHC1 + Tag(tg.hc-1)
			}
			for _, f := range tg.fields {
				if !f.models.matches(model) {
					continue
				}
				bf := boundField{fieldDef: f}
				if short, ok := cutPrefix(f.entity, "hc."); ok {
					j, found := circuitIndex[short]
					if !found {
						continue // filtered out for this model
					}
					bf.slot, bf.perCircuit = j, true
				} else if s, found := d.slot(shiftDHW(f.entity, dhw)); found {
					bf.slot = s
				} else {
					continue
				}
				e := &d.Entities[bf.slot]
				if bf.perCircuit {
					e = &d.Entities[d.hcBase+bf.slot]
				}
				if e.Type == Enum {
					bf.options = int64(len(e.Options))
				}
				h.fields = append(h.fields, bf)
			}
			for _, name := range tg.specialFns {
				h.special = append(h.special, specials[name])
			}
			d.Handlers = append(d.Handlers, h)
			d.byType[h.Type] = h
		}
	}
}

// carries reports whether t holds bytes first..last of its type's block and
// they are not all zero.
func carries(t *telegram.Telegram, first, last int) bool {
	from, to := first-int(t.Offset), last-int(t.Offset)
	if from < 0 || to >= len(t.Data) {
		return false
	}
	for _, b := range t.Data[from : to+1] {
		if b != 0 {
			return true
		}
	}
	return false
}

// shiftDHW turns "dhw.x" into "dhw2.x" for a module serving dhw2.
func shiftDHW(key string, dhw byte) string {
	if short, ok := cutPrefix(key, "dhw."); ok && dhw > 0 {
		return (TagDHW + Tag(dhw)).String() + "." + short
	}
	return key
}

func cutPrefix(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && s[:len(prefix)] == prefix {
		return s[len(prefix):], true
	}
	return s, false
}

// slot finds an entity by its key ("seltemp", "dhw.seltemp", "hc2.seltemp").
func (d *Device) slot(key string) (int, bool) {
	var k slotKey
	k.short = key
	for i := 0; i < len(key); i++ {
		if key[i] == '.' {
			t, ok := TagByName(key[:i])
			if !ok {
				return 0, false
			}
			k.tag, k.short = t, key[i+1:]
			break
		}
	}
	s, ok := d.slots[k]
	return s, ok
}

// Slot finds an entity by circuit and short name.
func (d *Device) Slot(tag Tag, short string) (int, bool) {
	s, ok := d.slots[slotKey{tag, short}]
	return s, ok
}

// NewState returns the device's state before any telegram: the values
// emsd keeps itself are set, nothing else is.
func (d *Device) NewState() State {
	s := State{Values: make([]Value, len(d.Entities)), Received: make([]bool, len(d.Handlers))}
	if d.ownCircuit != TagDevice {
		s.Circuits = 1 << d.ownCircuit
	}
	for _, iv := range d.initial {
		if i, ok := d.slot(iv.key); ok {
			s.Values[i] = Value{Num: iv.value, Set: true}
		}
	}
	return s
}

// Handler returns the handler for a telegram type, or nil.
func (d *Device) Handler(typ uint16) *Handler { return d.byType[typ] }

// Decode applies one telegram from or to this device, received at now, to
// its state. It reports whether the device knows the telegram type.
func (d *Device) Decode(s *State, t *telegram.Telegram, now time.Time) bool {
	s.now = now
	h := d.byType[t.Type]
	if h == nil {
		return false
	}
	if len(t.Data) == 0 || h.whole > 0 && (t.Offset != 0 || len(t.Data) < h.whole) {
		return true // an empty telegram says the device lacks the type or circuit
	}
	if h.need[1] > 0 && !carries(t, h.need[0], h.need[1]) {
		return true // e.g. an RC35 monitor without a room temperature: an unused circuit
	}
	hc := h.circuit
	if hc == TagDevice {
		hc = d.ownCircuit
	}
	remote := t.Src >= 0x18 && t.Src <= 0x1F
	if hc != TagDevice && remote {
		hc = TagHC1 + Tag(t.Src-0x18) // a room unit speaks for its own circuit
	}
	if hc != TagDevice && !s.HasCircuit(hc) {
		// A circuit appears with its first monitor telegram, or with anything a room unit sends.
		if !(h.monitor || remote) || len(t.Data) == 0 || int(hc-TagHC1)*d.hcStride >= len(d.Entities)-d.hcBase {
			return true
		}
		s.Circuits |= 1 << hc
	}
	s.Received[h.index] = true
	for i := range h.fields {
		f := &h.fields[i]
		if !t.Covers(f.offset, f.width()) {
			continue
		}
		slot := f.slot
		if f.perCircuit {
			slot = d.hcBase + int(hc-TagHC1)*d.hcStride + f.slot
		}
		f.apply(&s.Values[slot], t)
	}
	for _, fn := range h.special {
		fn(d, s, t, hc)
	}
	return true
}

// apply decodes the field from t (which covers it) into v.
func (f *boundField) apply(v *Value, t *telegram.Telegram) {
	off := f.offset
	b := t.At(off)
	var raw int64
	ok := true
	switch f.enc {
	case encU8:
		raw, ok = int64(b), b != 0xFF
	case encS8:
		raw, ok = int64(int8(b)), b != 0x7F
	case encU16:
		raw = int64(b)<<8 | int64(t.At(off+1))
		ok = raw < 32000
	case encS16:
		raw = int64(int16(uint16(b)<<8 | uint16(t.At(off+1))))
		ok = raw > -32000 && raw < 32000
	case encU24:
		raw = int64(b)<<16 | int64(t.At(off+1))<<8 | int64(t.At(off+2))
		ok = raw != 0xFFFFFF
	case encU32:
		raw = int64(b)<<24 | int64(t.At(off+1))<<16 | int64(t.At(off+2))<<8 | int64(t.At(off+3))
		ok = raw != 0xFFFFFF00 && raw != 0xFFFFFF
	case encBool:
		ok = b != 0xFE
		if b != 0 {
			raw = 1
		}
	case encBit:
		raw = int64(b>>f.bit) & 1
	case encEnum:
		raw, ok = int64(b), b != 0xFF
	case encEnumFrom:
		raw = int64(b) - f.base
		ok = b != 0xFF && raw >= 0
	case encEnumList:
		ok = false
		for i, x := range f.list {
			if x == b {
				raw, ok = int64(i), true
				break
			}
		}
	case encASCII:
		setString(v, t.Data[off-int(t.Offset):off-int(t.Offset)+f.chars])
		return
	}
	if !ok || (f.zeroIsNone || f.keepOld) && raw == 0 || (f.options > 0 && raw >= f.options) {
		if !f.keepOld {
			*v = Value{}
		}
		return
	}
	*v = Value{Num: raw * f.mul, Set: true}
}

// setString stores printable ASCII up to the first other byte, allocating
// only when the text changed.
func setString(v *Value, b []byte) {
	n := 0
	for n < len(b) && b[n] >= 0x20 && b[n] < 0x7F {
		n++
	}
	if n == 0 {
		*v = Value{}
		return
	}
	if !v.Set || v.Str != string(b[:n]) {
		*v = Value{Str: string(b[:n]), Set: true}
	}
}
