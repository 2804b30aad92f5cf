package sandbox

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"sync"
	"time"
)

// Start listens on addr (for example "127.0.0.1:0") and serves s until stop
// is called or ctx is done. baseURL is "http://" plus the address actually
// bound. stop shuts down gracefully within its context's deadline and
// reports any error the server met while serving.
func (s *Server) Start(ctx context.Context, addr string) (baseURL string, stop func(context.Context) error, err error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return "", nil, fmt.Errorf("sandbox: listen on %s: %w", addr, err)
	}
	return "http://" + ln.Addr().String(), s.serve(ctx, ln, nil), nil
}

// serve serves s on ln until the returned stop is called or ctx is done.
// errorLog nil means the standard logger.
func (s *Server) serve(ctx context.Context, ln net.Listener, errorLog *log.Logger) (stop func(context.Context) error) {
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          errorLog,
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	unwatch := context.AfterFunc(ctx, func() { _ = srv.Close() })

	var once sync.Once
	var stopErr error
	stop = func(sctx context.Context) error {
		once.Do(func() {
			// If ctx ended first, the server is already closed.
			if unwatch() {
				if err := srv.Shutdown(sctx); err != nil {
					_ = srv.Close()
					stopErr = fmt.Errorf("sandbox: shut down: %w", err)
				}
			}
			if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
				stopErr = errors.Join(stopErr, fmt.Errorf("sandbox: serve: %w", err))
			}
		})
		return stopErr
	}
	return stop
}
