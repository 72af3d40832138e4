// Command emsd is an EMS bus gateway for Prometheus: it decodes the
// telegrams of a Bosch-group heating system and serves them as EMS-ESP's
// REST API and metrics endpoints. Without a bus it runs a simulated
// heating system.
package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/promslog"
	promslogflag "github.com/prometheus/common/promslog/flag"
	"github.com/prometheus/exporter-toolkit/web"
	"github.com/prometheus/exporter-toolkit/web/kingpinflag"

	"github.com/emsd/emsd/internal/devices"
	"github.com/emsd/emsd/internal/gateway"
	"github.com/emsd/emsd/internal/httpapi"
	"github.com/emsd/emsd/internal/sources/bridge"
	"github.com/emsd/emsd/internal/sources/link"
	"github.com/emsd/emsd/internal/sources/replay"
	"github.com/emsd/emsd/internal/sources/serial"
	"github.com/emsd/emsd/internal/sources/sim"
	"github.com/emsd/emsd/internal/store"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

type config struct {
	web         *web.FlagConfig
	serial      string
	frameGap    time.Duration
	replay      string
	replaySpeed float64
	capture     string
	energyFile  string
	busID       byte
	txMode      serial.TxMode
	readOnly    bool
	sim         sim.Options
	bridge      []bridge.Target
	bridgeOpt   bridge.Options
}

func main() {
	var cfg config
	app := kingpin.New("emsd", "EMS bus gateway for Prometheus, compatible with EMS-ESP's API. "+
		"Without --ems.serial or --ems.replay it runs a simulated heating system.")
	app.Version(version)
	app.HelpFlag.Short('h')
	cfg.web = kingpinflag.AddFlags(app, ":9797")
	app.Flag("ems.serial", "Serial EMS interface to read the bus from, e.g. /dev/ttyUSB0 (9600 8N1, BREAK-framed).").StringVar(&cfg.serial)
	app.Flag("ems.frame-gap", "End a frame after this much silence, for interfaces that do not pass a BREAK on (0: BREAK only).").Default("0").DurationVar(&cfg.frameGap)
	app.Flag("ems.replay", "Play a capture file instead of reading a bus, then keep serving the result.").StringVar(&cfg.replay)
	app.Flag("ems.replay.speed", "Replay pace: 1 as recorded, 10 ten times faster, 0 as fast as possible.").Default("1").Float64Var(&cfg.replaySpeed)
	app.Flag("ems.capture", "Append every frame received to this file, one '<RFC 3339 time> <hex>' line each.").StringVar(&cfg.capture)
	app.Flag("ems.energy-file", "Keep the boilers' integrated energy (nrgheat, dhw.nrg, nrgtotal) in this file across restarts, as EMS-ESP keeps it in flash; saved every 10 minutes and at exit. Without it they start at 0.").StringVar(&cfg.energyFile)
	busID := app.Flag("ems.bus-id", "emsd's own address on the bus (EMS-ESP's default is 0x0B).").Default("0x0B").String()
	txMode := app.Flag("ems.tx-mode", "How frames are sent: ems, ems+, ht3 (or off).").Default("ems").Enum("ems", "ems+", "ht3", "off")
	app.Flag("ems.read-only", "Never transmit: listen to the bus only (values that devices send only on request stay empty).").BoolVar(&cfg.readOnly)
	targets := app.Flag("bridge.target", "Bridge an EMS-ESP gateway instead of reading a bus: [NAME=]URL, repeatable.").Strings()
	tokens := app.Flag("bridge.token-file", "NAME=FILE: the bearer token for a bridged gateway that requires one, read from FILE; repeatable.").Strings()
	app.Flag("bridge.interval", "How often each bridged gateway is read, however many scrapes arrive.").Default("15s").DurationVar(&cfg.bridgeOpt.Interval)
	app.Flag("bridge.timeout", "Timeout of each request to a bridged gateway.").Default("5s").DurationVar(&cfg.bridgeOpt.Timeout)
	app.Flag("bridge.stale-after", "Stop exporting a gateway's values when no refresh succeeded for this long.").Default("5m").DurationVar(&cfg.bridgeOpt.StaleAfter)
	app.Flag("sim.seed", "Seed of the simulated heating system's random generator.").Default("1").Uint64Var(&cfg.sim.Seed)
	app.Flag("sim.speed", "Simulated seconds per real second (time acceleration).").Default("1").Float64Var(&cfg.sim.Speed)
	app.Flag("sim.heatpump", "Simulate a heat pump (product 172) instead of a gas boiler.").BoolVar(&cfg.sim.HeatPump)
	logConfig := &promslog.Config{}
	promslogflag.AddFlags(app, logConfig)
	app.Command("serve", "Serve the API and metrics (the default).").Default()
	dump := app.Command("dump", "Write what emsd knows.")
	dumpEntities := dump.Command("entities", "Every product and entity of the device library as CSV, in the notation of EMS-ESP's entity catalogue.")
	command := kingpin.MustParse(app.Parse(os.Args[1:]))
	if command == dumpEntities.FullCommand() {
		if err := devices.WriteCatalogue(os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "emsd:", err)
			os.Exit(1)
		}
		return
	}

	log := promslog.New(logConfig)
	if os.Getenv("GOGC") == "" {
		// emsd runs on small boards; its live heap is a few MB, so collecting
		// twice as often keeps its memory low at little cost.
		debug.SetGCPercent(50)
	}

	id, err := strconv.ParseUint(*busID, 0, 8)
	if err != nil || id == 0 || id >= 0x80 {
		app.Fatalf("--ems.bus-id %q: want an address from 0x01 to 0x7F", *busID)
	}
	cfg.busID = byte(id)
	cfg.txMode, _ = serial.ParseTxMode(*txMode)
	if cfg.txMode == serial.TxOff {
		cfg.readOnly = true
	}
	if cfg.serial != "" && cfg.replay != "" || len(*targets) > 0 && (cfg.serial != "" || cfg.replay != "") {
		app.Fatalf("--ems.serial, --ems.replay and --bridge.target exclude each other")
	}
	if err := parseBridge(&cfg, *targets, *tokens); err != nil {
		app.Fatalf("%v", err)
	}
	if err := run(log, cfg); err != nil {
		log.Error("emsd stopped", "err", err)
		os.Exit(1)
	}
}

// startHTTP serves h on the configured addresses. The function it returns
// waits until ctx ends or the server fails, then shuts the server down.
func startHTTP(ctx context.Context, log *slog.Logger, cfg config, h http.Handler) (wait func() error) {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- web.ListenAndServe(srv, cfg.web, log) }()
	return func() error {
		select {
		case <-ctx.Done():
		case err := <-errc:
			if !errors.Is(err, http.ErrServerClosed) {
				return err
			}
		}
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return srv.Shutdown(shutdown)
	}
}

func saveEnergy(log *slog.Logger, st *store.Store, path string) {
	if err := st.SaveEnergy(path); err != nil {
		log.Warn("energy file not written", "err", err)
	}
}

func run(log *slog.Logger, cfg config) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(cfg.bridge) > 0 {
		return serveBridge(ctx, log, cfg)
	}

	opt := gateway.Options{BusID: cfg.busID, ReadOnly: cfg.readOnly, Log: log}
	if cfg.capture != "" {
		f, err := os.OpenFile(cfg.capture, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return fmt.Errorf("capture: %w", err)
		}
		defer f.Close()
		opt.Capture = f
	}
	st := store.New()
	if cfg.energyFile != "" {
		if err := st.RestoreEnergy(cfg.energyFile); err != nil {
			log.Warn("energy file not read, boilers' energy starts at 0", "err", err)
		}
		defer saveEnergy(log, st, cfg.energyFile) // at exit
		go func() {
			tick := time.NewTicker(10 * time.Minute)
			defer tick.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
					saveEnergy(log, st, cfg.energyFile)
				}
			}
		}()
	}
	gw := gateway.New(opt, st)
	settings := httpapi.Settings{Version: version, BusID: cfg.busID, TxMode: int(cfg.txMode), ReadOnly: cfg.readOnly}
	if cfg.readOnly {
		settings.TxMode = 0
	}
	api := httpapi.New(st, gw.Stats, settings)

	wait := startHTTP(ctx, log, cfg, api.Handler())
	go gw.Run(ctx)

	switch {
	case cfg.serial != "":
		log.Info("reading the bus", "source", "serial", "device", cfg.serial)
		src := &serial.Source{Path: cfg.serial, Mode: cfg.txMode, Log: log, FrameGap: cfg.frameGap, Feed: gw.Feed,
			Attach: func(p *serial.Port) {
				if p == nil {
					gw.SetTransmitter(nil)
					return
				}
				gw.SetTransmitter(p)
			}}
		go src.Run(ctx)
	case cfg.replay != "":
		log.Info("reading the bus", "source", "replay", "file", cfg.replay, "speed", cfg.replaySpeed)
		go playCapture(ctx, log, cfg, gw)
	default:
		log.Info("reading the bus", "source", "simulator", "seed", cfg.sim.Seed, "speed", cfg.sim.Speed)
		var line link.Line
		master, ours := line.Attach(), line.Attach()
		if !cfg.readOnly {
			gw.SetTransmitter(ours)
		}
		go gw.FeedFrom(ours)
		go sim.New(cfg.sim).Serve(ctx, master, cfg.busID)
		context.AfterFunc(ctx, func() { master.Close(); ours.Close() })
	}

	return wait()
}

// playCapture replays a capture file once and leaves the result standing.
func playCapture(ctx context.Context, log *slog.Logger, cfg config, gw *gateway.Gateway) {
	f, err := os.Open(cfg.replay)
	if err != nil {
		log.Error("replay", "err", err)
		return
	}
	defer f.Close()
	p := replay.Player{Speed: cfg.replaySpeed, Feed: gw.FeedAt, Skipped: func(line int, err error) {
		log.Warn("replay: line skipped", "file", cfg.replay, "line", line, "err", err)
	}}
	n, err := p.Play(ctx, bufio.NewReader(io.Reader(f)))
	if err != nil && !errors.Is(err, context.Canceled) {
		log.Error("replay stopped", "file", cfg.replay, "frames", n, "err", err)
		return
	}
	log.Info("replay done, serving its result", "file", cfg.replay, "frames", n)
}

// parseBridge reads the bridge targets and their token files.
func parseBridge(cfg *config, targets, tokens []string) error {
	names := map[string]int{}
	for _, s := range targets {
		t, err := bridge.ParseTarget(s)
		if err != nil {
			return err
		}
		if _, dup := names[t.Name]; dup {
			return fmt.Errorf("two bridge targets are named %q", t.Name)
		}
		names[t.Name] = len(cfg.bridge)
		cfg.bridge = append(cfg.bridge, t)
	}
	for _, s := range tokens {
		name, file, ok := strings.Cut(s, "=")
		i, known := names[name]
		if !ok || !known {
			return fmt.Errorf("--bridge.token-file %q: want NAME=FILE for a --bridge.target NAME", s)
		}
		b, err := os.ReadFile(file)
		if err != nil {
			return fmt.Errorf("--bridge.token-file: %w", err)
		}
		cfg.bridge[i].Token = strings.TrimSpace(string(b))
	}
	return nil
}

// serveBridge serves bridged EMS-ESP gateways. One gateway answers on every
// endpoint as that gateway would; several answer through /probe.
func serveBridge(ctx context.Context, log *slog.Logger, cfg config) error {
	cfg.bridgeOpt.Log = log
	var gateways []*bridge.Gateway
	servers := map[string]*httpapi.Server{}
	for _, t := range cfg.bridge {
		g := bridge.New(t, cfg.bridgeOpt)
		gateways = append(gateways, g)
		go g.Run(ctx)
		log.Info("bridging", "gateway", t.Name, "url", t.URL, "interval", cfg.bridgeOpt.Interval)
	}
	// emsd's own /metrics carries the bridge's health; with one gateway it
	// is that gateway's server, which answers every endpoint.
	health := httpapi.Settings{Version: version, ReadOnly: true, Collectors: []prometheus.Collector{bridge.NewCollector(gateways)}}
	mux := http.NewServeMux()
	for _, g := range gateways {
		settings := httpapi.Settings{Version: version, ReadOnly: true}
		if len(gateways) == 1 {
			settings = health
		}
		servers[g.Name] = httpapi.New(g.Store, g.BusStats, settings)
	}
	mux.Handle("/probe", httpapi.Probe(servers))
	if len(gateways) == 1 {
		mux.Handle("/", servers[gateways[0].Name].Handler())
	} else {
		// /metrics: every gateway's families with a gateway label, and emsd's own.
		var names []string
		var list []*httpapi.Server
		for _, g := range gateways {
			names, list = append(names, g.Name), append(list, servers[g.Name])
		}
		fleet := httpapi.NewFleet(names, list, health)
		mux.Handle("/metrics", fleet.Handler())
		mux.Handle("/", fleet.Landing())
	}
	return startHTTP(ctx, log, cfg, mux)()
}
