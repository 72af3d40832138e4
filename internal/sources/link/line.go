// Package link is an in-memory EMS bus line: a shared half-duplex wire on
// which every frame one participant transmits reaches every participant,
// the sender included (its echo), in the stream encoding of
// telegram.Framer. It connects the simulator, acting as bus master, to the
// gateway, and lets tests damage frames in transit.
package link

import (
	"io"
	"sync"

	"github.com/emsd/emsd/internal/telegram"
)

// Line is the wire. The zero value is ready to use.
type Line struct {
	mu    sync.Mutex
	ports []*Port
	// Damage, when set, may change a frame in transit (for fault injection);
	// every participant then receives the damaged bytes.
	Damage func(frame []byte) []byte
}

// Port is one participant's connection to the line.
type Port struct {
	line   *Line
	mu     sync.Mutex
	cond   *sync.Cond
	buf    []byte
	closed bool
}

// Attach connects a new participant.
func (l *Line) Attach() *Port {
	p := &Port{line: l}
	p.cond = sync.NewCond(&p.mu)
	l.mu.Lock()
	l.ports = append(l.ports, p)
	l.mu.Unlock()
	return p
}

// Transmit puts a frame on the line, followed by a BREAK.
func (p *Port) Transmit(frame []byte) error {
	l := p.line
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.Damage != nil {
		frame = l.Damage(append([]byte(nil), frame...))
	}
	encoded := telegram.AppendFrame(nil, frame)
	for _, q := range l.ports {
		q.deliver(encoded)
	}
	return nil
}

func (p *Port) deliver(b []byte) {
	p.mu.Lock()
	if !p.closed {
		p.buf = append(p.buf, b...)
		p.cond.Signal()
	}
	p.mu.Unlock()
}

// Read blocks until the line carries bytes for this participant.
func (p *Port) Read(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(p.buf) == 0 && !p.closed {
		p.cond.Wait()
	}
	if len(p.buf) == 0 {
		return 0, io.EOF
	}
	n := copy(b, p.buf)
	p.buf = p.buf[n:]
	if len(p.buf) == 0 {
		p.buf = p.buf[:0:0] // let a long backlog be collected
	}
	return n, nil
}

// Close disconnects the participant; a blocked Read returns io.EOF.
func (p *Port) Close() error {
	p.mu.Lock()
	p.closed = true
	p.cond.Broadcast()
	p.mu.Unlock()
	return nil
}
