package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/safetext"
)

// countdown renders the time left as mm:ss, h:mm:ss, or whole days past 99
// hours; an expired token shows how long ago with a minus sign.
func countdown(d time.Duration) string {
	sign := ""
	if d < 0 {
		sign, d = "-", -d
	}
	s := int64(d / time.Second)
	switch {
	case s >= 100*3600:
		return fmt.Sprintf("%s%dd%02dh", sign, s/86400, s%86400/3600)
	case s >= 3600:
		return fmt.Sprintf("%s%d:%02d:%02d", sign, s/3600, s%3600/60, s%60)
	}
	return fmt.Sprintf("%s%02d:%02d", sign, s/60, s%60)
}

// latency renders a duration for a narrow column: 850µs, 12ms, 1.2s.
func latency(d time.Duration) string {
	switch {
	case d <= 0:
		return "0ms"
	case d < time.Millisecond:
		return fmt.Sprintf("%dµs", d/time.Microsecond)
	case d < time.Second:
		return fmt.Sprintf("%dms", d/time.Millisecond)
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	return d.Round(time.Second).String()
}

// human renders a duration for sentences: 59m12s, 3h0m0s, 45s.
func human(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

// signed renders a clock skew with its sign: +2s, -150ms, 0s.
func signed(d time.Duration) string {
	switch {
	case d > 0:
		return "+" + human(d)
	case d < 0:
		return "-" + human(-d)
	}
	return "0s"
}

// periodShort is the short label of a quota period: h, d, mo.
func periodShort(p providers.Period) string {
	switch p {
	case providers.PerHour:
		return "h"
	case providers.PerDay:
		return "d"
	}
	return "mo"
}

// fit truncates s to width cells (with "…") and pads it with spaces to
// exactly width; right aligns to the right. s must hold no escape codes.
func fit(s string, width int, right bool) string {
	if width <= 0 {
		return ""
	}
	w := ansi.StringWidth(s)
	if w > width {
		s = ansi.Truncate(s, width, "…")
		w = ansi.StringWidth(s)
	}
	pad := strings.Repeat(" ", width-w)
	if right {
		return pad + s
	}
	return s + pad
}

// bar draws a bar of width cells filled to frac (0..1), as the filled and
// the empty part.
func bar(frac float64, width int) (full, empty string) {
	if width <= 0 {
		return "", ""
	}
	frac = min(max(frac, 0), 1)
	n := int(frac*float64(width) + 0.5)
	if frac > 0 && n == 0 {
		n = 1
	}
	return strings.Repeat("█", n), strings.Repeat("░", width-n)
}

// mask shows the start and the end of a token: "eyJhbG…Xk3w (812 chars)";
// one too short for that to hide most of it is hidden entirely.
func mask(tok string) string {
	if tok == "" {
		return ""
	}
	if len(tok) < 16 {
		return fmt.Sprintf("•••••• (%d chars, hidden)", len(tok))
	}
	return fmt.Sprintf("%s…%s (%d chars)", tok[:6], tok[len(tok)-4:], len(tok))
}

// clean is safetext.Line, for text drawn on one line. Everything the
// dashboard draws has been through safetext.Value where it arrived (see
// the commands in flow_*.go); clean also folds newlines and tabs, which a
// table cell or a detail line cannot hold.
func clean(s string) string { return safetext.Line(s) }

// splitScopes splits a scope list on spaces and commas.
func splitScopes(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' })
}

// wrapText wraps plain text to width cells.
func wrapText(s string, width int) string {
	if width <= 0 {
		return s
	}
	return ansi.Wrap(s, width, " ,/")
}

// coarse is a long duration in its largest unit, for a narrow cell: 6d,
// 23h, 59m, 30s (0s when past).
func coarse(d time.Duration) string {
	switch {
	case d <= 0:
		return "0s"
	case d >= 48*time.Hour:
		return fmt.Sprintf("%dd", int(d/(24*time.Hour)))
	case d >= 2*time.Hour:
		return fmt.Sprintf("%dh", int(d/time.Hour))
	case d >= 2*time.Minute:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	}
	return fmt.Sprintf("%ds", int(d/time.Second))
}
