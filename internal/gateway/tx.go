package gateway

import (
	"bytes"
	"fmt"
	"time"

	"github.com/emsd/emsd/internal/devices"
	"github.com/emsd/emsd/internal/telegram"
)

// Transmit limits (ems-bus.md §1.6).
const (
	maxRetries   = 3
	maxQueue     = 160
	echoTimeout  = 200 * time.Millisecond // a 32-byte frame takes 33 ms at 9600 baud, plus adapter latency
	replyTimeout = 200 * time.Millisecond // a device answers within its poll slot
	writeOK      = 0x01
	writeFailed  = 0x04
)

// request is a read or write waiting for our next poll.
type request struct {
	write   bool
	dest    byte
	typ     uint16
	offset  byte
	length  byte   // reads: bytes asked for, 0xFF for everything
	once    bool   // a fetch that ends with the first answer
	data    []byte // writes
	retries int
}

func (r request) String() string {
	op := "read"
	if r.write {
		op = "write"
	}
	return fmt.Sprintf("%s 0x%02X @%d of 0x%02X", op, r.typ, r.offset, r.dest)
}

func fetchKey(dest byte, typ uint16) uint32 { return uint32(dest)<<16 | uint32(typ) }

type exchangeState uint8

const (
	idle       exchangeState = iota
	awaitEcho                // our frame is on the line; its echo must come back unchanged
	awaitReply               // a read: the device answers within our poll slot
	awaitAck                 // a write: the device answers 0x01 or 0x04
)

// exchange is the request on the line right now.
type exchange struct {
	state    exchangeState
	req      request
	sent     []byte
	deadline time.Time
}

// Write queues a write of data to a device's telegram at offset. It is sent
// when the master next polls us.
func (g *Gateway) Write(dest byte, typ uint16, offset byte, data []byte) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.opt.ReadOnly || g.tx == nil {
		return fmt.Errorf("gateway: read-only, not writing 0x%02X to 0x%02X", typ, dest)
	}
	if !g.enqueue(request{write: true, dest: dest, typ: typ, offset: offset, data: append([]byte(nil), data...)}) {
		return fmt.Errorf("gateway: transmit queue full")
	}
	return nil
}

// enqueue adds a request unless the same one is waiting already.
func (g *Gateway) enqueue(r request) bool {
	if g.tx == nil || g.opt.ReadOnly {
		return false
	}
	for _, q := range g.queue {
		if !q.write && !r.write && q.dest == r.dest && q.typ == r.typ && q.offset == r.offset {
			return true
		}
	}
	if len(g.queue) >= maxQueue {
		g.limiter.warn(g.now(), "transmit queue full, dropping a request", "request", r.String())
		return false
	}
	g.queue = append(g.queue, r)
	return true
}

// queueFetches asks a device for every telegram it sends only on request
// and has not declared unknown (nor, for a "once" type, answered already).
func (g *Gateway) queueFetches(d *devices.Device) {
	for _, h := range d.Handlers {
		if h.Fetch && !g.noFetch[fetchKey(d.ID, h.Type)] {
			g.enqueue(request{dest: d.ID, typ: h.Type, length: 0xFF, once: h.Once})
		}
	}
}

// singleByte handles a one-byte frame: a poll, a write acknowledgement, or
// the echo of our own bus release.
func (g *Gateway) singleByte(b byte, now time.Time) {
	if g.exchange.state == awaitEcho && len(g.exchange.sent) == 1 {
		g.exchange = exchange{} // the echo of our poll answer
		if b == g.ownAck() {
			return
		}
	}
	if g.exchange.state == awaitAck {
		switch b {
		case writeOK:
			g.stats.Writes++
			g.done(now)
		case writeFailed:
			g.stats.WritesFailed++
			g.log.Warn("write rejected by the device", "request", g.exchange.req.String())
			g.done(now)
		default:
			g.failed(now, fmt.Sprintf("answer 0x%02X to a write", b))
		}
		return
	}
	mask := byte(0)
	if g.mask > 0 {
		mask = byte(g.mask)
	}
	if b^0x80^mask != g.busID {
		return // a poll for someone else, or a device releasing the bus
	}
	g.lastPoll = now
	if g.exchange.state != idle {
		g.failed(now, "polled again before an answer")
	}
	g.polled(now)
}

// ownAck is the byte with which we answer a poll or release the bus.
func (g *Gateway) ownAck() byte {
	if g.mask > 0 {
		return g.busID ^ byte(g.mask)
	}
	return g.busID
}

// polled: we have the bus. Send the next request, or hand the bus back.
func (g *Gateway) polled(now time.Time) {
	if g.tx == nil || g.opt.ReadOnly {
		return
	}
	if len(g.queue) == 0 {
		g.transmit([]byte{g.ownAck()}, exchange{state: awaitEcho}, now)
		return
	}
	r := g.queue[0]
	t := telegram.Telegram{Src: g.busID, Dest: r.dest, Type: r.typ, Offset: r.offset, Length: r.length, Read: !r.write, Data: r.data}
	if g.mask > 0 {
		t.Mask = telegram.Mask(g.mask)
	}
	g.transmit(telegram.Append(nil, t), exchange{state: awaitEcho, req: r}, now)
}

func (g *Gateway) transmit(frame []byte, x exchange, now time.Time) {
	x.sent, x.deadline = frame, now.Add(echoTimeout)
	g.exchange = x
	if err := g.tx.Transmit(frame); err != nil {
		g.limiter.warn(now, "transmit failed", "err", err)
		g.exchange = exchange{}
	}
}

// echo handles a frame that carries our own address: the echo of what we
// sent. A changed echo means the line corrupted our telegram.
func (g *Gateway) echo(frame []byte, now time.Time) {
	x := &g.exchange
	if x.state != awaitEcho || len(x.sent) < 2 {
		return
	}
	if !bytes.Equal(frame, x.sent) {
		g.failed(now, "corrupted echo")
		return
	}
	if x.req.write {
		x.state = awaitAck
	} else {
		x.state = awaitReply
	}
	x.deadline = now.Add(replyTimeout)
}

// failPendingEcho: a frame that is not our echo arrived while we waited for it.
func (g *Gateway) failPendingEcho(now time.Time, why string) {
	if g.exchange.state == awaitEcho && len(g.exchange.sent) > 1 {
		g.failed(now, why+" echo")
	}
}

// replied handles the answer to our read. A reply that stops short of what
// was asked for is continued at the next offset within the same poll slot.
func (g *Gateway) replied(t *telegram.Telegram, now time.Time) {
	r := g.exchange.req
	g.stats.Reads++
	// An empty answer says the device lacks the type (or circuit); a "once"
	// type is settled by its first answer. Neither is fetched again.
	empty := len(t.Data) == 0 && t.Offset == 0 && r.typ != typeVersion
	if empty || r.once && len(t.Data) > 0 {
		if g.noFetch == nil {
			g.noFetch = map[uint32]bool{}
		}
		g.noFetch[fetchKey(r.dest, r.typ)] = true
	}
	g.queue = g.queue[1:]
	g.exchange = exchange{}
	maxData := telegram.MaxDataEMS
	if t.IsEMSPlus() {
		maxData = telegram.MaxDataEMSPlus
	}
	end := int(t.Offset) + len(t.Data)
	wanted := int(r.offset) + int(r.length)
	switch {
	case r.length == 0xFF && len(t.Data) >= maxData-4 && end < 0xFF,
		r.length != 0xFF && len(t.Data) > 0 && end < wanted:
		next := request{dest: r.dest, typ: r.typ, offset: byte(end), length: 0xFF}
		if r.length != 0xFF {
			next.length = byte(wanted - end)
		}
		g.queue = append([]request{next}, g.queue...)
		g.polled(now)
	default:
		g.release(now)
	}
}

// done ends a successful exchange and releases the bus.
func (g *Gateway) done(now time.Time) {
	g.queue = g.queue[1:]
	g.exchange = exchange{}
	g.release(now)
}

func (g *Gateway) release(now time.Time) {
	g.transmit([]byte{g.ownAck()}, exchange{state: awaitEcho}, now)
}

// failed ends an exchange that went wrong: the request is tried again at the
// next poll, up to maxRetries times.
func (g *Gateway) failed(now time.Time, why string) {
	x := g.exchange
	g.exchange = exchange{}
	if len(x.sent) < 2 || len(g.queue) == 0 {
		return // only our poll answer was on the line
	}
	g.stats.TxRetries++
	g.queue[0].retries++
	if g.queue[0].retries <= maxRetries {
		g.log.Debug("transmit retry", "request", x.req.String(), "why", why, "retry", g.queue[0].retries)
		return
	}
	g.queue = g.queue[1:]
	if x.req.write {
		g.stats.WritesFailed++
	} else {
		g.stats.ReadsFailed++
	}
	g.limiter.warn(now, "no answer from device after retries", "request", x.req.String(), "why", why)
}

// tick times out exchanges, notices a bus that falls silent, and schedules
// the periodic fetches.
func (g *Gateway) tick(now time.Time) {
	last := g.stats.LastTelegram
	if g.lastPoll.After(last) {
		last = g.lastPoll
	}
	if active := !last.IsZero() && now.Sub(last) < busTimeout; active != g.busActive {
		g.busActive = active
		if active {
			g.log.Info("bus active")
		} else {
			g.log.Warn("bus silent", "for", busTimeout)
		}
	}
	if g.exchange.state != idle && now.After(g.exchange.deadline) {
		switch g.exchange.state {
		case awaitEcho:
			g.failed(now, "no echo")
		default:
			g.failed(now, "no answer")
		}
	}
	if g.tx == nil || g.opt.ReadOnly {
		return
	}
	if g.nextFetch.IsZero() {
		g.nextFetch = now.Add(g.opt.FetchInterval)
	}
	if now.Before(g.nextFetch) || len(g.queue) > 0 {
		return
	}
	g.nextFetch = now.Add(g.opt.FetchInterval)
	for _, d := range g.store.Devices() {
		g.queueFetches(d)
	}
}
