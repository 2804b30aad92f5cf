package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// View implements tea.Model. It renders only what is on screen: the rows
// in view, never all providers.
func (m Model) View() string {
	var b strings.Builder
	b.WriteString(m.header())
	b.WriteByte('\n')
	if m.focus == focusFilter || m.rows.Filter() != "" {
		b.WriteString(m.filter.View())
		b.WriteByte('\n')
	}
	b.WriteString(block(m.body(), m.bodyH))
	b.WriteByte('\n')
	status := m.status.line(m.idle())
	if m.focus == focusConfirm {
		status = m.confirm.View()
	}
	b.WriteString(status)
	if !strings.Contains(status, "\n") {
		b.WriteByte('\n')
		// bubbles' help adds every item past the width when the "…" does
		// not fit after the last one that does: cut it here.
		b.WriteString(ansi.Truncate(m.help.ShortHelpView(m.focused().ShortHelp()), m.width, "…"))
	}
	return b.String()
}

func (m Model) body() string {
	switch m.focus {
	case focusHelp:
		return m.helpV.View()
	case focusForm:
		return m.form.View()
	case focusPicker:
		return m.picker.View()
	case focusResult:
		return m.result.View()
	case focusDoctor:
		return m.doctor.View()
	case focusPalette:
		return m.palette.View()
	case focusLogin:
		return m.login.View()
	}
	if !m.detailOpen {
		return m.table.View()
	}
	switch m.mode {
	case detailSide:
		return lipgloss.JoinHorizontal(lipgloss.Top, block(m.table.View(), m.bodyH), " ", m.detail.View())
	case detailBelow:
		return m.table.View() + "\n" + m.detail.View()
	}
	return m.detail.View()
}

// block cuts or pads s to exactly h lines (it never measures widths: the
// components render to their own width).
func block(s string, h int) string {
	n := strings.Count(s, "\n") + 1
	switch {
	case n > h:
		i := 0
		for k := 0; k < h; k++ {
			i += strings.IndexByte(s[i:], '\n') + 1
		}
		return s[:i-1]
	case n < h:
		return s + strings.Repeat("\n", h-n)
	}
	return s
}

// header is the top line: name, database, counts and the time.
func (m Model) header() string {
	st := m.st
	title := st.Title.Render("tokentop")
	if m.cfg.Demo {
		title += st.Warn.Render(" demo")
	}
	if m.cfg.ReadOnly {
		title += st.Warn.Render(" read-only")
	}
	if r, ok := m.rows.Row(m.table.Selected()); ok {
		if b := m.table.envs.badge(st.Header, r.sum.Provider.Env); b != "" {
			title += " " + b
		}
	}
	c := m.rows.Counts()
	label := m.cfg.DBLabel
	if label == "" && m.store != nil {
		label = m.store.Path()
	}
	clock := "  " + st.Header.Render(m.now.In(m.loc()).Format("15:04:05"))
	// The counts matter more than the path and the clock: a narrow window
	// loses the path first, then the counts at zero, then the clock.
	for _, v := range []struct {
		zeros, clock bool
	}{{true, true}, {false, true}, {false, false}} {
		right := m.counts(c, v.zeros)
		if v.clock {
			right += clock
		}
		if room := m.width - lipgloss.Width(title) - lipgloss.Width(right) - 3; room >= 4 {
			return title + "  " + st.Muted.Render(fit(label, room, false)) + " " + right
		}
		if m.width-lipgloss.Width(title)-lipgloss.Width(right)-1 >= 0 {
			return title + " " + right
		}
	}
	return title + " " + st.Muted.Render(fit(label, max(m.width-lipgloss.Width(title)-1, 0), false))
}

// counts are the header's figures: valid, expiring, expired and failing
// tokens; zeros false leaves out those at 0.
func (m Model) counts(c counts, zeros bool) string {
	st := m.st
	var parts []string
	for _, n := range []struct {
		n    int
		text string
		sty  lipgloss.Style
	}{{c.valid, "valid", st.OK}, {c.expiring, "expiring", st.Warn}, {c.expired, "expired", st.Bad}, {c.failing, "failing", st.Bad}} {
		sty := n.sty
		if n.n == 0 {
			if !zeros {
				continue
			}
			sty = st.Muted
		}
		parts = append(parts, sty.Render(fmt.Sprintf("%d %s", n.n, n.text)))
	}
	return strings.Join(parts, st.Muted.Render(" · "))
}

func (m Model) loc() *time.Location {
	if m.cfg.Location != nil {
		return m.cfg.Location
	}
	return time.Local
}

// idle is the status line's text when there is no message.
func (m Model) idle() string {
	r := m.rows
	s := fmt.Sprintf("%d providers · sort: %s", r.Total(), r.Sort())
	if r.Filter() != "" {
		s += fmt.Sprintf(" · filter %q: %d shown", r.Filter(), r.Len())
	}
	if n := m.autoCount(); n > 0 {
		s += fmt.Sprintf(" · auto-refresh on for %d", n)
	}
	if !r.Loaded() {
		s = "loading…"
	}
	if note := m.followNote(); note != "" {
		s = note + " · " + s
	}
	return s
}
