package sim

import (
	"context"
	"io"
	"time"

	"github.com/emsd/emsd/internal/telegram"
)

// Port is the master's connection to the line: it hears every frame on the
// line, its own included, and transmits frames followed by a BREAK.
type Port interface {
	io.Reader
	Transmit(frame []byte) error
}

// slotTimeout is how long the master waits for a polled device (ems-bus.md §1.3).
const slotTimeout = 200 * time.Millisecond

// Serve runs the boiler as bus master until ctx ends: it keeps the
// simulated time, broadcasts what is due, and polls the gateway, answering
// its read requests and acknowledging its writes within the poll slot.
func (s *Sim) Serve(ctx context.Context, port Port, gateway byte) error {
	frames := make(chan []byte, 64)
	go func() {
		defer close(frames)
		var f telegram.Framer
		buf := make([]byte, 256)
		for {
			n, err := port.Read(buf)
			f.Feed(buf[:n], func(_ telegram.FrameKind, frame []byte) {
				select {
				case frames <- append([]byte(nil), frame...):
				case <-ctx.Done():
				}
			})
			if err != nil {
				return
			}
		}
	}()
	m := master{sim: s, port: port, frames: frames, gateway: gateway}
	last := time.Now()
	tick := time.NewTicker(s.opt.Tick)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		now := time.Now()
		s.Advance(time.Duration(float64(now.Sub(last)) * s.opt.Speed))
		last = now
		for _, t := range s.due() {
			m.send(telegram.Append(nil, t))
		}
		if !m.slot(ctx) {
			return nil
		}
	}
}

type master struct {
	sim     *Sim
	port    Port
	frames  <-chan []byte
	gateway byte
	echoes  int // frames we sent whose echo has not come back yet
}

func (m *master) send(frame []byte) {
	if m.port.Transmit(frame) == nil {
		m.echoes++
	}
}

// slot polls the gateway and serves it until it hands the bus back or the
// slot times out. It reports false when the line is gone.
func (m *master) slot(ctx context.Context) bool {
	m.send([]byte{m.gateway | 0x80})
	timeout := time.NewTimer(slotTimeout)
	defer timeout.Stop()
	for {
		var frame []byte
		var ok bool
		select {
		case <-ctx.Done():
			return false
		case <-timeout.C:
			return true
		case frame, ok = <-m.frames:
			if !ok {
				return false
			}
		}
		if m.echoes > 0 {
			m.echoes-- // the line keeps order: our own frames come back first
			continue
		}
		if len(frame) == 1 {
			if frame[0]&0x7F == m.gateway {
				return true // the gateway hands the bus back
			}
			continue
		}
		req, err := telegram.Parse(frame)
		if err != nil || req.Src != m.gateway {
			continue // damaged on the line: the gateway will try again
		}
		switch {
		case req.Read:
			m.send(telegram.Append(nil, m.sim.answer(req)))
		default:
			if _, known := m.sim.block(req.Dest, req.Type); known {
				m.send([]byte{0x01})
			} else {
				m.send([]byte{0x04})
			}
		}
	}
}
