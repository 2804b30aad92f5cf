package authproxy

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"syscall"
	"time"

	"github.com/charmbracelet/log"
)

// Server limits.
const (
	readHeaderTimeout = 10 * time.Second
	idleTimeout       = 2 * time.Minute
	// shutdownGrace is how long requests in flight may finish once the
	// proxy is asked to stop; streams still open then are cut.
	shutdownGrace = 5 * time.Second
)

// Listen listens on addr (TCP), with an error that says what to do when
// the port is taken.
func Listen(ctx context.Context, addr string) (net.Listener, error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		return nil, fmt.Errorf("%s is already in use (another tokentop proxy, or another program): choose another port with --listen 127.0.0.1:PORT (%w)", addr, err)
	case err != nil:
		return nil, fmt.Errorf("cannot listen on %s: %w", addr, err)
	}
	return ln, nil
}

// Serve runs the proxy on ln until ctx ends, writing the figures every
// FlushEvery and once more at the end. Requests in flight get a few
// seconds to finish; open streams are then cut.
func (p *Proxy) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           p,
		ReadHeaderTimeout: readHeaderTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          p.log.StandardLog(log.StandardLogOptions{ForceLevel: log.DebugLevel}),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	flushed := make(chan struct{})
	loopCtx, stopLoop := context.WithCancel(ctx)
	go func() {
		defer close(flushed)
		p.flushLoop(loopCtx)
	}()

	var err error
	select {
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
		if serr := srv.Shutdown(sctx); serr != nil {
			srv.Close()
		}
		cancel()
		<-served
	case err = <-served:
		err = fmt.Errorf("serving: %w", err)
	}
	stopLoop()
	<-flushed
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	_ = p.Flush(fctx)
	return err
}

// flushLoop writes the figures every FlushEvery until ctx ends.
func (p *Proxy) flushLoop(ctx context.Context) {
	t := time.NewTicker(p.o.FlushEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			_ = p.Flush(ctx)
		}
	}
}
