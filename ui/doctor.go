package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/check"
	"github.com/tokentop/tokentop/providers/doctor"
	"github.com/tokentop/tokentop/theme"
)

// DefaultDoctorKeyMap returns the doctor view's keys: the test-call
// result's, with r (or D) to run the checks again.
func DefaultDoctorKeyMap() ResultKeyMap {
	k := DefaultResultKeyMap()
	k.Again = key.NewBinding(key.WithKeys("D", "r"), key.WithHelp("r", "again, with a new token"))
	return k
}

// doctorView shows a diagnosis as its steps come in.
type doctorView struct {
	scrollPanel

	name    string
	running bool
	cached  bool // the token checked came from the cache
	checks  []check.Check
	err     error
	spin    string
	shared  *doctorShown // what follow mode publishes; nil after a change
}

var _ Component = (*doctorView)(nil)

func newDoctorView(st *theme.Styles, keys ResultKeyMap) *doctorView {
	return &doctorView{scrollPanel: newScrollPanel(st, keys)}
}

// Start clears the view for a new run on name.
func (v *doctorView) Start(name string) {
	v.name, v.running, v.cached, v.checks, v.err = name, true, false, nil, nil
	v.shared = nil
	v.vp.GotoTop()
	v.render()
}

// Add shows one more finished step.
func (v *doctorView) Add(c check.Check) {
	v.checks = append(v.checks, c)
	v.shared = nil
	v.render()
}

// Finish ends the run with its diagnosis, or err, a failure to run at all.
func (v *doctorView) Finish(d *doctor.Diagnosis, err error) {
	v.running, v.err = false, err
	v.shared = nil
	if d != nil {
		v.checks, v.cached = d.Checks, d.TokenCached
	}
	v.render()
}

// Running reports whether a run is under way.
func (v *doctorView) Running() bool { return v.running }

// SetSpinner sets the frame shown while the run is under way.
func (v *doctorView) SetSpinner(frame string) {
	if v.running {
		v.spin = frame
	}
}

// SetSize implements Component.
func (v *doctorView) SetSize(width, height int) {
	v.setSize(width, height)
	v.render()
}

// Update implements Component.
func (v *doctorView) Update(msg tea.Msg) tea.Cmd {
	cmd, again := v.handleKey(msg)
	if again && !v.running {
		return v.bus.emit(doctorIntent{name: v.name, fetch: true})
	}
	return cmd
}

// View implements Component.
func (v *doctorView) View() string {
	title := "Doctor " + v.name
	if v.running {
		title = v.spin + " " + title + " · running the checks…"
	} else if v.err == nil {
		title += " · " + doctorSummary(v.checks)
	}
	return v.frame(title)
}

// doctorSummary counts the outcomes: "all 11 steps passed", "no failures ·
// 8 passed · 3 skipped" or "2 failed · 1 warning · 8 passed".
func doctorSummary(checks []check.Check) string {
	n := check.CountStatuses(checks)
	if n[check.Fail] == 0 && n[check.Warn] == 0 && n[check.Skip] == 0 {
		return fmt.Sprintf("all %d steps passed", len(checks))
	}
	var parts []string
	if n[check.Fail] == 0 {
		parts = append(parts, "no failures")
	}
	for _, s := range []struct {
		st   check.Status
		word string
	}{{check.Fail, "failed"}, {check.Warn, "warning"}, {check.Pass, "passed"}, {check.Skip, "skipped"}} {
		if c := n[s.st]; c > 0 {
			w := s.word
			if s.st == check.Warn && c > 1 {
				w += "s"
			}
			parts = append(parts, fmt.Sprintf("%d %s", c, w))
		}
	}
	return strings.Join(parts, " · ")
}

func (v *doctorView) render() {
	if v.vp.Width <= 1 {
		return
	}
	v.vp.SetContent(v.content(v.vp.Width))
}

// doctorMark is a step's mark and the style for it.
func (v *doctorView) doctorMark(s check.Status) (string, interface{ Render(...string) string }) {
	switch s {
	case check.Pass:
		return "✓", v.st.OK
	case check.Fail:
		return "✗", v.st.Bad
	case check.Warn:
		return "!", v.st.Warn
	}
	return "–", v.st.Muted
}

func (v *doctorView) content(width int) string {
	st := v.st
	var b strings.Builder
	const nameW = 14
	indent := 2 + nameW
	textW := max(width-indent, 8)
	pad := strings.Repeat(" ", indent)
	for _, c := range v.checks {
		mark, sty := v.doctorMark(c.Status)
		detail := clean(c.Detail)
		if c.Took > 0 {
			detail += " " + st.Muted.Render("("+latency(c.Took)+")")
		}
		for i, l := range strings.Split(wrapText(detail, textW), "\n") {
			if i == 0 {
				b.WriteString(sty.Render(mark) + " " + sty.Render(fit(c.Name, nameW-1, false)) + " ")
			} else {
				b.WriteString(pad)
			}
			b.WriteString(st.Row.Render(l) + "\n")
		}
		if c.Hint != "" && c.Status != check.Pass {
			for _, l := range strings.Split(wrapText("→ "+clean(c.Hint), textW), "\n") {
				b.WriteString(pad + st.Hint.Render(l) + "\n")
			}
		}
	}
	switch {
	case v.running:
		b.WriteString(st.Muted.Render("…"))
	case v.err != nil:
		b.WriteString(st.ErrorText.Render(wrapText(clean(v.err.Error()), width)) + "\n")
		if h := providers.HintFor(v.err); h != "" {
			b.WriteString(st.Hint.Render(wrapText(clean(h), width)) + "\n")
		}
	case v.cached:
		b.WriteString("\n" + st.Muted.Render(wrapText("The cached token was checked, so the token request was not tried; r runs the checks again with a new token (it counts against the quota).", width)))
	}
	return strings.TrimRight(b.String(), "\n")
}
