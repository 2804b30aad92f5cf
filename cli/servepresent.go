package cli

import (
	"context"
	"fmt"
	"io"
	stdlog "log"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/charmbracelet/log"
	"github.com/spf13/pflag"

	"github.com/tokentop/tokentop/providers/safetext"
	"github.com/tokentop/tokentop/sshd"
	"github.com/tokentop/tokentop/ui"
)

// serveLogName is the server log's file while the serving terminal
// presents: beside the host key, so it outlives a --sandbox database.
const serveLogName = "tokentop-serve.log"

// maxServeLog bounds the server log file: an audience cannot fill the
// presenter's disk with refused connections.
const maxServeLog = 64 << 20

// servePresentOptions say whether the serving terminal presents (its own
// dashboard, linked to the follow hub) and where the log goes meanwhile.
type servePresentOptions struct {
	present bool
	logFile string
	changed func(name string) bool
}

func (o *servePresentOptions) register(fl *pflag.FlagSet) {
	fl.BoolVar(&o.present, "present", false, "show your own dashboard at this terminal, presenting to every follower (default: on with --follow at a terminal)")
	fl.StringVar(&o.logFile, "log", "", "while this terminal presents, the server log's file (default: "+serveLogName+" beside the host key)")
	o.changed = fl.Changed
}

// presentsHere decides whether the serving terminal presents: --present
// as given (it needs a terminal), else with --follow when stdin and
// stdout are a terminal.
func (a *App) presentsHere(o serveOptions) (bool, error) {
	atTerminal := a.needTerminal() == nil
	if o.presentOpts.changed("present") {
		if o.presentOpts.present && !atTerminal {
			return false, usagef("--present shows your dashboard at this terminal, and stdin or stdout is not one; leave it out to present from an SSH session with full access")
		}
		return o.presentOpts.present, nil
	}
	return o.follow && atTerminal, nil
}

// serveLogPath is --log, else the log file beside the host key.
func (o serveOptions) serveLogPath(plan servePlan) string {
	if o.presentOpts.logFile != "" {
		return o.presentOpts.logFile
	}
	return filepath.Join(filepath.Dir(plan.hostKey), serveLogName)
}

// openServeLog opens (appends to) the server log file, for the owner only.
// Its folder is made (0700) when missing: by default it is tokentop's data
// folder, which a fresh machine does not have until something is kept
// there.
func openServeLog(path string) (*cappedWriter, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("serve: cannot make the log file's folder: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("serve: cannot open the log file: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("serve: cannot open the log file: %w", err)
	}
	return &cappedWriter{f: f, w: safetext.NewWriter(f), left: maxServeLog - fi.Size()}, nil
}

// cappedWriter writes the sanitised log to its file until the file holds
// maxServeLog bytes, then says so once and drops the rest.
type cappedWriter struct {
	mu   sync.Mutex
	f    *os.File
	w    *safetext.Writer
	left int64
	full bool
}

func (c *cappedWriter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.full:
		return len(p), nil
	case int64(len(p)) > c.left:
		c.full = true
		_, _ = c.w.WriteString("tokentop serve: the log file is full; nothing more is logged\n")
		return len(p), nil
	}
	c.left -= int64(len(p))
	if _, err := c.w.Write(p); err != nil {
		return 0, fmt.Errorf("the server log: %w", err)
	}
	return len(p), nil
}

func (c *cappedWriter) Close() error { return c.f.Close() }

// presentAndServe serves ln while the serving terminal shows its own
// dashboard, the presenter's. The libraries' own loggers (wish's, the
// standard one the HTTP servers use) go to the log file too meanwhile, so
// nothing draws over the dashboard. Quitting it stops the server: every
// session is told it is shutting down.
func (a *App) presentAndServe(ctx context.Context, srv *sshd.Server, ln net.Listener, dash ui.Config, set dashSetup, o serveOptions, logw *cappedWriter) error {
	prevCharm, prevStd := log.Default(), stdlog.Writer()
	log.SetDefault(log.NewWithOptions(logw, log.Options{ReportTimestamp: true, TimeFormat: time.DateTime, Prefix: "serve"}))
	stdlog.SetOutput(logw)
	defer func() {
		log.SetDefault(prevCharm)
		stdlog.SetOutput(prevStd)
	}()

	// The server ending by itself (it failed) ends the dashboard too.
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	lctx, endLocal := context.WithCancel(ctx)
	defer endLocal()
	var serveErr error
	served := make(chan struct{})
	go func() {
		serveErr = srv.Serve(sctx, ln)
		close(served)
		endLocal()
	}()
	fmt.Fprintf(a.errOut, "  log       %s (while your dashboard runs)\n", logw.f.Name())
	fmt.Fprintln(a.errOut, "  present   viewers can connect now; press enter to open your dashboard here: it presents (q quits and stops the server)")
	var runErr error
	if waitForEnter(lctx, a.Stdin) {
		cfg := a.dashboardConfig(lctx, dash.Store, set, &o.dash, dashboardView{label: dash.DBLabel, demo: dash.Demo, tokenCommand: dash.TokenCommand})
		cfg.AutoRefresh = dash.AutoRefresh
		runErr = srv.RunLocal(lctx, cfg, a.dashboardOptions(lctx, set.mouse)...)
		fmt.Fprintln(a.errOut, "tokentop serve: stopping; every session is told")
	}
	stop()
	<-served
	switch {
	case serveErr != nil:
		return fmt.Errorf("serve: %w", serveErr)
	case runErr != nil:
		return fmt.Errorf("serve: %w", runErr)
	}
	fmt.Fprintf(a.errOut, "tokentop serve: stopped; the log is in %s\n", logw.f.Name())
	return nil
}

// waitForEnter reads r until a line ends; false when ctx ended first or
// r did (the read left behind ends with the process).
func waitForEnter(ctx context.Context, r io.Reader) bool {
	got := make(chan bool, 1)
	go func() {
		b := make([]byte, 1)
		for {
			n, err := r.Read(b)
			if err != nil {
				got <- false
				return
			}
			if n == 1 && (b[0] == '\n' || b[0] == '\r') {
				got <- true
				return
			}
		}
	}()
	select {
	case ok := <-got:
		return ok && ctx.Err() == nil
	case <-ctx.Done():
		return false
	}
}
