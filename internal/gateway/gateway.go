// Package gateway takes part in the EMS bus: it frames the byte stream,
// parses telegrams, discovers devices and routes each telegram to the device
// that decodes it, counting everything that goes wrong on the way.
package gateway

import (
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emsd/emsd/internal/devices"
	"github.com/emsd/emsd/internal/store"
	"github.com/emsd/emsd/internal/telegram"
)

// Telegram types handled by the gateway itself rather than by a device.
const (
	typeVersion    = 0x02
	typeUBADevices = 0x07
)

// busTimeout is how long the bus counts as connected after the last good telegram.
const busTimeout = 30 * time.Second

// Stats are the bus counters of /api/system/info's "bus" section.
type Stats struct {
	TelegramsReceived   uint64
	Reads               uint64
	Writes              uint64
	IncompleteTelegrams uint64
	ReadsFailed         uint64
	WritesFailed        uint64
	CRCErrors           uint64
	UnknownTelegrams    uint64
	Protocol            string // "Buderus" or "HT3" once detected, else ""
	Connected           bool
	LastTelegram        time.Time
}

// RxQuality is the percentage of good frames among all frames received.
func (s *Stats) RxQuality() int {
	total := s.TelegramsReceived + s.IncompleteTelegrams
	if total == 0 {
		return 100
	}
	return int((s.TelegramsReceived*100 + total/2) / total)
}

// TxQuality is the percentage of reads and writes that succeeded.
func (s *Stats) TxQuality() int {
	total := s.Reads + s.Writes
	if total == 0 {
		return 100
	}
	failed := s.ReadsFailed + s.WritesFailed
	return int(((total-min(failed, total))*100 + total/2) / total)
}

// Gateway is one bus participant with its own bus ID. Feed it from one
// goroutine; Stats may be read from any.
type Gateway struct {
	busID  byte
	store  *store.Store
	log    *slog.Logger
	now    func() time.Time
	framer telegram.Framer

	received, incomplete, crcErrors, unknown atomic.Uint64
	mask                                     atomic.Int32 // -1 until the first good telegram
	lastTelegram                             atomic.Int64 // unix nanoseconds

	mu      sync.Mutex
	present map[byte]bool // devices flagged in UBADevices
}

// New returns a gateway with bus ID busID that fills st.
func New(busID byte, st *store.Store, log *slog.Logger) *Gateway {
	g := &Gateway{busID: busID, store: st, log: log, now: time.Now, present: map[byte]bool{}}
	g.mask.Store(-1)
	return g
}

// Feed consumes bytes in the stream encoding of telegram.Framer.
func (g *Gateway) Feed(stream []byte) {
	g.framer.Feed(stream, g.frame)
}

func (g *Gateway) frame(kind telegram.FrameKind, frame []byte) {
	switch kind {
	case telegram.FramePoll:
		return // polls and acknowledgements carry no values
	case telegram.FrameTelegram:
		g.Frame(frame)
	default:
		g.incomplete.Add(1)
	}
}

// Frame handles one whole frame (CRC included, BREAK excluded).
func (g *Gateway) Frame(frame []byte) {
	t, err := telegram.Parse(frame)
	switch err {
	case nil:
	case telegram.ErrCRC:
		g.crcErrors.Add(1)
		g.incomplete.Add(1)
		return
	default:
		g.incomplete.Add(1)
		return
	}
	now := g.now()
	g.received.Add(1)
	g.lastTelegram.Store(now.UnixNano())
	g.mask.CompareAndSwap(-1, int32(t.Mask))
	if t.Read || t.Src == g.busID {
		return // requests carry no values; our own frames come back as echoes
	}
	switch t.Type {
	case typeUBADevices:
		if t.Src == telegram.BoilerID {
			g.ubaDevices(&t)
		}
		return
	case typeVersion:
		g.version(&t)
		return
	}
	known := false
	switch {
	case t.Dest == telegram.Broadcast || t.Dest == g.busID || t.Dest == 0x10:
		known = g.store.Decode(t.Src, &t, now)
		if !known && t.Dest != telegram.Broadcast && g.store.Has(t.Dest) {
			known = g.store.Decode(t.Dest, &t, now)
		}
	default:
		known = g.store.Decode(t.Dest, &t, now)
	}
	if !known {
		g.unknown.Add(1)
	}
}

// ubaDevices records which bus IDs the boiler reports present: data byte n
// bit b stands for device ((n+1)*8)+b.
func (g *Gateway) ubaDevices(t *telegram.Telegram) {
	if t.Offset != 0 || len(t.Data) > 15 {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	for n, b := range t.Data {
		for bit := 0; bit < 8; bit++ {
			id := byte((n+1)*8 + bit)
			on := b&(1<<bit) != 0
			if id >= 0x80 || id == g.busID || g.present[id] == on {
				continue
			}
			g.present[id] = on
			if on && !g.store.Has(id) {
				g.log.Info("device flagged present, waiting for its version", "deviceID", fmt.Sprintf("0x%02X", id))
			}
		}
	}
}

var brands = map[byte]string{1: "Bosch", 2: "Junkers", 3: "Buderus", 4: "Nefit", 5: "Sieger", 11: "Worcester", 13: "IVT"}

// version adds the device that sent a Version (0x02) reply:
// @0 product ID, @1.@2 version, @9 brand.
func (g *Gateway) version(t *telegram.Telegram) {
	id := t.Src
	if t.Offset != 0 || id == g.busID || g.store.Has(id) {
		return
	}
	var productID byte
	version := ""
	if len(t.Data) > 0 {
		productID = t.Data[0]
		if productID == 0 {
			if len(t.Data) <= 5 || t.Data[3] == 0 {
				return
			}
			productID, t.Data = t.Data[3], t.Data[3:] // a second subscriber answers in its place
		}
		if len(t.Data) >= 3 {
			version = fmt.Sprintf("%02d.%02d", t.Data[1], t.Data[2])
		}
	}
	brand := ""
	if len(t.Data) >= 10 {
		brand = brands[t.Data[9]]
	}
	p, ok := devices.Identify(id, productID, version)
	if !ok {
		return
	}
	d := devices.NewDevice(id, p, version, brand)
	if g.store.Add(d) {
		g.log.Info("device found", "type", p.Type, "name", p.Name, "deviceID", fmt.Sprintf("0x%02X", id),
			"productID", productID, "version", version, "entities", len(d.Entities))
	}
}

// Stats returns the current counters.
func (g *Gateway) Stats() Stats {
	s := Stats{
		TelegramsReceived:   g.received.Load(),
		IncompleteTelegrams: g.incomplete.Load(),
		CRCErrors:           g.crcErrors.Load(),
		UnknownTelegrams:    g.unknown.Load(),
	}
	if last := g.lastTelegram.Load(); last != 0 {
		s.LastTelegram = time.Unix(0, last)
		s.Connected = g.now().Sub(s.LastTelegram) < busTimeout
	}
	switch telegram.Mask(g.mask.Load()) {
	case telegram.MaskEMS:
		s.Protocol = "Buderus"
	case telegram.MaskHT3:
		s.Protocol = "HT3"
	}
	return s
}
