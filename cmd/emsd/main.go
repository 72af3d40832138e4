// Command emsd is an EMS bus gateway for Prometheus: it decodes the
// telegrams of a Bosch-group heating system and serves them as EMS-ESP's
// REST API and metrics endpoints. Without a bus it runs a simulated
// heating system.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/emsd/emsd/internal/gateway"
	"github.com/emsd/emsd/internal/httpapi"
	"github.com/emsd/emsd/internal/sources/sim"
	"github.com/emsd/emsd/internal/store"
	"github.com/emsd/emsd/internal/telegram"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	app := kingpin.New("emsd", "EMS bus gateway for Prometheus, compatible with EMS-ESP's API.")
	app.Version(version)
	app.HelpFlag.Short('h')
	listen := app.Flag("web.listen-address", "Address to serve the API and metrics on.").Default(":9797").String()
	simSeed := app.Flag("sim.seed", "Seed of the simulated heating system's random generator.").Default("1").Uint64()
	simSpeed := app.Flag("sim.speed", "Simulated seconds per real second (time acceleration).").Default("1").Float64()
	logLevel := app.Flag("log.level", "Log level: debug, info, warn, error.").Default("info").Enum("debug", "info", "warn", "error")
	kingpin.MustParse(app.Parse(os.Args[1:]))

	var level slog.Level
	_ = level.UnmarshalText([]byte(*logLevel))
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	if err := run(log, *listen, sim.Options{Seed: *simSeed, Speed: *simSpeed}); err != nil {
		log.Error("emsd stopped", "err", err)
		os.Exit(1)
	}
}

func run(log *slog.Logger, listen string, simOpt sim.Options) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	st := store.New()
	gw := gateway.New(telegram.DefaultBusID, st, log)
	api := httpapi.New(st, gw.Stats, httpapi.Settings{Version: version, BusID: telegram.DefaultBusID, ReadOnly: true})

	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", listen, err)
	}
	srv := &http.Server{Handler: api.Handler(), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("serving", "address", ln.Addr().String(), "source", "simulator", "seed", simOpt.Seed, "speed", simOpt.Speed)

	// The simulator feeds the gateway from its own goroutine; the gateway
	// is fed from that one goroutine only.
	go sim.New(simOpt).Run(ctx, gw.Feed)

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
