package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// args checks the number of positional arguments (at least lo, at most hi;
// hi < 0: no most), as a usage error worded from the command's Use line:
// "tokentop token takes one provider name; got 2: a b".
func args(lo, hi int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, a []string) error {
		if len(a) >= lo && (hi < 0 || len(a) <= hi) {
			return nil
		}
		return hinted{
			err:  usagef("%s takes %s; got %s", cmd.CommandPath(), argWords(cmd.Use, lo, hi), gotWords(a)),
			hint: "usage: " + usageLine(cmd) + " (see " + cmd.CommandPath() + " --help)",
		}
	}
}

// usageLine is the command's Use line with its full path.
func usageLine(cmd *cobra.Command) string {
	if cmd.HasParent() {
		return cmd.Parent().CommandPath() + " " + cmd.Use
	}
	return cmd.Use
}

// Shown of what was given: the first few arguments, each cut short.
const (
	maxShownArgs   = 5
	maxShownArgLen = 40
)

// gotWords is what was given: "none", or "2: a b".
func gotWords(a []string) string {
	if len(a) == 0 {
		return "none"
	}
	shown := make([]string, 0, min(len(a), maxShownArgs)+1)
	for _, s := range a[:min(len(a), maxShownArgs)] {
		if r := []rune(s); len(r) > maxShownArgLen {
			s = string(r[:maxShownArgLen]) + "…"
		}
		if s == "" {
			s = `""`
		}
		shown = append(shown, s)
	}
	if len(a) > maxShownArgs {
		shown = append(shown, "…")
	}
	return fmt.Sprintf("%d: %s", len(a), strings.Join(shown, " "))
}

// placeholder is one positional argument of a Use line.
type placeholder struct {
	noun     string // "provider name"
	optional bool   // [X]
	many     bool   // X…
}

// placeholderNoun says what a Use line's placeholders are.
func placeholderNoun(p string) string {
	switch p {
	case "NAME", "A", "B":
		return "provider name"
	case "FILE":
		return "file name (- for stdin)"
	case "ENDPOINT|URL":
		return "endpoint name or URL"
	case "NAME|TOKEN|-":
		return "provider name, token or - (stdin)"
	case "bash|zsh|fish|powershell":
		return "shell name (bash, zsh, fish or powershell)"
	}
	return ""
}

// placeholders reads the positional arguments of a Use line ("call NAME
// [ENDPOINT|URL]"), up to its first flag; ok is false for one it does not
// know.
func placeholders(use string) (ps []placeholder, ok bool) {
	for _, f := range strings.Fields(use)[1:] {
		if strings.HasPrefix(f, "-") || strings.HasPrefix(f, "[-") {
			break
		}
		var p placeholder
		if inner, isOpt := strings.CutPrefix(f, "["); isOpt {
			f, p.optional = strings.TrimSuffix(inner, "]"), true
		}
		f, p.many = strings.CutSuffix(f, "…")
		if p.noun = placeholderNoun(f); p.noun == "" {
			return nil, false
		}
		ps = append(ps, p)
	}
	return ps, true
}

// argWords says what a command takes: "no arguments", "one provider
// name", "two provider names", "one or more provider names", "a provider
// name and optionally an endpoint name or URL". A Use line that does not
// match lo and hi is said in numbers.
func argWords(use string, lo, hi int) string {
	ps, ok := placeholders(use)
	if ok && placeholdersFit(ps, lo, hi) {
		return placeholderWords(ps)
	}
	return countWords(lo, hi, "argument")
}

// placeholdersFit reports whether the placeholders take from lo to hi arguments.
func placeholdersFit(ps []placeholder, lo, hi int) bool {
	req, most := 0, 0
	for _, p := range ps {
		if !p.optional {
			req++
		}
		most++
		if p.many {
			most = -1 - len(ps) // unbounded
		}
	}
	if most < 0 {
		return req == lo && hi < 0
	}
	return req == lo && most == hi
}

// placeholderWords says the placeholders in English.
func placeholderWords(ps []placeholder) string {
	if len(ps) == 0 {
		return "no arguments"
	}
	same := true
	for _, p := range ps[1:] {
		same = same && p.noun == ps[0].noun
	}
	if same {
		lo, hi := 0, 0
		for _, p := range ps {
			if !p.optional {
				lo++
			}
			hi++
			if p.many {
				hi = -1
				break
			}
		}
		return countWords(lo, hi, ps[0].noun)
	}
	var req, opt []string
	for _, p := range ps {
		if p.optional {
			opt = append(opt, article(p.noun))
		} else {
			req = append(req, article(p.noun))
		}
	}
	s := strings.Join(req, " and ")
	if len(opt) > 0 {
		s += " and optionally " + strings.Join(opt, " and ")
	}
	return s
}

// countWords says from lo to hi (hi < 0: no most) of noun.
func countWords(lo, hi int, noun string) string {
	switch {
	case hi == 0:
		return "no arguments"
	case hi < 0 && lo == 0:
		return "any number of " + plural(noun)
	case hi < 0:
		return number(lo) + " or more " + plural(noun)
	case lo == hi && lo == 1:
		return "one " + noun
	case lo == hi:
		return number(lo) + " " + plural(noun)
	case lo == 0:
		return "at most " + number(hi) + " " + plurals(hi, noun)
	case hi == lo+1:
		return number(lo) + " or " + number(hi) + " " + plural(noun)
	}
	return number(lo) + " to " + number(hi) + " " + plural(noun)
}

// number is n in words up to ten, else in figures.
func number(n int) string {
	if n >= 0 && n <= 10 {
		return [...]string{"no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"}[n]
	}
	return fmt.Sprint(n)
}

// plural is noun's plural: "provider names", "file names (- for stdin)".
func plural(noun string) string {
	head, tail, _ := strings.Cut(noun, " (")
	if tail != "" {
		tail = " (" + tail
	}
	head, rest, found := strings.Cut(head, " or ")
	if found {
		return plural(head) + " or " + rest + tail
	}
	head, rest, found = strings.Cut(head, ", ")
	if found {
		return plural(head) + ", " + rest + tail
	}
	return head + "s" + tail
}

// plurals is noun for n of it.
func plurals(n int, noun string) string {
	if n == 1 {
		return noun
	}
	return plural(noun)
}

// article puts "a" or "an" before noun.
func article(noun string) string {
	if strings.ContainsRune("aeiou", rune(noun[0])) {
		return "an " + noun
	}
	return "a " + noun
}
