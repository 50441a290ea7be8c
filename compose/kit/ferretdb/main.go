// Command arena-ferretdb is the offline kit's MongoDB-wire server: FerretDB v1 embedded in a
// small main of ours, with the SQLite backend (pure Go, no PostgreSQL needed).
//
//	arena-ferretdb         serve on 0.0.0.0:27017, data in /data/db/ (the official mongo image's dir)
//	arena-ferretdb ping    health probe: a `ping` command over the wire protocol; exit 0 or 1
//
// Environment (all optional): ARENA_FERRETDB_LISTEN, ARENA_FERRETDB_SQLITE_URL,
// ARENA_FERRETDB_LOG_LEVEL (default error), ARENA_FERRETDB_STOP_GRACE (default 500ms),
// ARENA_FERRETDB_PING_URI (default mongodb://127.0.0.1:27017/).
//
// Embedding (package github.com/FerretDB/FerretDB/ferretdb) instead of `go install`ing
// cmd/ferretdb avoids its start-up panic when build/version/version.txt is absent.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// env returns the environment variable key, or def when it is unset or empty.
func env(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "ping" {
		os.Exit(ping(env("ARENA_FERRETDB_PING_URI", "mongodb://127.0.0.1:27017/")))
	}
	if len(os.Args) > 1 {
		fmt.Fprintf(os.Stderr, "usage: %s [ping]\n", os.Args[0])
		os.Exit(2)
	}
	os.Exit(serve())
}

func serve() int {
	// FerretDB logs every connection at INFO and every error reply (e.g. the `endSessions`
	// drivers send, which v1 lacks) at WARN: too chatty for a test stack, hence ERROR by default.
	var level slog.Level
	if err := level.UnmarshalText([]byte(env("ARENA_FERRETDB_LOG_LEVEL", "error"))); err != nil {
		fmt.Fprintf(os.Stderr, "ARENA_FERRETDB_LOG_LEVEL: %v\n", err)
		return 2
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	cfg := ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: env("ARENA_FERRETDB_LISTEN", "0.0.0.0:27017")},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: env("ARENA_FERRETDB_SQLITE_URL", "file:/data/db/"),
	}

	// SIGTERM (docker stop) and SIGINT cancel the context: the listener closes and Run returns.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	f, err := ferretdb.New(&cfg)
	if err != nil {
		logger.Error("cannot start FerretDB", "error", err)
		return 1
	}
	fmt.Fprintf(os.Stderr, "arena-ferretdb: FerretDB (embedded, sqlite %s) listening on %s\n", cfg.SQLiteURL, cfg.Listener.TCP)

	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()

	select {
	case err = <-done:
	case <-ctx.Done():
		// On a signal FerretDB gives connected clients 3 s (hard-coded) to disconnect, longer
		// than a test stack's stop timeout; we wait less, then exit. Committed writes are safe
		// in SQLite's write-ahead log; an in-flight request is lost, as with SIGKILL.
		grace, perr := time.ParseDuration(env("ARENA_FERRETDB_STOP_GRACE", "500ms"))
		if perr != nil {
			grace = 500 * time.Millisecond
		}
		select {
		case err = <-done:
		case <-time.After(grace):
			fmt.Fprintf(os.Stderr, "arena-ferretdb: clients still connected after %s; exiting\n", grace)
			return 0
		}
	}
	if err != nil {
		logger.Error("FerretDB stopped with an error", "error", err)
		return 1
	}
	fmt.Fprintln(os.Stderr, "arena-ferretdb: stopped")
	return 0
}

// ping connects to uri and runs {ping: 1} on the admin database.
func ping(uri string) int {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()

	client, err := mongo.Connect(ctx, options.Client().ApplyURI(uri).
		SetServerSelectionTimeout(2*time.Second).SetConnectTimeout(2*time.Second))
	if err != nil {
		fmt.Fprintf(os.Stderr, "ping %s: %v\n", uri, err)
		return 1
	}
	defer func() { _ = client.Disconnect(context.Background()) }()

	var res bson.M
	if err := client.Database("admin").RunCommand(ctx, bson.D{{Key: "ping", Value: 1}}).Decode(&res); err != nil {
		fmt.Fprintf(os.Stderr, "ping %s: %v\n", uri, err)
		return 1
	}
	fmt.Println("ok")
	return 0
}
