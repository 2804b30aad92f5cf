package sshd

import (
	"errors"
	"io"
	"time"

	"github.com/charmbracelet/log"

	"github.com/tokentop/tokentop/theme"
	"github.com/tokentop/tokentop/ui"
)

// Defaults of the serve command.
const (
	// DefaultAddr is where the server listens: loopback only.
	DefaultAddr = "127.0.0.1:23234"
	// DefaultMaxSessions is how many sessions run at once.
	DefaultMaxSessions = 20
	// DefaultOpenMaxSessions is how many sessions an open server runs at
	// once: an audience.
	DefaultOpenMaxSessions = 100
	// DefaultIdleTimeout closes a session the client sent nothing to for
	// this long.
	DefaultIdleTimeout = 30 * time.Minute
	// DefaultShutdownGrace is how long a shutdown waits for the clients to
	// hang up after their sessions ended, before it closes their
	// connections (OpenSSH hangs up at once).
	DefaultShutdownGrace = 5 * time.Second
	// stallTimeout closes a connection with no traffic either way for this
	// long (an unfinished handshake, a client that vanished); a running
	// dashboard draws its clock every second, so it never stalls.
	stallTimeout = 2 * time.Minute
)

// Options configure a Server.
type Options struct {
	// HostKeyPath is the host key's file, made (ed25519, 0600) when missing.
	HostKeyPath string
	// AuthorizedKeys is the authorized_keys file of the keys let in.
	AuthorizedKeys string
	// AdminKeys, when set, is a second file whose keys are let in with
	// full access; on an open server, the only keys with full access (and
	// the only ones that may present).
	AdminKeys string
	// Demo makes every session read-only (no add, edit, delete or copy)
	// except those of admin keys: the AdminOption on their line, or a key
	// in AdminKeys.
	Demo bool
	// Open lets in any public key (password and keyboard-interactive are
	// never offered): every session is read-only, tokens masked, and
	// AuthorizedKeys is not read; only a key listed in AdminKeys gets full
	// access (its session is not ViewOnly either). The caller decides
	// what an open server may serve (tokentop serve: the sandbox).
	Open bool
	// ViewOnly makes every read-only session view-only as well: nothing
	// it does reaches the network (no refresh, test-call, auto-refresh or
	// doctor). For an open server over a real database.
	ViewOnly bool
	// MaxSessions bounds the sessions at once; 0 means DefaultMaxSessions,
	// or DefaultOpenMaxSessions when Open.
	MaxSessions int
	// Limits bound connections per address and in all; the zero Limits
	// means OpenLimits when Open, else no per-address limit.
	Limits Limits
	// FrameBuffer bounds the output a session holds for a client that
	// reads slowly, in bytes; 0 means DefaultFrameBuffer.
	FrameBuffer int
	// IdleTimeout closes a session after that long without a key from the
	// client; 0 means never.
	IdleTimeout time.Duration
	// ShutdownGrace replaces DefaultShutdownGrace when positive.
	ShutdownGrace time.Duration
	// Palette is the dashboard's theme; every session gets styles from it
	// for its own terminal.
	Palette theme.Palette
	// Mouse asks every session's terminal to report the mouse (clicks and
	// the wheel); the client's terminal keeps text selection with shift.
	Mouse bool
	// Follow makes the first session that may present (one with full
	// access) the presenter: every other session follows its view. Without
	// it, F in such a session starts presenting.
	Follow bool
	// Dashboard is every session's ui.Config: the shared Store, the clock,
	// the test-call client, the header label, auto-refresh. The server sets
	// Styles, Renderer, Output, Tmux, SystemClipboard (false), ReadOnly and
	// Context for each session.
	Dashboard ui.Config
	// Logger is the server log; nil means none. Nothing secret is logged.
	Logger *log.Logger

	// stallAfter ends a session whose output waited that long for the
	// client to read; 0 means stallTimeout (tests shorten it).
	stallAfter time.Duration
	// now is the limits' clock; nil means time.Now (tests stop it).
	now func() time.Time
}

// keyFiles are the files the server reads keys from: an open server
// reads only the admin keys.
func (o *Options) keyFiles() keyFiles {
	if o.Open {
		return keyFiles{admin: o.AdminKeys}
	}
	return keyFiles{authorized: o.AuthorizedKeys, admin: o.AdminKeys}
}

func (o *Options) check() error {
	switch {
	case o.Dashboard.Store == nil:
		return errors.New("sshd: Options.Dashboard.Store is required")
	case o.HostKeyPath == "":
		return errors.New("sshd: Options.HostKeyPath is required")
	case o.AuthorizedKeys == "" && !o.Open:
		return errors.New("sshd: Options.AuthorizedKeys is required")
	case o.MaxSessions < 0:
		return errors.New("the maximum number of sessions must not be negative")
	case o.IdleTimeout < 0:
		return errors.New("the idle timeout must not be negative")
	}
	if err := o.Limits.check(); err != nil {
		return err
	}
	switch {
	case o.MaxSessions == 0 && o.Open:
		o.MaxSessions = DefaultOpenMaxSessions
	case o.MaxSessions == 0:
		o.MaxSessions = DefaultMaxSessions
	}
	if o.Open && o.Limits == (Limits{}) {
		o.Limits = OpenLimits()
	}
	o.Limits = o.Limits.withDefaults(o.MaxSessions)
	if o.now == nil {
		o.now = time.Now
	}
	if o.stallAfter <= 0 {
		o.stallAfter = stallTimeout
	}
	if o.ShutdownGrace <= 0 {
		o.ShutdownGrace = DefaultShutdownGrace
	}
	if o.Logger == nil {
		o.Logger = log.New(io.Discard)
	}
	if o.Palette.Name == "" {
		o.Palette, _ = theme.Lookup("")
	}
	return nil
}
