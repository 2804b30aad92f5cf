package ui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/store"
	"github.com/tokentop/tokentop/theme"
)

// The pictures: the quota chart of the detail, the sparkline of the table
// and the rate-limit bar. They are drawn with lipgloss and block runes
// (ntcharts v0.4.0 fits our Bubble Tea and lipgloss, but its canvas styles
// every cell, falls back to a package-level style on lipgloss's default
// renderer, which over SSH is the server's terminal, and its bar chart has
// no reference line). Each is drawn once per reload or tick, never per
// frame: the detail renders into its viewport, the table's rows keep their
// sparkline.

// chartHeight is the quota chart's height in rows, without its axis.
const chartHeight = 6

// eighth is the block rune n eighths of a cell high (0 to 8): a space,
// then ▁ (U+2581) to █ (U+2588).
func eighth(n int) rune {
	if n <= 0 {
		return ' '
	}
	return rune(0x2580 + min(n, 8))
}

// sparkline is one rune per value, scaled to the largest: a space for 0,
// ▁ to █ for the rest.
func sparkline(values []int) string {
	top := 0
	for _, v := range values {
		top = max(top, v)
	}
	rs := make([]rune, len(values))
	for i, v := range values {
		rs[i] = ' '
		if v > 0 && top > 0 {
			rs[i] = eighth(max((v*8+top-1)/top, 1))
		}
	}
	return string(rs)
}

// chartSpan is a run of cells in one style.
type chartSpan struct {
	sty  lipgloss.Style
	text strings.Builder
}

// spanLine builds a line of styled runs: one Render per run, not per cell.
type spanLine struct {
	spans []*chartSpan
	cur   int // style id of the last span
}

func (l *spanLine) put(id int, sty lipgloss.Style, r rune) {
	if len(l.spans) == 0 || l.cur != id {
		l.spans = append(l.spans, &chartSpan{sty: sty})
		l.cur = id
	}
	l.spans[len(l.spans)-1].text.WriteRune(r)
}

func (l *spanLine) String() string {
	var b strings.Builder
	for _, s := range l.spans {
		b.WriteString(s.sty.Render(s.text.String()))
	}
	return b.String()
}

// chart is a quota history laid out for drawing: the value each bar
// stands for, the projection, the scale and the limit.
type chart struct {
	h      *store.QuotaHistory
	values []int     // per bucket drawn: the count, or the running total
	proj   []float64 // per bucket drawn: what the current rate makes of it (0: none)
	first  int       // the first bucket drawn
	limit  int
	top    float64
}

// newChart lays h out in at most cols bars.
func newChart(h *store.QuotaHistory, cols int) chart {
	c := chart{h: h, limit: h.Usage.Limit}
	n := min(h.Buckets, max(cols, 1))
	c.first = h.Buckets - n
	c.values, c.proj = make([]int, n), make([]float64, n)
	run := 0
	for i := 0; i < h.Buckets; i++ {
		v := 0
		if i < len(h.Counts) {
			v = h.Counts[i]
		}
		run += v
		if i >= c.first && i < len(h.Counts) {
			c.values[i-c.first] = v
			if h.Cumulative {
				c.values[i-c.first] = run
			}
		}
	}
	c.project()
	top := float64(c.limit)
	for i := range c.values {
		top = max(top, float64(c.values[i]))
	}
	most := 0.0
	for _, p := range c.proj {
		most = max(most, p)
	}
	// A projection far past the limit would flatten every bar: it is cut
	// at twice the scale the history needs.
	c.top = max(top, min(most, 2*max(top, 1)), 1)
	return c
}

// rate is the tokens per second of the current window so far, and the
// window's start and end.
func (c *chart) rate() (used int, start, end time.Time, perSec float64) {
	h := c.h
	now := h.Now
	if h.Cumulative {
		start, end = h.Start, h.End
		for _, v := range h.Counts {
			used += v
		}
	} else {
		step := time.Hour
		if h.Step == providers.PerDay {
			step = 24 * time.Hour
		}
		start = now.Truncate(step)
		end = start.Add(step)
		if len(h.Counts) > 0 {
			used = h.Counts[len(h.Counts)-1]
		}
	}
	if el := now.Sub(start).Seconds(); el > 0 {
		perSec = float64(used) / el
	}
	return used, start, end, perSec
}

// project fills the projection: for a running total, every bucket from
// now on at the current rate; for a windowed quota, the current bucket
// at its end.
func (c *chart) project() {
	h := c.h
	_, start, _, perSec := c.rate()
	if perSec <= 0 {
		return
	}
	cur := len(h.Counts) - 1
	for i := range c.proj {
		b := c.first + i
		if b < cur {
			continue
		}
		if !h.Cumulative {
			if b == cur {
				c.proj[i] = perSec * c.bucketLen().Seconds()
			}
			continue
		}
		end := c.bucketStart(b + 1)
		c.proj[i] = perSec * end.Sub(start).Seconds()
	}
}

func (c *chart) bucketLen() time.Duration {
	if c.h.Step == providers.PerHour {
		return time.Hour
	}
	return 24 * time.Hour
}

// bucketStart is when bucket i starts (days by the calendar, so a month's
// last bucket ends on the 1st of the next).
func (c *chart) bucketStart(i int) time.Time {
	if c.h.Step == providers.PerHour {
		return c.h.Start.Add(time.Duration(i) * time.Hour)
	}
	return c.h.Start.AddDate(0, 0, i)
}

// eighthsOf is v's height in eighths of a cell; anything above 0 shows.
func (c *chart) eighthsOf(v float64) int {
	if v <= 0 {
		return 0
	}
	return max(int(v/c.top*float64(chartHeight*8)+0.5), 1)
}

// quotaChart draws h in width cells: the scale in a gutter, one bar per
// bucket (three cells wide when room, else as many as fit, the newest
// kept), the limit line, the projection in ░, the first and last
// bucket's dates under it, and a sentence with the projection.
func quotaChart(st *theme.Styles, h *store.QuotaHistory, width int) string {
	if h == nil || h.Buckets == 0 {
		return ""
	}
	gutter := len(strconv.Itoa(max(h.Usage.Limit, 1)))
	for _, v := range h.Counts {
		gutter = max(gutter, len(strconv.Itoa(v)))
	}
	if h.Cumulative {
		sum := 0
		for _, v := range h.Counts {
			sum += v
		}
		gutter = max(gutter, len(strconv.Itoa(sum)))
	}
	gutter = max(gutter+1, 4) + 1 // "1000 ┤"
	avail := max(width-gutter, 1)
	c := newChart(h, avail)
	cw := min(max(avail/len(c.values), 1), 3)
	limitRow := -1
	if c.limit > 0 {
		limitRow = min(max((c.eighthsOf(float64(c.limit))+7)/8-1, 0), chartHeight-1)
	}
	var out strings.Builder
	for r := chartHeight - 1; r >= 0; r-- {
		label := ""
		switch {
		case r == limitRow:
			label = strconv.Itoa(c.limit)
		case r == chartHeight-1:
			label = strconv.Itoa(int(c.top + 0.5))
		case r == 0 && limitRow != 0:
			label = "0"
		}
		line := &spanLine{}
		for _, ch := range fit(label, gutter-2, true) + " ┤" {
			line.put(0, st.Muted, ch)
		}
		for i, v := range c.values {
			fill := min(max(c.eighthsOf(float64(v))-r*8, 0), 8)
			proj := min(max(c.eighthsOf(c.proj[i])-r*8, 0), 8)
			id, sty, ru := 1, c.barStyle(st, v), eighth(fill)
			switch {
			case fill > 0:
			case r == limitRow:
				id, sty, ru = 3, st.Bad, '─'
			case proj >= 4:
				id, sty, ru = 2, st.Muted, '░'
			}
			for k := 0; k < cw; k++ {
				switch {
				case k < cw-1 || cw == 1:
					line.put(id, sty, ru)
				case r == limitRow:
					line.put(3, st.Bad, '─')
				default:
					// The gap between bars, in the bar's style: one run,
					// one Render, for the bar and its gap.
					line.put(id, sty, ' ')
				}
			}
		}
		out.WriteString(line.String())
		out.WriteByte('\n')
	}
	out.WriteString(c.axis(st, gutter, cw))
	out.WriteByte('\n')
	out.WriteString(st.Muted.Render(fit(c.sentence(), width, false)))
	return out.String()
}

// barStyle colours a bar by how much of the limit it stands for.
func (c *chart) barStyle(st *theme.Styles, v int) lipgloss.Style {
	switch {
	case c.limit <= 0:
		return st.Accent
	case v >= c.limit:
		return st.Bad
	case v*5 >= c.limit*4:
		return st.Warn
	}
	return st.Accent
}

// axis is the dates of the first and the last bucket drawn, under the
// bars.
func (c *chart) axis(st *theme.Styles, gutter, cw int) string {
	span := len(c.values) * cw
	left := c.label(c.bucketStart(c.first))
	right := c.label(c.bucketStart(c.h.Buckets - 1))
	room := span - len([]rune(left))
	if room < len([]rune(right))+1 {
		right = ""
	}
	return strings.Repeat(" ", gutter) + st.Muted.Render(left+fit(right, max(room, 0), true))
}

func (c *chart) label(t time.Time) string {
	if c.h.Step == providers.PerHour {
		return t.Format("Jan 2 15h")
	}
	return t.Format("Jan 2")
}

// sentence says where the current rate leads: when the limit is reached,
// or what the period ends at.
func (c *chart) sentence() string {
	h := c.h
	used, start, end, perSec := c.rate()
	window := "this month"
	at := func(t time.Time) string { return "on " + t.UTC().Format("Jan 2") }
	by := "by " + end.UTC().Format("Jan 2")
	if !h.Cumulative {
		window, by = "this hour", "by the end of the hour"
		if h.Step == providers.PerDay {
			window, by = "today", "by the end of the day"
		}
		at = func(t time.Time) string { return "at " + t.UTC().Format("15:04") + " UTC" }
	}
	lim := c.limit
	switch {
	case used == 0:
		return "no tokens issued yet " + window
	case lim > 0 && used >= lim:
		return fmt.Sprintf("%d/%d used %s: no fetch until %s", used, lim, window, end.UTC().Format("Jan 2 15:04 UTC"))
	case lim > 0 && perSec > 0:
		reach := start.Add(time.Duration(float64(lim) / perSec * float64(time.Second)))
		if reach.Before(end) {
			return fmt.Sprintf("at this rate: %d reached %s", lim, at(reach))
		}
		return fmt.Sprintf("at this rate: ~%d of %d %s", int(perSec*end.Sub(start).Seconds()+0.5), lim, by)
	}
	return fmt.Sprintf("at this rate: ~%d %s", int(perSec*end.Sub(start).Seconds()+0.5), by)
}

// chartTitle names the chart: what a bar is, over what period.
func chartTitle(h *store.QuotaHistory) string {
	q := ""
	if h.Usage.Limit > 0 {
		q = fmt.Sprintf(" · quota %d per %s", h.Usage.Limit, h.Usage.Per)
	}
	switch {
	case h.Cumulative:
		return "Tokens issued in " + h.Start.Format("January") + ", running total" + q
	case h.Step == providers.PerHour:
		return "Tokens issued per hour, last " + strconv.Itoa(h.Buckets) + " hours" + q
	}
	return "Tokens issued per day, last " + strconv.Itoa(h.Buckets) + " days" + q
}

// rateLimitBar is the API's remaining calls of its limit as a bar, with
// when it resets, from the figures a call recorded; ok is false when they
// do not hold both numbers.
func rateLimitBar(st *theme.Styles, rl map[string]string, now time.Time, width int) (string, bool) {
	limit, err1 := strconv.Atoi(rl["limit"])
	remaining, err2 := strconv.Atoi(rl["remaining"])
	if err1 != nil || err2 != nil || limit <= 0 {
		return "", false
	}
	remaining = min(max(remaining, 0), limit)
	frac := float64(remaining) / float64(limit)
	text := fmt.Sprintf(" %d/%d left", remaining, limit)
	if r, err := time.Parse(time.RFC3339, rl["reset"]); err == nil {
		if d := r.Sub(now); d > 0 {
			text += " · resets in " + human(d.Round(time.Second))
		} else {
			text += " · reset at " + r.UTC().Format("15:04:05 UTC")
		}
	}
	bw := min(max(width-len([]rune(text)), 6), 20)
	sty := st.OK
	switch {
	case frac <= 0.1:
		sty = st.Bad
	case frac <= 0.25:
		sty = st.Warn
	}
	full, empty := bar(frac, bw)
	return sty.Render(full) + st.BarEmpty.Render(empty) + st.Row.Render(text), true
}
