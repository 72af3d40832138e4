// Package bridge fills a store from an existing EMS-ESP gateway's REST API
// instead of the bus: the gateway's device list from /api/system/info, and
// for each device type its entities with their values from
// /api/<device>/entities (EMS-ESP 3.7 and later) or, for older firmware,
// its values from /api/<device>, described by emsd's own device library.
package bridge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emsd/emsd/internal/devices"
	"github.com/emsd/emsd/internal/gateway"
	"github.com/emsd/emsd/internal/store"
)

// Target is one gateway: a name for labels and /probe, its base URL and an
// optional bearer token.
type Target struct {
	Name  string
	URL   string
	Token string
}

// ParseTarget reads "[NAME=]URL"; without a name, the URL's host is the name.
func ParseTarget(s string) (Target, error) {
	name, url, ok := strings.Cut(s, "=")
	if !ok || strings.Contains(name, "/") {
		name, url = "", s
	}
	if !strings.HasPrefix(url, "http://") && !strings.HasPrefix(url, "https://") {
		return Target{}, fmt.Errorf("bridge target %q: want [NAME=]http://host", s)
	}
	url = strings.TrimRight(url, "/")
	if name == "" {
		name = strings.SplitN(strings.SplitN(url, "://", 2)[1], "/", 2)[0]
	}
	return Target{Name: name, URL: url}, nil
}

// Options are shared by all gateways.
type Options struct {
	Interval   time.Duration // between refreshes; 15 s when 0
	Timeout    time.Duration // for each request; 5 s when 0
	StaleAfter time.Duration // values older than this are no longer exported; 5 min when 0
	Log        *slog.Logger
	Client     *http.Client
}

// Health is how the bridge to one gateway is doing.
type Health struct {
	Up          bool          // the last refresh succeeded
	LastAttempt time.Time     // start of the last refresh
	LastSuccess time.Time     // end of the last successful refresh
	Duration    time.Duration // of the last refresh
	Refreshes   uint64
	Failures    uint64
	Requests    uint64
	LastError   string
	Stale       bool // values withdrawn: no success for longer than StaleAfter
}

// Gateway bridges one EMS-ESP gateway into its own store.
type Gateway struct {
	Target
	Store *store.Store
	opt   Options
	now   func() time.Time

	mu     sync.Mutex
	health Health
	bus    gateway.Stats // the gateway's own bus section
	fmt    firmware
}

type firmware uint8

const (
	unknownFirmware firmware = iota
	withEntities             // 3.7 and later: /api/<device>/entities
	valuesOnly               // older: /api/<device>, metadata from emsd's library
)

// New returns the bridge to one gateway with an empty store.
func New(t Target, opt Options) *Gateway {
	if opt.Interval == 0 {
		opt.Interval = 15 * time.Second
	}
	if opt.Timeout == 0 {
		opt.Timeout = 5 * time.Second
	}
	if opt.StaleAfter == 0 {
		opt.StaleAfter = 5 * time.Minute
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	if opt.Client == nil {
		opt.Client = &http.Client{}
	}
	opt.Log = opt.Log.With("gateway", t.Name)
	return &Gateway{Target: t, Store: store.New(), opt: opt, now: time.Now}
}

// Health returns the bridge's health.
func (g *Gateway) Health() Health {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.health
}

// BusStats is the gateway's own bus section, for emsd's system info.
func (g *Gateway) BusStats() gateway.Stats {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.bus
}

// Run refreshes at once and then every interval until ctx ends: one
// refresh at a time, however many scrapes arrive.
func (g *Gateway) Run(ctx context.Context) {
	t := time.NewTicker(g.opt.Interval)
	defer t.Stop()
	for {
		g.Refresh(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Refresh reads the gateway once and updates the store.
func (g *Gateway) Refresh(ctx context.Context) error {
	start := g.now()
	err := g.refresh(ctx)
	end := g.now()
	g.mu.Lock()
	defer g.mu.Unlock()
	h := &g.health
	h.LastAttempt, h.Duration = start, end.Sub(start)
	h.Refreshes++
	wasUp := h.Up
	h.Up = err == nil
	if err == nil {
		h.LastSuccess, h.LastError, h.Stale = end, "", false
		if !wasUp && h.Failures > 0 {
			g.opt.Log.Info("gateway reachable again")
		}
		return nil
	}
	h.Failures++
	h.LastError = err.Error()
	if wasUp || h.Failures == 1 {
		g.opt.Log.Warn("gateway refresh failed", "err", err)
	}
	if !h.Stale && end.Sub(h.LastSuccess) > g.opt.StaleAfter {
		h.Stale = true
		g.opt.Log.Warn("gateway values withdrawn: no refresh succeeded", "for", g.opt.StaleAfter)
		g.withdraw(end)
	}
	return err
}

// withdraw clears every value so that nothing old is exported as current.
func (g *Gateway) withdraw(now time.Time) {
	for _, d := range g.Store.Devices() {
		g.Store.Update(d.ID, now, func(_ *devices.Device, s *devices.State) {
			clear(s.Values)
		})
	}
}

// get fetches one API path and decodes its JSON into v.
func (g *Gateway) get(ctx context.Context, path string, v any) error {
	ctx, cancel := context.WithTimeout(ctx, g.opt.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, g.URL+path, nil)
	if err != nil {
		return err
	}
	if g.Token != "" {
		req.Header.Set("Authorization", "Bearer "+g.Token)
	}
	g.mu.Lock()
	g.health.Requests++
	g.mu.Unlock()
	resp, err := g.opt.Client.Do(req)
	if err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return &statusError{path, resp.StatusCode, "the gateway wants a token (--bridge.token-file)"}
	case resp.StatusCode != http.StatusOK:
		return &statusError{path, resp.StatusCode, strings.TrimSpace(string(body[:min(len(body), 100)]))}
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("GET %s: not the JSON EMS-ESP answers: %w", path, err)
	}
	return nil
}

type statusError struct {
	path   string
	status int
	detail string
}

func (e *statusError) Error() string {
	return fmt.Sprintf("GET %s: status %d: %s", e.path, e.status, e.detail)
}

// systemInfo is the part of /api/system/info the bridge reads.
type systemInfo struct {
	Bus     map[string]any `json:"bus"`
	Devices []struct {
		Type      string `json:"type"`
		Name      string `json:"name"`
		DeviceID  string `json:"deviceID"`
		ProductID int    `json:"productID"`
		Brand     string `json:"brand"`
		Version   string `json:"version"`
	} `json:"devices"`
}

func (g *Gateway) refresh(ctx context.Context) error {
	var info systemInfo
	if err := g.get(ctx, "/api/system/info", &info); err != nil {
		return err
	}
	g.mu.Lock()
	g.bus = busStats(info.Bus)
	g.mu.Unlock()
	now := g.now()
	listed := map[byte]bool{}
	types := map[string][]byte{} // device type → bus IDs, in the gateway's order
	var order []string
	for _, dev := range info.Devices {
		typ, ok := devices.TypeByName(dev.Type)
		id, err := strconv.ParseUint(strings.TrimPrefix(dev.DeviceID, "0x"), 16, 8)
		if !ok || err != nil || dev.ProductID < 0 || dev.ProductID > 255 {
			continue // sensors, scheduler, custom entities: not EMS devices
		}
		p, known := devices.Identify(byte(id), byte(dev.ProductID), dev.Version)
		if !known || p.Type != typ {
			p = devices.Product{ID: byte(dev.ProductID), Type: typ, Name: dev.Name}
		}
		if g.Store.Add(devices.NewDevice(byte(id), p, dev.Version, dev.Brand)) {
			g.opt.Log.Info("device found on the gateway", "type", typ, "name", p.Name, "deviceID", dev.DeviceID)
		}
		listed[byte(id)] = true
		if len(types[dev.Type]) == 0 {
			order = append(order, dev.Type)
		}
		types[dev.Type] = append(types[dev.Type], byte(id))
	}
	for _, d := range g.Store.Devices() {
		if !listed[d.ID] { // gone from the gateway's list: nothing current to show
			g.Store.Update(d.ID, now, func(_ *devices.Device, s *devices.State) { clear(s.Values) })
		}
	}
	for _, typ := range order {
		if err := g.refreshType(ctx, typ, types[typ][0], now); err != nil {
			return err
		}
	}
	return nil
}

// refreshType reads one device type. EMS-ESP answers for the first device
// of a type only, so its values go to that device.
func (g *Gateway) refreshType(ctx context.Context, typ string, id byte, now time.Time) error {
	if g.fmt != valuesOnly {
		var entities map[string]json.RawMessage
		err := g.get(ctx, "/api/"+typ+"/entities", &entities)
		var se *statusError
		switch {
		case err == nil:
			g.fmt = withEntities
			g.Store.Update(id, now, func(d *devices.Device, s *devices.State) { ingestEntities(d, s, entities) })
			return nil
		case errors.As(err, &se) && (se.status == http.StatusNotFound || se.status == http.StatusBadRequest) && g.fmt == unknownFirmware:
			g.fmt = valuesOnly // before 3.7: no entities endpoint
			g.opt.Log.Info("gateway firmware has no /entities, reading values with emsd's own metadata")
		default:
			return err
		}
	}
	var values map[string]any
	if err := g.get(ctx, "/api/"+typ, &values); err != nil {
		return err
	}
	g.Store.Update(id, now, func(d *devices.Device, s *devices.State) { ingestValues(d, s, values) })
	return nil
}

// busStats turns the gateway's bus section into emsd's bus counters.
func busStats(bus map[string]any) gateway.Stats {
	num := func(k string) uint64 {
		if f, ok := bus[k].(float64); ok && f >= 0 {
			return uint64(f)
		}
		return 0
	}
	s := gateway.Stats{
		TelegramsReceived: num("busTelegramsReceived"), Reads: num("busReads"), Writes: num("busWrites"),
		IncompleteTelegrams: num("busIncompleteTelegrams"), ReadsFailed: num("busReadsFailed"),
		WritesFailed: num("busWritesFailed"),
	}
	status, _ := bus["busStatus"].(string)
	s.Connected = strings.HasPrefix(status, "connected")
	s.Polled = s.Connected
	s.Protocol, _ = bus["busProtocol"].(string)
	return s
}
