package sshd

import (
	"context"
	"errors"
	"fmt"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/tokentop/tokentop/ui"
)

// LocalPresenterName is what followers are told the serving terminal's
// dashboard is called ("following the presenter · 12 watching"): no user
// or host name of the presenter's machine goes to the audience.
const LocalPresenterName = "the presenter"

// RunLocal runs a dashboard on the terminal tokentop serve runs at, as a
// member of the server's follow hub that may present: it presents at once
// when nobody does (F stops and starts it, as in a session). cfg is the
// dashboard's configuration, its access the caller's to decide (the
// presenter's own machine: full access); its Follow is set here. opts are
// the program's options (the terminal's input and output). It returns
// when the user quits or ctx ends, having left the hub (every follower is
// told the presenter left); the caller then stops the server. It does not
// count against Options.MaxSessions.
func (s *Server) RunLocal(ctx context.Context, cfg ui.Config, opts ...tea.ProgramOption) error {
	fl := s.follow.join(LocalPresenterName, true)
	defer fl.leave()
	fl.Present(true)
	dctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cfg.Follow = fl
	if cfg.Context == nil {
		cfg.Context = ctx
	}
	p := tea.NewProgram(ui.New(cfg), append(opts, tea.WithContext(ctx))...)
	go fl.deliver(dctx, p.Send)
	s.log.Info("presenting from this terminal")
	_, err := p.Run()
	s.log.Info("the presenter's dashboard ended")
	if err != nil && !(errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil) {
		return fmt.Errorf("the presenter's dashboard: %w", err)
	}
	return nil
}
