// Package gateway takes part in the EMS bus: it frames the byte stream,
// parses telegrams, discovers devices and routes each telegram to the device
// that decodes it, answers the master's polls with read requests of its
// own, and counts everything that goes wrong on the way.
package gateway

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"sync"
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

// busTimeout is how long the bus counts as connected after the last poll
// for us (or, on a bus we only listen to, the last good telegram).
const busTimeout = 30 * time.Second

// Transmitter puts one frame on the bus, followed by a BREAK.
type Transmitter interface {
	Transmit(frame []byte) error
}

// Options configure a gateway.
type Options struct {
	BusID    byte         // our address; telegram.DefaultBusID when 0
	ReadOnly bool         // never transmit, not even an answer to a poll
	Capture  io.Writer    // when set, every frame received is recorded here
	Log      *slog.Logger // nil: discard
	// FetchInterval is how often telegrams that devices send only on
	// request are read again; 60 s when 0.
	FetchInterval time.Duration
}

// Stats are the bus counters of /api/system/info's "bus" section.
type Stats struct {
	TelegramsReceived   uint64
	Reads               uint64 // read requests answered
	Writes              uint64 // writes acknowledged
	IncompleteTelegrams uint64 // frames too short, too long, damaged or with a wrong CRC
	ReadsFailed         uint64 // reads given up after the retries
	WritesFailed        uint64 // writes given up or rejected
	CRCErrors           uint64
	UnknownTelegrams    uint64 // good telegrams no known device understands
	DecodeFaults        uint64 // telegrams a decoder failed on (a bug)
	TxRetries           uint64
	Protocol            string // "Buderus" or "HT3" once detected, else ""
	Connected           bool
	Polled              bool // the master polls us: we take part in the bus
	LastTelegram        time.Time
}

// RxQuality is the percentage of good frames among all frames received.
func (s *Stats) RxQuality() int {
	return percent(s.TelegramsReceived, s.IncompleteTelegrams)
}

// TxQuality is the percentage of reads and writes that succeeded.
func (s *Stats) TxQuality() int {
	return percent(s.Reads+s.Writes, s.ReadsFailed+s.WritesFailed)
}

func percent(good, bad uint64) int {
	if good+bad == 0 {
		return 100
	}
	return int((good*100 + (good+bad)/2) / (good + bad))
}

// Gateway is one bus participant with its own bus ID. Feed it from one
// goroutine and run Run in another; Stats may be read from any.
type Gateway struct {
	opt    Options
	busID  byte
	store  *store.Store
	log    *slog.Logger
	now    func() time.Time
	framer telegram.Framer

	mu          sync.Mutex // guards everything below
	tx          Transmitter
	stats       Stats
	mask        int // -1 until the first good telegram, then telegram.Mask
	lastPoll    time.Time
	busActive   bool          // as last logged
	present     map[byte]bool // devices flagged in UBADevices
	queue       []request
	exchange    exchange
	nextFetch   time.Time
	noFetch     map[uint32]bool // dest<<16 | type: answered empty, or a "once" type answered; not fetched again
	limiter     logLimiter
	captureLine []byte
	current     telegram.Telegram // the telegram being handled
}

// New returns a gateway that fills st.
func New(opt Options, st *store.Store) *Gateway {
	if opt.BusID == 0 {
		opt.BusID = telegram.DefaultBusID
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opt.FetchInterval == 0 {
		opt.FetchInterval = 60 * time.Second
	}
	g := &Gateway{opt: opt, busID: opt.BusID, store: st, log: opt.Log, now: time.Now, mask: -1, present: map[byte]bool{}}
	g.limiter.log = g.log
	return g
}

// SetTransmitter connects the gateway's sending side; without one (or in
// read-only mode) it only listens. The first request is the boiler's device
// list, as EMS-ESP's.
func (g *Gateway) SetTransmitter(t Transmitter) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.tx = t
	if t != nil && !g.opt.ReadOnly {
		g.enqueue(request{dest: telegram.BoilerID, typ: typeUBADevices, length: 0xFF})
	}
}

// Run keeps time for the gateway: exchanges that get no answer time out and
// telegrams are fetched again on schedule. It returns when ctx ends.
func (g *Gateway) Run(ctx context.Context) {
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			g.mu.Lock()
			g.tick(g.now())
			g.mu.Unlock()
		}
	}
}

// Feed consumes bytes in the stream encoding of telegram.Framer.
func (g *Gateway) Feed(stream []byte) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.framer.Feed(stream, g.frame)
}

// FeedFrom feeds everything read from r (a line the gateway listens on)
// until reading fails, and returns that error.
func (g *Gateway) FeedFrom(r io.Reader) error {
	buf := make([]byte, 4096)
	for {
		n, err := r.Read(buf)
		g.Feed(buf[:n])
		if err != nil {
			return err
		}
	}
}

// FeedAt is Feed for frames recorded at a known time (a capture played
// back): they count as received then, so what depends on time, a boiler's
// integrated energy, comes out as it did on the bus at any replay speed.
func (g *Gateway) FeedAt(stream []byte, at time.Time) {
	if at.IsZero() {
		g.Feed(stream)
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.framer.Feed(stream, func(kind telegram.FrameKind, frame []byte) { g.frameAt(kind, frame, at) })
}

// Frame handles one whole frame (CRC included, BREAK excluded).
func (g *Gateway) Frame(frame []byte) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(frame) == 1 {
		g.frame(telegram.FramePoll, frame)
		return
	}
	g.frame(telegram.FrameTelegram, frame)
}

func (g *Gateway) frame(kind telegram.FrameKind, frame []byte) { g.frameAt(kind, frame, g.now()) }

func (g *Gateway) frameAt(kind telegram.FrameKind, frame []byte, now time.Time) {
	if kind != telegram.FramePoll {
		g.record(now, frame)
	}
	switch kind {
	case telegram.FramePoll:
		g.singleByte(frame[0], now)
	case telegram.FrameTelegram:
		g.telegramFrame(frame, now)
	default:
		g.stats.IncompleteTelegrams++
		g.limiter.warn(now, "incomplete frame", "bytes", len(frame))
		g.failPendingEcho(now, "damaged")
	}
}

func (g *Gateway) telegramFrame(frame []byte, now time.Time) {
	if frame[0]&0x7F == g.busID {
		g.echo(frame, now)
		return
	}
	// The telegram lives in the gateway, not on the heap: the decoder's
	// special cases would make a local one escape.
	var err error
	g.current, err = telegram.Parse(frame)
	t := &g.current
	if err != nil {
		g.stats.IncompleteTelegrams++
		if err == telegram.ErrCRC {
			g.stats.CRCErrors++
		}
		g.limiter.warn(now, err.Error(), "frame", hex.EncodeToString(frame))
		g.failPendingEcho(now, "damaged")
		return
	}
	g.stats.TelegramsReceived++
	g.stats.LastTelegram = now
	if g.mask < 0 {
		g.mask = int(t.Mask)
	}
	g.failPendingEcho(now, "missing")
	reply := g.exchange.state == awaitReply && t.Src == g.exchange.req.dest && t.Dest == g.busID && !t.Read
	defer func() {
		// A decoder fault is a bug to report, not a reason to stop serving.
		if p := recover(); p != nil {
			g.stats.DecodeFaults++
			g.log.Error("decoding a telegram failed; please report it", "frame", hex.EncodeToString(frame), "panic", p)
		}
	}()
	g.telegram(t, now)
	if reply {
		g.replied(t, now)
	}
}

// telegram routes a good telegram to the device that decodes it.
func (g *Gateway) telegram(t *telegram.Telegram, now time.Time) {
	if t.Read {
		return // requests carry no values
	}
	switch t.Type {
	case typeUBADevices:
		if t.Src == telegram.BoilerID {
			g.ubaDevices(t)
		}
		return
	case typeVersion:
		g.version(t)
		return
	}
	// As EMS-ESP: the sender takes broadcasts and what it sends us or the
	// master thermostat, the receiver takes commands sent to it. Unlike
	// EMS-ESP, a sender also takes a telegram its receiver does not know
	// (an EM10 reporting its setpoints to the boiler with 0x1A).
	var known bool
	switch {
	case t.Dest == telegram.Broadcast || t.Dest == g.busID || t.Dest == 0x10:
		known = g.store.Decode(t.Src, t, now)
		if !known && t.Dest != telegram.Broadcast && g.store.Has(t.Dest) {
			known = g.store.Decode(t.Dest, t, now)
		}
	default:
		known = g.store.Decode(t.Dest, t, now)
		if !known {
			known = g.store.Decode(t.Src, t, now)
		}
	}
	if !known {
		g.stats.UnknownTelegrams++
	}
}

// ubaDevices records which bus IDs the boiler reports present: data byte n
// bit b stands for device ((n+1)*8)+b. New ones are asked for their version.
func (g *Gateway) ubaDevices(t *telegram.Telegram) {
	if t.Offset != 0 || len(t.Data) > 15 {
		return
	}
	for n, b := range t.Data {
		for bit := 0; bit < 8; bit++ {
			id := byte((n+1)*8 + bit)
			on := b&(1<<bit) != 0
			if id >= 0x80 || id == g.busID || g.present[id] == on {
				continue
			}
			g.present[id] = on
			if on && !g.store.Has(id) {
				g.log.Info("device flagged present, asking for its version", "deviceID", fmt.Sprintf("0x%02X", id))
				g.enqueue(request{dest: id, typ: typeVersion, length: 0xFF})
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
	data := t.Data
	var productID byte
	version := ""
	if len(data) > 0 {
		productID = data[0]
		if productID == 0 {
			if len(data) <= 5 || data[3] == 0 {
				return
			}
			productID, data = data[3], data[3:] // a second subscriber answers in its place
		}
		if len(data) >= 3 {
			version = fmt.Sprintf("%02d.%02d", data[1], data[2])
		}
	}
	brand := ""
	if len(data) >= 10 {
		brand = brands[data[9]]
	}
	p, ok := devices.Identify(id, productID, version)
	if !ok {
		return
	}
	d := devices.NewDevice(id, p, version, brand)
	if !g.store.Add(d) {
		return
	}
	g.log.Info("device found", "type", p.Type, "name", p.Name, "deviceID", fmt.Sprintf("0x%02X", id),
		"productID", productID, "version", version)
	g.queueFetches(d)
}

// record appends a frame to the capture: "<RFC 3339 time> <hex>".
func (g *Gateway) record(now time.Time, frame []byte) {
	if g.opt.Capture == nil {
		return
	}
	b := now.AppendFormat(g.captureLine[:0], time.RFC3339Nano)
	b = append(b, ' ')
	b = hex.AppendEncode(b, frame)
	b = append(b, '\n')
	g.captureLine = b
	if _, err := g.opt.Capture.Write(b); err != nil {
		g.limiter.warn(now, "capture write failed", "err", err)
	}
}

// Stats returns the current counters.
func (g *Gateway) Stats() Stats {
	g.mu.Lock()
	defer g.mu.Unlock()
	s := g.stats
	now := g.now()
	s.Polled = !g.lastPoll.IsZero() && now.Sub(g.lastPoll) < busTimeout
	s.Connected = s.Polled || !s.LastTelegram.IsZero() && now.Sub(s.LastTelegram) < busTimeout
	switch g.mask {
	case int(telegram.MaskEMS):
		s.Protocol = "Buderus"
	case int(telegram.MaskHT3):
		s.Protocol = "HT3"
	}
	return s
}

// logLimiter keeps a noisy line from flooding the log: the first event of a
// kind is logged, then at most one summary a minute.
type logLimiter struct {
	log    *slog.Logger
	last   map[string]time.Time
	counts map[string]int
}

func (l *logLimiter) warn(now time.Time, msg string, args ...any) {
	if l.last == nil {
		l.last, l.counts = map[string]time.Time{}, map[string]int{}
	}
	l.counts[msg]++
	if last, ok := l.last[msg]; ok && now.Sub(last) < time.Minute {
		return
	}
	l.last[msg] = now
	l.log.Warn(msg, append(args, "count", l.counts[msg])...)
	l.counts[msg] = 0
}
