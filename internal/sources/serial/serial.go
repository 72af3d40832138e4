//go:build linux

// Package serial reads and writes the EMS bus through a serial EMS interface
// on Linux: 9600 baud 8N1, with the line configured so that a BREAK (the
// end of every EMS frame) reaches us in the byte stream as FF 00 00 and a
// literal 0xFF as FF FF (PARMRK), the encoding telegram.Framer reads.
package serial

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// TxMode is how frames are paced on the wire (ems-bus.md §1.5).
type TxMode int

const (
	TxOff     TxMode = 0 // listen only
	TxEMS     TxMode = 1 // bytes back to back, BREAK of 10 bit times
	TxEMSPlus TxMode = 2 // 20 bit times after each byte, BREAK of 11 bit times
	TxHT3     TxMode = 3 // 17 bit times after each byte, BREAK of 11 bit times
)

// ParseTxMode reads "ems", "ems+", "ht3" or "off".
func ParseTxMode(s string) (TxMode, error) {
	switch s {
	case "off":
		return TxOff, nil
	case "ems":
		return TxEMS, nil
	case "ems+", "emsplus":
		return TxEMSPlus, nil
	case "ht3":
		return TxHT3, nil
	}
	return TxOff, fmt.Errorf("unknown tx mode %q (ems, ems+, ht3 or off)", s)
}

const bitTime = 104 * time.Microsecond // at 9600 baud

// Port is an open serial EMS interface.
type Port struct {
	f    *os.File
	mode TxMode
	wmu  sync.Mutex
}

// Open opens and configures the device.
func Open(path string, mode TxMode) (*Port, error) {
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_NOCTTY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	t, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("%s is not a serial device: %w", path, err)
	}
	// Raw 8N1 at 9600 baud. PARMRK marks a BREAK as FF 00 00 and doubles a
	// literal FF; INPCK marks bytes with framing errors (FF 00 x).
	t.Iflag = unix.PARMRK | unix.INPCK
	t.Oflag = 0
	t.Lflag = 0
	t.Cflag = unix.CS8 | unix.CREAD | unix.CLOCAL | unix.B9600
	t.Ispeed, t.Ospeed = unix.B9600, unix.B9600
	t.Cc[unix.VMIN], t.Cc[unix.VTIME] = 1, 0
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, t); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("configure %s: %w", path, err)
	}
	unix.IoctlSetInt(fd, unix.TCFLSH, unix.TCIOFLUSH)
	return &Port{f: os.NewFile(uintptr(fd), path), mode: mode}, nil
}

// Read reads the stream; with a deadline set it returns os.ErrDeadlineExceeded.
func (p *Port) Read(b []byte) (int, error) { return p.f.Read(b) }

// SetReadDeadline bounds the next Read.
func (p *Port) SetReadDeadline(t time.Time) error { return p.f.SetReadDeadline(t) }

// Close closes the device.
func (p *Port) Close() error { return p.f.Close() }

// Transmit writes a frame, paced for the tx mode, and ends it with a BREAK.
func (p *Port) Transmit(frame []byte) error {
	if p.mode == TxOff {
		return errors.New("serial: transmitting is off")
	}
	p.wmu.Lock()
	defer p.wmu.Unlock()
	gap, brk := time.Duration(0), 10*bitTime
	switch p.mode {
	case TxEMSPlus:
		gap, brk = 20*bitTime, 11*bitTime
	case TxHT3:
		gap, brk = 17*bitTime, 11*bitTime
	}
	if gap == 0 {
		if _, err := p.f.Write(frame); err != nil {
			return err
		}
	} else {
		for i := range frame {
			if _, err := p.f.Write(frame[i : i+1]); err != nil {
				return err
			}
			time.Sleep(gap)
		}
	}
	rc, err := p.f.SyscallConn()
	if err != nil {
		return err
	}
	var ioErr error
	err = rc.Control(func(fd uintptr) {
		// Wait until the bytes are out, then hold the line low for the BREAK.
		if ioErr = unix.IoctlSetInt(int(fd), unix.TCSBRK, 1); ioErr != nil {
			return
		}
		if ioErr = unix.IoctlSetInt(int(fd), unix.TIOCSBRK, 0); ioErr != nil {
			return
		}
		time.Sleep(brk)
		ioErr = unix.IoctlSetInt(int(fd), unix.TIOCCBRK, 0)
	})
	if err != nil {
		return err
	}
	return ioErr
}

// Source keeps a serial interface open: when the device disappears (a USB
// adapter unplugged) it says so and reopens it once it is back.
type Source struct {
	Path  string
	Mode  TxMode
	Log   *slog.Logger
	Retry time.Duration // between attempts to reopen; 2 s when 0
	// FrameGap, when set, ends a frame after that much silence: for
	// adapters that do not pass a BREAK on, and for pseudo-terminals.
	FrameGap time.Duration
	// Feed receives the stream; Attach the port to transmit on (nil while
	// the device is gone).
	Feed   func(stream []byte)
	Attach func(p *Port)
}

// Run reads until ctx ends.
func (s *Source) Run(ctx context.Context) error {
	retry := s.Retry
	if retry == 0 {
		retry = 2 * time.Second
	}
	lost := false
	for ctx.Err() == nil {
		p, err := Open(s.Path, s.Mode)
		if err != nil {
			if !lost {
				s.Log.Error("serial device not available, retrying", "device", s.Path, "err", err, "every", retry)
				lost = true
			}
			select {
			case <-ctx.Done():
			case <-time.After(retry):
			}
			continue
		}
		if lost {
			s.Log.Info("serial device back", "device", s.Path)
		} else {
			s.Log.Info("serial device open", "device", s.Path)
		}
		lost = false
		err = s.read(ctx, p)
		if ctx.Err() == nil {
			s.Log.Error("serial device lost, reconnecting", "device", s.Path, "err", err)
			lost = true
		}
	}
	return nil
}

func (s *Source) read(ctx context.Context, p *Port) error {
	if s.Attach != nil && s.Mode != TxOff {
		s.Attach(p)
		defer s.Attach(nil)
	}
	stop := context.AfterFunc(ctx, func() { p.Close() })
	defer stop()
	defer p.Close()
	buf := make([]byte, 512)
	pending := false // bytes since the last BREAK
	for {
		if s.FrameGap > 0 {
			p.SetReadDeadline(time.Now().Add(s.FrameGap))
		}
		n, err := p.Read(buf)
		if n > 0 {
			s.Feed(buf[:n])
			pending = !endsWithBreak(buf[:n])
		}
		switch {
		case err == nil:
		case errors.Is(err, os.ErrDeadlineExceeded):
			if pending {
				s.Feed([]byte{0xFF, 0x00, 0x00})
				pending = false
			}
		default:
			return err
		}
	}
}

func endsWithBreak(b []byte) bool {
	n := len(b)
	return n >= 3 && b[n-3] == 0xFF && b[n-2] == 0x00 && b[n-1] == 0x00
}
