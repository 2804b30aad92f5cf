package ui

import (
	"context"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/tokentop/tokentop/providers/check"
	"github.com/tokentop/tokentop/providers/safetext"
	"github.com/tokentop/tokentop/store"
)

// The doctor: D diagnoses the selected provider step by step in the doctor
// view; r there runs it again with a new token. Each step shows as it
// finishes; a newer run makes the older one's steps stale.

func (m *Model) startDoctor(msg doctorIntent) tea.Cmd {
	if _, ok := m.rows.Row(msg.name); !ok {
		return nil
	}
	tag := m.tags.next(reqDoctor, msg.name)
	m.doctor.Start(msg.name)
	m.setFocus(focusDoctor)
	return tea.Batch(runDoctor(m.ctx, m.store, tag, msg.fetch), m.startSpinner())
}

func (m *Model) onDoctorDone(msg doctorDoneMsg) tea.Cmd {
	m.doctor.Finish(msg.diag, msg.err)
	// The doctor may have fetched a token (or failed to): show it.
	reload := m.reload()
	switch {
	case msg.err != nil:
		return tea.Batch(reload, m.errStatus("doctor "+msg.name, msg.err))
	case msg.diag.OK():
		return tea.Batch(reload, m.setStatus(statusOK, "doctor "+msg.name+": "+doctorSummary(msg.diag.Checks), ""))
	}
	return tea.Batch(reload, m.setStatus(statusError, "doctor "+msg.name+": "+doctorSummary(msg.diag.Checks), ""))
}

// doctorBuffer holds every message of one diagnosis, so its goroutine
// never blocks on a dashboard that stopped listening.
const doctorBuffer = 32

// runDoctor diagnoses the provider tagged in a goroutine of its own and
// delivers each step as it finishes, then the end.
func runDoctor(ctx context.Context, s *store.Store, tag reqTag, fetch bool) tea.Cmd {
	name, seq := tag.name, tag.seq
	ch := make(chan tea.Msg, doctorBuffer)
	go func() {
		defer close(ch)
		progress := func(c check.Check) {
			select {
			case ch <- doctorStepMsg{name: name, seq: seq, check: safetext.Value(c), next: ch}:
			default: // more steps than the buffer holds: the end still says all
			}
		}
		d, err := s.Diagnose(ctx, name, store.DiagnoseOptions{Fetch: fetch, Progress: progress})
		ch <- doctorDoneMsg{name: name, seq: seq, diag: safetext.Value(d), err: err}
	}()
	return nextDoctorMsg(ch)
}

// nextDoctorMsg waits for a diagnosis's next message.
func nextDoctorMsg(ch <-chan tea.Msg) tea.Cmd {
	return func() tea.Msg {
		msg, ok := <-ch
		if !ok {
			return nil
		}
		return msg
	}
}
