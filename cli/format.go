package cli

import (
	"cmp"
	"slices"

	"github.com/spf13/cobra"
)

// format is how a command prints: text for a terminal (the default), JSON
// for scripts, or Markdown to paste into a ticket.
type format int

const (
	formatText format = iota
	formatJSON
	formatMarkdown
)

// flag is the flag that asks for the format ("" for text).
func (f format) flag() string {
	switch f {
	case formatJSON:
		return "json"
	case formatMarkdown:
		return "markdown"
	}
	return ""
}

// formatFlag is one format a command offers, with its help text.
type formatFlag struct {
	format format
	usage  string
}

// jsonFlag offers --json, described by usage.
func jsonFlag(usage string) formatFlag { return formatFlag{formatJSON, usage} }

// markdownFlag offers --markdown, described by usage.
func markdownFlag(usage string) formatFlag { return formatFlag{formatMarkdown, usage} }

// outputFormat is the one set of output-format flags (--json, --markdown)
// of every command: declared by Register, mutually exclusive through cobra,
// so giving both is the same usage error on every command.
type outputFormat struct {
	json, markdown bool
}

// Register declares the formats' flags on cmd, mutually exclusive with
// each other. The group is named in one order (json, markdown) whatever
// the order given, so giving both is the same error on every command.
func (o *outputFormat) Register(cmd *cobra.Command, formats ...formatFlag) {
	formats = slices.Clone(formats)
	slices.SortFunc(formats, func(a, b formatFlag) int { return cmp.Compare(a.format, b.format) })
	names := make([]string, 0, len(formats))
	for _, f := range formats {
		switch f.format {
		case formatJSON:
			cmd.Flags().BoolVar(&o.json, f.format.flag(), false, f.usage)
		case formatMarkdown:
			cmd.Flags().BoolVar(&o.markdown, f.format.flag(), false, f.usage)
		default:
			continue
		}
		names = append(names, f.format.flag())
	}
	if len(names) > 1 {
		cmd.MarkFlagsMutuallyExclusive(names...)
	}
}

// Format is the format asked for: text unless a flag said otherwise.
func (o outputFormat) Format() format {
	switch {
	case o.json:
		return formatJSON
	case o.markdown:
		return formatMarkdown
	}
	return formatText
}
