// Package store holds the devices found on the bus and their current values.
// One writer (the decoder or the bridge) and many readers: readers copy a
// snapshot under a short read lock and render from the copy, never holding
// the lock while they write a response.
package store

import (
	"sync"
	"time"

	"github.com/emsd/emsd/internal/devices"
	"github.com/emsd/emsd/internal/telegram"
)

// Store is safe for concurrent use. The zero value is not usable; call New.
type Store struct {
	mu      sync.RWMutex
	devices []*devices.Device // in the order they were found
	states  []devices.State
	seen    []time.Time // last telegram per device
	byID    [128]int    // device index + 1 by bus ID; 0 = none
	layout  uint64      // bumped whenever a device or circuit appears
	writes  uint64      // bumped by every change

	savedEnergy map[byte]devices.Energy // from an earlier run, by bus ID (energy.go)

	summaryMu     sync.Mutex
	summaryWrites uint64 // writes when summary was made
	summary       []Summary
}

// New returns an empty store.
func New() *Store { return &Store{} }

// Add registers a discovered device. It returns false when a device with
// that bus ID is already known.
func (s *Store) Add(d *devices.Device) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d.ID >= 128 || s.byID[d.ID] != 0 {
		return false
	}
	s.devices = append(s.devices, d)
	s.states = append(s.states, d.NewState())
	s.restoreEnergy(d, &s.states[len(s.states)-1])
	s.seen = append(s.seen, time.Time{})
	s.byID[d.ID] = len(s.devices)
	s.layout++
	s.writes++
	return true
}

// Has reports whether a device with that bus ID is known.
func (s *Store) Has(id byte) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return id < 128 && s.byID[id] != 0
}

// Devices returns the devices found so far.
func (s *Store) Devices() []*devices.Device {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return append([]*devices.Device(nil), s.devices...)
}

// Decode applies a telegram to the device with bus ID id. It reports whether
// such a device exists and understands the telegram's type.
func (s *Store) Decode(id byte, t *telegram.Telegram, now time.Time) (known bool) {
	i, circuits, ok := s.lockDevice(id)
	if !ok {
		return false
	}
	defer func() { s.unlockDevice(i, circuits, now, known) }() // even if a decoder panics
	return s.devices[i].Decode(&s.states[i], t, now)
}

// Update lets fn change the state of the device with bus ID id, as a
// source that does not decode telegrams (the bridge) fills it. It reports
// whether the device exists.
func (s *Store) Update(id byte, now time.Time, fn func(d *devices.Device, st *devices.State)) bool {
	i, circuits, ok := s.lockDevice(id)
	if !ok {
		return false
	}
	defer s.unlockDevice(i, circuits, now, true)
	fn(s.devices[i], &s.states[i])
	return true
}

// lockDevice takes the write lock and finds the device with bus ID id; when
// there is none it returns false, unlocked. circuits is the device's
// circuits before the change.
func (s *Store) lockDevice(id byte) (i int, circuits uint64, ok bool) {
	if id >= 128 {
		return 0, 0, false
	}
	s.mu.Lock()
	i = s.byID[id] - 1
	if i < 0 {
		s.mu.Unlock()
		return 0, 0, false
	}
	return i, s.states[i].Circuits, true
}

// unlockDevice records a change to device i and releases the lock: a new
// circuit changes the layout the renderers plan by.
func (s *Store) unlockDevice(i int, circuits uint64, now time.Time, seen bool) {
	s.writes++
	if s.states[i].Circuits != circuits {
		s.layout++
	}
	if seen {
		s.seen[i] = now
	}
	s.mu.Unlock()
}

// Summary is a device and how many entities it has active (with a value,
// or a registered command), what a system answer shows per device.
type Summary struct {
	Device *devices.Device
	Active int
}

// Summaries lists every device with its active entity count, into dst,
// without copying any values.
func (s *Store) Summaries(dst []Summary) []Summary {
	s.summaryMu.Lock()
	defer s.summaryMu.Unlock()
	s.mu.RLock()
	if s.summary == nil || s.summaryWrites != s.writes {
		s.summary = s.summary[:0]
		for i, d := range s.devices {
			s.summary = append(s.summary, Summary{d, d.Active(&s.states[i])})
		}
		s.summaryWrites = s.writes
	}
	s.mu.RUnlock()
	return append(dst[:0], s.summary...)
}

// Snapshot is a consistent copy of every device's state.
type Snapshot struct {
	Layout  uint64 // changes whenever Devices or a device's circuits change
	Devices []*devices.Device
	States  []devices.State
	Seen    []time.Time
}

// Snapshot copies the current state into dst, reusing its buffers.
func (s *Store) Snapshot(dst *Snapshot) { s.snapshot(dst, false, 0) }

// SnapshotOf is Snapshot for an answer about one device type: only the
// states of devices of that type are copied, the others are left empty.
func (s *Store) SnapshotOf(dst *Snapshot, typ devices.Type) { s.snapshot(dst, true, typ) }

func (s *Store) snapshot(dst *Snapshot, onlyType bool, typ devices.Type) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	dst.Layout = s.layout
	dst.Devices = append(dst.Devices[:0], s.devices...)
	dst.Seen = append(dst.Seen[:0], s.seen...)
	if cap(dst.States) < len(s.states) {
		dst.States = append(dst.States[:cap(dst.States)], make([]devices.State, len(s.states)-cap(dst.States))...)
	}
	dst.States = dst.States[:len(s.states)]
	for i := range s.states {
		if onlyType && s.devices[i].Product.Type != typ {
			dst.States[i].Clear()
			continue
		}
		dst.States[i].CopyFrom(&s.states[i])
	}
}
