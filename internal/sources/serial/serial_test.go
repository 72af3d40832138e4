//go:build linux

package serial

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/emsd/emsd/internal/devices"
	"github.com/emsd/emsd/internal/gateway"
	"github.com/emsd/emsd/internal/store"
	"github.com/emsd/emsd/internal/telegram"
	"github.com/emsd/emsd/internal/testutil"
)

// newPty opens a pseudo-terminal and points link at its device, as udev
// points /dev/serial/by-id at a USB adapter.
func newPty(t *testing.T, link string) *os.File {
	t.Helper()
	master, slave, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(link)
	if err := os.Symlink(slave.Name(), link); err != nil {
		t.Fatal(err)
	}
	slave.Close() // the source opens the device by its path
	return master
}

func frame(src, dest byte, typ uint16, data ...byte) []byte {
	return telegram.Append(nil, telegram.Telegram{Src: src, Dest: dest, Type: typ, Data: data})
}

// value polls the store until the entity has the wanted raw value.
func waitValue(t *testing.T, st *store.Store, short string, want int64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	var snap store.Snapshot
	for time.Now().Before(deadline) {
		st.Snapshot(&snap)
		for i, d := range snap.Devices {
			if slot, ok := d.Slot(devices.TagDevice, short); ok {
				if v := snap.States[i].Values[slot]; v.Set && v.Num == want {
					return
				}
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s never became %d", short, want)
}

// Bytes written on the far side of a pseudo-terminal become decoded values;
// the device vanishing and coming back is survived.
func TestSerialThroughPty(t *testing.T) {
	dir := t.TempDir()
	link := filepath.Join(dir, "ttyEMS")
	master := newPty(t, link)
	st := store.New()
	var logs testutil.SyncBuffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	gw := gateway.New(gateway.Options{Log: log}, st)
	src := &Source{Path: link, Mode: TxOff, Log: log, Retry: 20 * time.Millisecond, FrameGap: 15 * time.Millisecond, Feed: gw.Feed}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { src.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	waitLog := func(msg string) {
		deadline := time.Now().Add(5 * time.Second)
		for !strings.Contains(logs.String(), msg) && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitLog("serial device open")
	// Each frame is written once the one before has been decoded: on a pty
	// only silence ends a frame, and a busy machine may read late.
	send := func(m *os.File, frames ...[]byte) {
		for _, f := range frames {
			before := gw.Stats().TelegramsReceived
			if _, err := m.Write(f); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(5 * time.Second)
			for gw.Stats().TelegramsReceived == before {
				if time.Now().After(deadline) {
					t.Fatalf("frame % X never decoded: %+v", f, gw.Stats())
				}
				time.Sleep(5 * time.Millisecond)
			}
		}
	}
	// 0x16 carries literal FF bytes: the line doubles them, the framer undoes it.
	send(master, frame(0x08, 0x0B, 0x02, 123, 1, 0),
		frame(0x08, 0x00, 0x18, 0, 0x02, 0x5A, 0x73, 0x3D, 0x0A, 0x10, 0x65),
		frame(0x08, 0x0B, 0x16, 0xFF, 0x4B, 0xFF, 0xFF))
	waitValue(t, st, "curflowtemp", 602)
	waitValue(t, st, "heatingactivated", 1)
	waitValue(t, st, "heatingtemp", 75)

	// The adapter is unplugged: the device goes away, then comes back.
	master.Close()
	time.Sleep(100 * time.Millisecond)
	master = newPty(t, link)
	defer master.Close()
	waitLog("serial device back")
	send(master, frame(0x08, 0x00, 0x18, 0, 0x01, 0x90))
	waitValue(t, st, "curflowtemp", 400)
	for _, want := range []string{"serial device open", "serial device lost, reconnecting", "serial device back"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
}

// The gateway takes part in the bus through the serial port: polled, it
// sends its first read request, which the test (as bus master) echoes and
// answers.
func TestSerialTransmit(t *testing.T) {
	master, slave, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer master.Close()
	name := slave.Name()
	slave.Close()
	st := store.New()
	gw := gateway.New(gateway.Options{}, st)
	attached := make(chan struct{}, 1)
	src := &Source{Path: name, Mode: TxEMS, Log: slog.New(slog.DiscardHandler), FrameGap: 15 * time.Millisecond,
		Feed: gw.Feed, Attach: func(p *Port) {
			if p == nil {
				gw.SetTransmitter(nil)
				return
			}
			gw.SetTransmitter(p)
			attached <- struct{}{}
		}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { src.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	select {
	case <-attached:
	case <-time.After(5 * time.Second):
		t.Fatal("port never attached")
	}

	master.Write([]byte{0x8B}) // poll 0x0B
	want := telegram.Append(nil, telegram.Telegram{Src: 0x0B, Dest: 0x08, Type: 0x07, Read: true, Length: 0xFF})
	got := make([]byte, 0, 16)
	buf := make([]byte, 16)
	master.SetReadDeadline(time.Now().Add(3 * time.Second))
	for len(got) < len(want) {
		n, err := master.Read(buf)
		if err != nil {
			t.Fatalf("read from the gateway: %v (got % X)", err, got)
		}
		got = append(got, buf[:n]...)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("gateway sent % X, want % X", got, want)
	}
	time.Sleep(30 * time.Millisecond)
	master.Write(want) // the echo
	time.Sleep(30 * time.Millisecond)
	master.Write(frame(0x08, 0x0B, 0x07, 0x09, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
	deadline := time.Now().Add(3 * time.Second)
	for gw.Stats().Reads == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if s := gw.Stats(); s.Reads != 1 || !s.Polled {
		t.Errorf("reads %d polled %v", s.Reads, s.Polled)
	}
}
