package cli

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tokentop/tokentop/providers"
	"github.com/tokentop/tokentop/providers/check"
	"github.com/tokentop/tokentop/providers/safetext"
)

// Report is a triage report (inspect, diff, and the doctor): a title and
// sections of rows and checks, written as terminal text or as Markdown to
// paste into a ticket. Every value is sanitised as it is written, and the
// strings in Secrets are replaced by [redacted] wherever they would appear,
// so a report never carries a secret or a full token even if a caller slips.
type Report struct {
	Title    string
	Sections []Section
	// Secrets are never written (a token, a client secret).
	Secrets []string

	escaper *strings.Replacer // made by the first md
}

// Section is a titled part of a report: rows (a key and one value, or one
// value per column), checks, and notes, written in that order.
type Section struct {
	Title string
	// Columns, when set, head the value columns (diff: the two providers).
	Columns []string
	Rows    []Row
	Checks  []check.Check
	Notes   []string
	// Pre are lines kept as they are (an exchange): a fenced code block in
	// Markdown, indented in text; each is sanitised and redacted.
	Pre []string
	// NameWidth is the least width of the checks' names in text, so that
	// sections written one check at a time line up (0: the longest name).
	NameWidth int
}

// Row is one line of a section. Mark flags it ("≠" in a diff).
type Row struct {
	Key    string
	Values []string
	Mark   string
}

// KV is a Row with one value.
func KV(key, value string) Row { return Row{Key: key, Values: []string{value}} }

// Failed reports whether any check of the report failed.
func (r *Report) Failed() bool {
	for _, s := range r.Sections {
		if check.AnyFailed(s.Checks) {
			return true
		}
	}
	return false
}

// FailedChecks names the checks that failed.
func (r *Report) FailedChecks() []string {
	var out []string
	for _, s := range r.Sections {
		out = append(out, check.FailedNames(s.Checks)...)
	}
	return out
}

// clean sanitises s for one line and takes out the secrets (before and
// after: sanitising can join a secret split by a control byte).
func (r *Report) clean(s string) string {
	return r.redact(safetext.Line(r.redact(s)))
}

// redact takes out every spelling of each secret (providers.RedactValues),
// and a short one as it is.
func (r *Report) redact(s string) string {
	s = providers.RedactValues(s, r.Secrets...)
	for _, sec := range r.Secrets {
		if len(sec) >= 4 {
			s = strings.ReplaceAll(s, sec, providers.Redacted)
		}
	}
	return s
}

// statusLabel is how a check's status reads in text ("[FAIL]") or in
// Markdown.
func statusLabel(st check.Status, markdown bool) string {
	text, md := "[skip]", "➖ skip"
	switch st {
	case check.Pass:
		text, md = "[ ok ]", "✅ pass"
	case check.Fail:
		text, md = "[FAIL]", "❌ **fail**"
	case check.Warn:
		text, md = "[warn]", "⚠️ warn"
	}
	if markdown {
		return md
	}
	return text
}

// WriteText writes the report for a terminal, fitting width columns
// (values of a multi-column section are cut with "…" to fit; 0 means 80).
func (r *Report) WriteText(w io.Writer, width int) error {
	if width <= 0 {
		width = 80
	}
	var b strings.Builder
	if r.Title != "" {
		fmt.Fprintf(&b, "%s\n", r.clean(r.Title))
	}
	for _, s := range r.Sections {
		b.WriteString("\n")
		if s.Title != "" {
			fmt.Fprintf(&b, "%s\n", r.clean(s.Title))
		}
		if len(s.Columns) > 0 {
			r.textColumns(&b, s, width)
		} else {
			kw := 0
			for _, row := range s.Rows {
				kw = max(kw, utf8.RuneCountInString(row.Key))
			}
			kw = min(kw, 20)
			for _, row := range s.Rows {
				fmt.Fprintf(&b, "  %s  %s\n", pad(r.clean(row.Key), kw), r.clean(strings.Join(row.Values, " ")))
			}
		}
		nw := max(9, s.NameWidth)
		for _, c := range s.Checks {
			nw = max(nw, utf8.RuneCountInString(r.clean(c.Name)))
		}
		for _, c := range s.Checks {
			detail := r.clean(c.Detail)
			if c.Took > 0 {
				detail += " (" + tookText(c.Took) + ")"
			}
			fmt.Fprintf(&b, "  %s %s %s\n", statusLabel(c.Status, false), pad(r.clean(c.Name), nw), detail)
			if c.Hint != "" && c.Status != check.Pass {
				fmt.Fprintf(&b, "  %s hint: %s\n", strings.Repeat(" ", nw+6), r.clean(c.Hint))
			}
		}
		for _, n := range s.Notes {
			fmt.Fprintf(&b, "  %s\n", r.clean(n))
		}
		for _, l := range s.Pre {
			fmt.Fprintf(&b, "    %s\n", r.clean(l))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// tookText is a step's duration, rounded to what is worth reading.
func tookText(d time.Duration) string {
	if d < time.Millisecond {
		return d.Round(time.Microsecond).String()
	}
	return d.Round(time.Millisecond).String()
}

// textColumns writes a section with value columns side by side.
func (r *Report) textColumns(b *strings.Builder, s Section, width int) {
	const kw = 18
	n := len(s.Columns)
	// key, a space, the mark, then the columns with two spaces before each.
	cw := max((width-kw-2-2*n)/n, 8)
	line := func(key, mark string, vals []string) {
		fmt.Fprintf(b, "%s %s", pad(providers.Truncate(key, kw), kw), pad(mark, 1))
		for i := range n {
			v := ""
			if i < len(vals) {
				v = vals[i]
			}
			cell := truncateMiddle(v, cw)
			if i < n-1 {
				cell = pad(cell, cw)
			}
			fmt.Fprintf(b, "  %s", cell)
		}
		b.WriteString("\n")
	}
	cols := make([]string, n)
	for i, c := range s.Columns {
		cols[i] = r.clean(c)
	}
	line("", "", cols)
	for _, row := range s.Rows {
		vals := make([]string, len(row.Values))
		for i, v := range row.Values {
			vals[i] = r.clean(v)
		}
		line(r.clean(row.Key), r.clean(row.Mark), vals)
	}
}

// pad right-pads s with spaces to n runes.
func pad(s string, n int) string {
	if k := utf8.RuneCountInString(s); k < n {
		return s + strings.Repeat(" ", n-k)
	}
	return s
}

// WriteMarkdown writes the report as GitHub-flavoured Markdown.
func (r *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	if r.Title != "" {
		fmt.Fprintf(&b, "### %s\n", r.md(r.Title))
	}
	for _, s := range r.Sections {
		b.WriteString("\n")
		if s.Title != "" {
			fmt.Fprintf(&b, "**%s**\n\n", r.md(s.Title))
		}
		if len(s.Rows) > 0 {
			if len(s.Columns) > 0 {
				b.WriteString("| |")
				for _, c := range s.Columns {
					fmt.Fprintf(&b, " %s |", r.md(c))
				}
				b.WriteString(" |\n|---|" + strings.Repeat("---|", len(s.Columns)) + "---|\n")
				for _, row := range s.Rows {
					fmt.Fprintf(&b, "| %s |", r.md(row.Key))
					for i := range s.Columns {
						v := ""
						if i < len(row.Values) {
							v = row.Values[i]
						}
						fmt.Fprintf(&b, " %s |", r.code(v))
					}
					fmt.Fprintf(&b, " %s |\n", r.md(row.Mark))
				}
			} else {
				b.WriteString("| | |\n|---|---|\n")
				for _, row := range s.Rows {
					fmt.Fprintf(&b, "| %s | %s |\n", r.md(row.Key), r.code(strings.Join(row.Values, " ")))
				}
			}
			b.WriteString("\n")
		}
		if len(s.Checks) > 0 {
			b.WriteString("| | check | detail | hint |\n|---|---|---|---|\n")
			for _, c := range s.Checks {
				hint := ""
				if c.Status != check.Pass {
					hint = r.md(c.Hint)
				}
				fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", statusLabel(c.Status, true), r.md(c.Name), r.md(c.Detail), hint)
			}
			b.WriteString("\n")
		}
		for _, n := range s.Notes {
			fmt.Fprintf(&b, "%s\n\n", r.md(n))
		}
		if len(s.Pre) > 0 {
			lines := make([]string, len(s.Pre))
			for i, l := range s.Pre {
				lines[i] = r.clean(l)
			}
			// The fence is longer than any run of backticks inside.
			fence := "```"
			for strings.Contains(strings.Join(lines, "\n"), fence) {
				fence += "`"
			}
			fmt.Fprintf(&b, "%s\n%s\n%s\n\n", fence, strings.Join(lines, "\n"), fence)
		}
	}
	_, err := io.WriteString(w, strings.TrimRight(b.String(), "\n")+"\n")
	return err
}

// mdEscaper escapes what Markdown (CommonMark and GitHub's) would act on
// in text: emphasis (* _ ~), code (`), a link or image ([ ]), a raw HTML
// tag or autolink (< >), a character reference (&, so &#x202e; stays
// text), a heading (#) and a table cell's end (|); and it breaks the
// literal autolinks GitHub makes of bare URLs (https://…, www.…), so a
// server's [click](https://evil.example/) or bare URL is text, not a link.
// It is built when a report first escapes something, not at start.
func mdEscaper() *strings.Replacer {
	return strings.NewReplacer(
		`\`, `\\`, "|", `\|`, "<", "&lt;", ">", "&gt;", "&", "&amp;", "*", `\*`, "_", `\_`, "~", `\~`,
		"`", "\\`", "[", `\[`, "]", `\]`, "#", `\#`, "://", `\://`, "www.", `www\.`, "WWW.", `WWW\.`)
}

// md escapes text for a Markdown table cell or paragraph (see mdEscaper).
func (r *Report) md(s string) string {
	if r.escaper == nil {
		r.escaper = mdEscaper()
	}
	return r.escaper.Replace(r.clean(s))
}

// code writes a value as inline code (kept literal: no link, emphasis or
// tag), or a dash when empty. The span's backticks outnumber the longest
// run of them inside.
func (r *Report) code(s string) string {
	s = r.clean(s)
	if s == "" {
		return "–"
	}
	s = strings.ReplaceAll(s, "|", `\|`)
	run, longest := 0, 0
	for _, c := range []byte(s) {
		if c == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	if longest == 0 {
		return "`" + s + "`"
	}
	fence := strings.Repeat("`", longest+1)
	return fence + " " + s + " " + fence
}

// TokenPreview shows a token without revealing it: its first 8 and last 4
// characters, and its length. Short tokens show less.
func TokenPreview(tok string) string {
	n := len(tok)
	switch {
	case n == 0:
		return "(none)"
	case n < 16:
		return fmt.Sprintf("… (%d chars)", n)
	case n < 40:
		return fmt.Sprintf("%s… (%d chars)", tok[:4], n)
	}
	return fmt.Sprintf("%s…%s (%d chars)", tok[:8], tok[n-4:], n)
}

// truncateMiddle cuts s to n runes by taking out its middle ("http://h…/token"),
// which keeps the ends of URLs and ids that tell them apart.
func truncateMiddle(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	if n < 5 {
		return providers.Truncate(s, n)
	}
	head := (n - 1) / 2
	tail := n - 1 - head
	return string(r[:head]) + "…" + string(r[len(r)-tail:])
}
